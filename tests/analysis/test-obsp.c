/* test-obsp.c: the neighbour graph in a dataset and in .h5ad.
 *
 * scm_neighbors_store() puts the kNN distances and the connectivities in
 * obsp (plus uns/neighbors); the writer must put exactly those CSR arrays
 * on disk with anndata's csr_matrix attributes, and our reader must give
 * them back.  The file side is checked with raw HDF5 calls so a writer bug
 * cannot be hidden by a matching reader bug.  Also: subsetting cells keeps
 * the edges between kept cells, and a damaged obsp entry is skipped, not
 * fatal.
 */
#include "analysis-test-util.h"
#include "analysis/scm-knn.h"
#include "analysis/scm-neighbors.h"
#include "io/scm-io.h"
#include "scm-test-util.h"

#include <hdf5.h>
#include <string.h>

enum { N = 240, D = 6, K = 10 };

typedef struct {
  ScmDataset *ds;
  ScmKnn      knn;
  ScmGraph    g;
} Fixture;

/* Three separated blobs of random points, kNN + graph, and a dataset of
 * the same cells holding them through scm_neighbors_store(). */
static void
fixture_init (Fixture *f)
{
  g_autofree float *X = atest_random (N, D, 7);
  for (gint64 i = 0; i < N; i++)
    X[i * D] += (float) (3 * (i % 3));
  ScmKnnOptions o;
  scm_knn_options_init (&o);
  o.k = K;
  o.method = SCM_KNN_EXACT;
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_knn_compute (X, N, D, &o, &f->knn, &error));
  g_assert_true (scm_graph_umap_connectivities (&f->knn, &f->g, &error));
  f->ds = scm_dataset_new ();
  f->ds->n_cells = N;
  f->ds->barcodes = g_new0 (char *, N + 1);
  for (gint64 i = 0; i < N; i++)
    f->ds->barcodes[i] = g_strdup_printf ("cell%03" G_GINT64_FORMAT, i);
  ScmNeighborsParams p = { K, SCM_METRIC_EUCLIDEAN, "X_test", "exact", 3 };
  g_assert_true (scm_neighbors_store (f->ds, &f->knn, &f->g, &p, &error));
  g_assert_no_error (error);
}

static void
fixture_clear (Fixture *f)
{
  scm_dataset_unref (f->ds);
  scm_knn_clear (&f->knn);
  scm_graph_clear (&f->g);
}

/* The connectivities CSR equals the graph and is symmetric; the distances
 * CSR holds each kNN row minus self, columns ascending. */
static void
assert_csr_matches (const ScmCsr *C, const ScmCsr *Dm, const Fixture *f)
{
  g_assert_cmpint (C->n_rows, ==, N);
  g_assert_cmpint (C->n_cols, ==, N);
  g_assert_cmpint (scm_csr_nnz (C), ==, scm_graph_nnz (&f->g));
  for (gint64 i = 0; i <= N; i++)
    g_assert_cmpint (C->indptr[i], ==, f->g.indptr[i]);
  for (gint64 p = 0; p < scm_csr_nnz (C); p++)
    {
      g_assert_cmpint (C->indices[p], ==, f->g.indices[p]);
      g_assert_cmpfloat (C->data[p], ==, (float) f->g.weights[p]);
    }
  for (gint64 i = 0; i < N; i++)
    for (gint64 p = C->indptr[i]; p < C->indptr[i + 1]; p++)
      {
        gint32 j = C->indices[p];
        g_assert_cmpint (j, !=, i);
        gboolean found = FALSE;
        for (gint64 q = C->indptr[j]; q < C->indptr[j + 1]; q++)
          if (C->indices[q] == i)
            {
              g_assert_cmpfloat (C->data[q], ==, C->data[p]);
              found = TRUE;
            }
        g_assert_true (found);
      }

  g_assert_cmpint (Dm->n_rows, ==, N);
  g_assert_cmpint (Dm->n_cols, ==, N);
  for (gint64 i = 0; i < N; i++)
    {
      g_assert_cmpint (Dm->indptr[i + 1] - Dm->indptr[i], ==, K - 1);
      for (gint64 p = Dm->indptr[i]; p < Dm->indptr[i + 1]; p++)
        {
          if (p > Dm->indptr[i])
            g_assert_cmpint (Dm->indices[p], >, Dm->indices[p - 1]);
          gboolean found = FALSE;
          for (int c = 1; c < K; c++)
            if (f->knn.indices[i * K + c] == Dm->indices[p])
              {
                g_assert_cmpfloat (f->knn.distances[i * K + c], ==, Dm->data[p]);
                found = TRUE;
              }
          g_assert_true (found);
        }
    }
}

