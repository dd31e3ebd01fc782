/* analysis-test-util.c: see analysis-test-util.h.
 *
 * Reads the 10x HDF5 file with plain HDF5 calls.  The test programs are
 * single threaded, so the engine's HDF5 lock is not needed here.
 */
#include "analysis-test-util.h"
#include "scm-test-util.h"
#include "util/scm-rng.h"

#include <hdf5.h>
#include <math.h>
#include <string.h>

static void *
read_all (hid_t file, const char *name, hid_t memtype, gint64 *len)
{
  hid_t ds = H5Dopen2 (file, name, H5P_DEFAULT);
  g_assert_cmpint (ds, >=, 0);
  hid_t sp = H5Dget_space (ds);
  hsize_t dims[2] = { 0, 0 };
  H5Sget_simple_extent_dims (sp, dims, NULL);
  *len = (gint64) dims[0];
  gsize esz = H5Tget_size (memtype);
  void *buf = g_malloc0 (MAX (1, dims[0]) * esz);
  g_assert_cmpint (H5Dread (ds, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), >=, 0);
  H5Sclose (sp);
  H5Dclose (ds);
  return buf;
}

float *
atest_pbmc10k_clr (gint64 *n_out, gint64 *d_out)
{
  g_autofree char *path = scm_test_shared_path ("pbmc10k/pbmc10k_filtered_feature_bc_matrix.h5");
  if (path == NULL)
    return NULL;
  hid_t f = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  g_assert_cmpint (f, >=, 0);
  gint64 nnz, nptr, nshape, nft;
  gint32 *data = read_all (f, "matrix/data", H5T_NATIVE_INT32, &nnz);
  gint64 *indices = read_all (f, "matrix/indices", H5T_NATIVE_INT64, &nnz);
  gint64 *indptr = read_all (f, "matrix/indptr", H5T_NATIVE_INT64, &nptr);
  gint32 *shape = read_all (f, "matrix/shape", H5T_NATIVE_INT32, &nshape);
  /* feature_type: fixed-length strings */
  hid_t ds = H5Dopen2 (f, "matrix/features/feature_type", H5P_DEFAULT);
  hid_t ft = H5Dget_type (ds);
  gsize sz = H5Tget_size (ft);
  H5Tclose (ft);
  H5Dclose (ds);
  sz += 1;   /* room for the terminating NUL of a full-width string */
  hid_t st = H5Tcopy (H5T_C_S1);
  H5Tset_size (st, sz);
  char *types = read_all (f, "matrix/features/feature_type", st, &nft);
  H5Tclose (st);
  H5Fclose (f);

  gint64 g = shape[0], n = shape[1];
  g_assert_cmpint (nptr, ==, n + 1);
  g_assert_cmpint (nft, ==, g);
  gint32 *col = g_new (gint32, g);
  gint64 d = 0;
  for (gint64 j = 0; j < g; j++)
    col[j] = strcmp (types + j * sz, "Antibody Capture") == 0 ? (gint32) d++ : -1;
  g_assert_cmpint (d, ==, 14);
  double *A = g_new0 (double, n * d);
  for (gint64 i = 0; i < n; i++)
    for (gint64 p = indptr[i]; p < indptr[i + 1]; p++)
      if (col[indices[p]] >= 0)
        A[i * d + col[indices[p]]] = data[p];
  float *X = g_new (float, n * d);
  for (gint64 c = 0; c < d; c++)
    {
      double s = 0;
      for (gint64 i = 0; i < n; i++)
        s += log1p (A[i * d + c]);
      double gm = exp (s / n);
      for (gint64 i = 0; i < n; i++)
        X[i * d + c] = (float) log1p (A[i * d + c] / gm);
    }
  g_free (A);
  g_free (col);
  g_free (data);
  g_free (indices);
  g_free (indptr);
  g_free (shape);
  g_free (types);
  *n_out = n;
  *d_out = d;
  return X;
}

float *
atest_subsample (const float *X, gint64 n, gint64 d, gint64 stride, gint64 *n_out)
{
  gint64 m = (n + stride - 1) / stride;
  float *Y = g_new (float, m * d);
  for (gint64 i = 0; i < m; i++)
    memcpy (Y + i * d, X + i * stride * d, d * sizeof (float));
  *n_out = m;
  return Y;
}

char *
atest_fixture_text (const char *name)
{
  g_autofree char *rel = g_build_filename ("analysis", name, NULL);
  g_autofree char *path = scm_test_fixture_path (rel);
  char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

double
atest_ref_scalar (const char *key)
{
  g_autofree char *text = atest_fixture_text ("ref_scalars.txt");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto (GStrv) kv = g_strsplit (*l, " ", 2);
      if (kv[0] && kv[1] && strcmp (kv[0], key) == 0)
        return g_ascii_strtod (kv[1], NULL);
    }
  g_error ("ref_scalars.txt has no key %s", key);
  return NAN;
}

double
atest_ari (const gint32 *a, const gint32 *b, gint64 n)
{
  gint32 na = 0, nb = 0;
  for (gint64 i = 0; i < n; i++)
    {
      na = MAX (na, a[i] + 1);
      nb = MAX (nb, b[i] + 1);
    }
  gint64 *tab = g_new0 (gint64, (gsize) na * nb), *ra = g_new0 (gint64, na), *rb = g_new0 (gint64, nb);
  for (gint64 i = 0; i < n; i++)
    {
      tab[(gint64) a[i] * nb + b[i]]++;
      ra[a[i]]++;
      rb[b[i]]++;
    }
#define C2(x) ((double) (x) * ((double) (x) - 1) / 2)
  double sij = 0, sa = 0, sb = 0;
  for (gint64 i = 0; i < (gint64) na * nb; i++)
    sij += C2 (tab[i]);
  for (gint32 i = 0; i < na; i++)
    sa += C2 (ra[i]);
  for (gint32 i = 0; i < nb; i++)
    sb += C2 (rb[i]);
  double expct = sa * sb / C2 (n), mx = 0.5 * (sa + sb);
#undef C2
  g_free (tab);
  g_free (ra);
  g_free (rb);
  return mx == expct ? 1.0 : (sij - expct) / (mx - expct);
}

void
atest_graph_of (const float *X, gint64 n, gint64 d, int k, ScmGraph *g)
{
  ScmKnnOptions o;
  scm_knn_options_init (&o);
  o.k = k;
  o.method = SCM_KNN_EXACT;
  ScmKnn knn;
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_knn_compute (X, n, d, &o, &knn, &error));
  g_assert_no_error (error);
  g_assert_true (scm_graph_umap_connectivities (&knn, g, &error));
  g_assert_no_error (error);
  scm_knn_clear (&knn);
}

float *
atest_random (gint64 n, gint64 d, guint64 seed)
{
  ScmRng r;
  scm_rng_seed (&r, seed);
  float *X = g_new (float, n * d);
  for (gint64 i = 0; i < n * d; i++)
    X[i] = scm_rng_uniformf (&r);
  return X;
}