static char *
h5_attr_string (hid_t obj, const char *name)
{
  hid_t a = H5Aopen (obj, name, H5P_DEFAULT);
  g_assert_cmpint (a, >=, 0);
  hid_t t = H5Aget_type (a);
  g_assert_true (H5Tis_variable_str (t) > 0);
  hid_t mt = H5Tcopy (H5T_C_S1);
  H5Tset_size (mt, H5T_VARIABLE);
  H5Tset_cset (mt, H5T_CSET_UTF8);
  char *v = NULL;
  g_assert_cmpint (H5Aread (a, mt, &v), >=, 0);
  char *out = g_strdup (v);
  H5free_memory (v);
  H5Tclose (mt);
  H5Tclose (t);
  H5Aclose (a);
  return out;
}

static gpointer
h5_read_1d (hid_t loc, const char *name, hid_t mem, gsize elem, gint64 *n)
{
  hid_t d = H5Dopen2 (loc, name, H5P_DEFAULT);
  g_assert_cmpint (d, >=, 0);
  hid_t sp = H5Dget_space (d);
  g_assert_cmpint (H5Sget_simple_extent_ndims (sp), ==, 1);
  *n = H5Sget_simple_extent_npoints (sp);
  gpointer buf = g_malloc (MAX (*n, 1) * elem);
  if (*n > 0)
    g_assert_cmpint (H5Dread (d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), >=, 0);
  H5Sclose (sp);
  H5Dclose (d);
  return buf;
}

/* One obsp group read with plain HDF5 into a CSR. */
static void
h5_read_csr (hid_t file, const char *path, ScmCsr *m)
{
  hid_t g = H5Gopen2 (file, path, H5P_DEFAULT);
  g_assert_cmpint (g, >=, 0);
  g_autofree char *type = h5_attr_string (g, "encoding-type");
  g_autofree char *version = h5_attr_string (g, "encoding-version");
  g_assert_cmpstr (type, ==, "csr_matrix");
  g_assert_cmpstr (version, ==, "0.1.0");
  gint64 shape[2] = { 0, 0 };
  hid_t a = H5Aopen (g, "shape", H5P_DEFAULT);
  g_assert_cmpint (H5Aread (a, H5T_NATIVE_INT64, shape), >=, 0);
  H5Aclose (a);
  g_assert_cmpint (shape[0], ==, N);
  g_assert_cmpint (shape[1], ==, N);
  gint64 n_ptr, n_idx, n_dat;
  m->n_rows = shape[0];
  m->n_cols = shape[1];
  m->indptr = h5_read_1d (g, "indptr", H5T_NATIVE_INT64, sizeof (gint64), &n_ptr);
  m->indices = h5_read_1d (g, "indices", H5T_NATIVE_INT32, sizeof (gint32), &n_idx);
  m->data = h5_read_1d (g, "data", H5T_NATIVE_FLOAT, sizeof (float), &n_dat);
  g_assert_cmpint (n_ptr, ==, N + 1);
  g_assert_cmpint (n_idx, ==, m->indptr[N]);
  g_assert_cmpint (n_dat, ==, n_idx);
  H5Gclose (g);
}

static void
test_store_in_memory (void)
{
  Fixture f;
  fixture_init (&f);
  ScmPairwise *c = scm_dataset_get_obsp (f.ds, "connectivities");
  ScmPairwise *d = scm_dataset_get_obsp (f.ds, "distances");
  g_assert_nonnull (c);
  g_assert_nonnull (d);
  assert_csr_matches (&c->X, &d->X, &f);
  ScmUnsNode *nb = scm_uns_get (f.ds->uns, "neighbors");
  g_assert_cmpstr (scm_uns_get (nb, "connectivities_key")->string, ==, "connectivities");
  g_assert_cmpstr (scm_uns_get (nb, "distances_key")->string, ==, "distances");
  fixture_clear (&f);
}

static void
test_write_read (void)
{
  Fixture f;
  fixture_init (&f);
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "graph.h5ad", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_h5ad_write (f.ds, path, &error));
  g_assert_no_error (error);

  /* on disk, by plain HDF5 */
  scm_h5_lock ();
  hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  g_assert_cmpint (file, >=, 0);
  ScmCsr C = { 0 }, Dm = { 0 };
  h5_read_csr (file, "obsp/connectivities", &C);
  h5_read_csr (file, "obsp/distances", &Dm);
  assert_csr_matches (&C, &Dm, &f);
  /* Scanpy's params are 0-d numbers, not 1-element arrays */
  hid_t d = H5Dopen2 (file, "uns/neighbors/params/n_neighbors", H5P_DEFAULT);
  g_assert_cmpint (d, >=, 0);
  hid_t sp = H5Dget_space (d);
  g_assert_cmpint (H5Sget_simple_extent_ndims (sp), ==, 0);
  gint64 kk = 0;
  g_assert_cmpint (H5Dread (d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &kk), >=, 0);
  g_assert_cmpint (kk, ==, K);
  g_autofree char *enc = h5_attr_string (d, "encoding-type");
  g_assert_cmpstr (enc, ==, "numeric-scalar");
  H5Sclose (sp);
  H5Dclose (d);
  H5Fclose (file);
  scm_h5_unlock ();
  scm_csr_clear (&C);
  scm_csr_clear (&Dm);

  /* and back through our reader */
  g_autoptr (ScmDataset) back = scm_dataset_read (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  ScmPairwise *bc = scm_dataset_get_obsp (back, "connectivities");
  ScmPairwise *bd = scm_dataset_get_obsp (back, "distances");
  g_assert_nonnull (bc);
  g_assert_nonnull (bd);
  assert_csr_matches (&bc->X, &bd->X, &f);
  ScmUnsNode *params = scm_uns_get (scm_uns_get (back->uns, "neighbors"), "params");
  ScmUnsNode *nn = scm_uns_get (params, "n_neighbors");
  g_assert_nonnull (nn);
  g_assert_cmpint (nn->kind, ==, SCM_UNS_INTS);
  g_assert_true (nn->scalar);
  g_assert_cmpint (nn->ints[0], ==, K);
  g_assert_cmpint (scm_uns_get (params, "random_state")->ints[0], ==, 3);
  g_assert_cmpstr (scm_uns_get (params, "method")->string, ==, "umap");
  g_assert_cmpstr (scm_uns_get (params, "metric")->string, ==, "euclidean");
  g_assert_cmpstr (scm_uns_get (params, "use_rep")->string, ==, "X_test");

  /* written again from what was read: same arrays (no loss on a round trip) */
  g_autofree char *path2 = g_build_filename (dir, "again.h5ad", NULL);
  g_assert_true (scm_h5ad_write (back, path2, &error));
  g_autoptr (ScmDataset) again = scm_dataset_read (path2, NULL, &error);
  g_assert_no_error (error);
  assert_csr_matches (&scm_dataset_get_obsp (again, "connectivities")->X,
                      &scm_dataset_get_obsp (again, "distances")->X, &f);
  g_assert_true (scm_uns_get (scm_uns_get (scm_uns_get (again->uns, "neighbors"), "params"),
                              "n_neighbors")->scalar);
  fixture_clear (&f);
  scm_test_rmdir (dir);
}

static void
test_subset (void)
{
  Fixture f;
  fixture_init (&f);
  guint8 keep[N];
  gint32 new_id[N];
  gint64 m = 0;
  for (gint64 i = 0; i < N; i++)
    {
      keep[i] = i % 3 != 1;
      new_id[i] = keep[i] ? (gint32) m++ : -1;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) sub = scm_dataset_subset_cells (f.ds, keep, &error);
  g_assert_no_error (error);
  const ScmCsr *S = &scm_dataset_get_obsp (sub, "connectivities")->X;
  g_assert_cmpint (S->n_rows, ==, m);
  g_assert_cmpint (S->n_cols, ==, m);
  /* every edge of the full graph between kept cells is there, renumbered,
   * and nothing else */
  gint64 expect = 0;
  for (gint64 i = 0; i < N; i++)
    if (keep[i])
      for (gint64 p = f.g.indptr[i]; p < f.g.indptr[i + 1]; p++)
        if (keep[f.g.indices[p]])
          {
            expect++;
            gboolean found = FALSE;
            gint64 r = new_id[i];
            for (gint64 q = S->indptr[r]; q < S->indptr[r + 1]; q++)
              if (S->indices[q] == new_id[f.g.indices[p]])
                found = S->data[q] == (float) f.g.weights[p];
            g_assert_true (found);
          }
  g_assert_cmpint (scm_csr_nnz (S), ==, expect);
  g_autoptr (GError) verr = NULL;
  g_assert_true (scm_csr_validate (S, "subset connectivities", &verr));
  fixture_clear (&f);
}

/* A dense or wrongly shaped obsp entry (another tool's file) does not stop
 * the file from opening; the good entries are still read. */
static void
test_bad_entry_skipped (void)
{
  Fixture f;
  fixture_init (&f);
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "bad.h5ad", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_h5ad_write (f.ds, path, &error));
  scm_h5_lock ();
  hid_t file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  g_assert_cmpint (file, >=, 0);
  hsize_t dims[2] = { 3, 3 };
  hid_t sp = H5Screate_simple (2, dims, NULL);
  hid_t d = H5Dcreate2 (file, "obsp/dense_wrong_shape", H5T_IEEE_F32LE, sp, H5P_DEFAULT,
                        H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (d, >=, 0);
  H5Dclose (d);
  H5Sclose (sp);
  /* a csr group whose shape is not cells x cells */
  g_assert_cmpint (H5Ocopy (file, "obsp/distances", file, "obsp/wrong", H5P_DEFAULT, H5P_DEFAULT), >=, 0);
  hid_t g = H5Gopen2 (file, "obsp/wrong", H5P_DEFAULT);
  hid_t a = H5Aopen (g, "shape", H5P_DEFAULT);
  gint64 shape[2] = { N, N + 5 };
  g_assert_cmpint (H5Awrite (a, H5T_NATIVE_INT64, shape), >=, 0);
  H5Aclose (a);
  H5Gclose (g);
  H5Fclose (file);
  scm_h5_unlock ();

  g_autoptr (ScmDataset) back = scm_dataset_read (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->obsp->len, ==, 2);
  g_assert_nonnull (scm_dataset_get_obsp (back, "connectivities"));
  g_assert_null (scm_dataset_get_obsp (back, "wrong"));
  int notes = 0;
  for (guint i = 0; i < back->notes->len; i++)
    notes += strstr (back->notes->pdata[i], "obsp/wrong") != NULL
             || strstr (back->notes->pdata[i], "obsp/dense_wrong_shape") != NULL;
  g_assert_cmpint (notes, ==, 2);
  fixture_clear (&f);
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/analysis/obsp/store", test_store_in_memory);
  g_test_add_func ("/analysis/obsp/write-read", test_write_read);
  g_test_add_func ("/analysis/obsp/subset", test_subset);
  g_test_add_func ("/analysis/obsp/bad-entry-skipped", test_bad_entry_skipped);
  return g_test_run ();
}
