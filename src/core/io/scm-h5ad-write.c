/* scm-h5ad-write.c: the .h5ad writer (anndata 0.8 on-disk encoding).
 *
 * Layout written (anndata's "encoding-type"/"encoding-version" attributes on
 * every element, as anndata 0.8 itself writes them):
 *   /            anndata 0.1.0
 *   X            csr_matrix 0.1.0: data float32, indices and indptr int32
 *                (both int64 past 2^31 - 1 stored values),
 *                shape attr (int64 [n_obs, n_var]).  RNA when present; for
 *                a protein-only dataset X holds the proteins (as in the
 *                shared malt10k file).
 *   obs, var     dataframe 0.2.0 with _index (string-array), column-order;
 *                categorical columns (codes int8/16/32 + categories +
 *                ordered), numeric (float64), bool, string columns
 *   obsm         dict: dense float32 arrays; the ADT modality of a
 *                CITE-seq dataset as obsm/protein_expression with its names
 *                in uns/protein_names (the totalVI convention)
 *   obsp         dict: csr_matrix 0.1.0 (n_obs, n_obs) per entry, float32
 *                values (Scanpy's obsp/distances, obsp/connectivities)
 *   uns          dict: groups, string arrays, float64/int64 arrays, scalar
 *                strings, numeric scalars (numeric-scalar 0.2.0)
 *   layers, varm, varp   empty dicts
 * Strings are variable-length UTF-8; arrays of 4096+ elements are chunked
 * and gzip-compressed (level 4) when the deflate filter is available.
 *
 * The file is written to a temporary name beside the target and renamed
 * over it only when complete (util/scm-atomic-file.h).  Writing over the
 * file the dataset was read from is refused.  All HDF5 calls hold
 * scm_h5_lock().  Not written: raw/, layers, varm (not in the model).
 */
#include "io/scm-io.h"
#include "scm-error.h"
#include "util/scm-atomic-file.h"

#include <hdf5.h>
#include <string.h>
#include <sys/stat.h>

#define SCM_H5AD_COMPRESS_MIN  4096
#define SCM_H5AD_CHUNK_ELEMS   65536

typedef struct {
  const char *target;    /* for messages */
  hid_t       file;
  hid_t       str_type;  /* vlen UTF-8 string */
  hid_t       bool_type; /* h5py's bool: enum int8 {FALSE, TRUE} */
  gboolean    deflate;
  GError    **error;
  gboolean    failed;
} W;

/* Innermost HDF5 message, for error texts. */
static herr_t
walk_cb (unsigned n, const H5E_error2_t *e, void *data)
{
  char **out = data;
  g_free (*out);
  *out = g_strdup (e->desc ? e->desc : "");
  return 0;
}

static void
fail (W *w, const char *object, const char *what)
{
  if (w->failed)
    return;
  w->failed = TRUE;
  char *h5msg = NULL;
  H5Ewalk2 (H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &h5msg);
  g_set_error (w->error, SCM_ERROR, SCM_ERROR_IO, "%s: %s: cannot %s%s%s%s", w->target, object,
               what, h5msg && *h5msg ? " (HDF5: " : "", h5msg && *h5msg ? h5msg : "",
               h5msg && *h5msg ? ")" : "");
  g_free (h5msg);
}

static void
attr_string (W *w, hid_t obj, const char *name, const char *value)
{
  if (w->failed)
    return;
  hid_t sp = H5Screate (H5S_SCALAR);
  hid_t a = H5Acreate2 (obj, name, w->str_type, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite (a, w->str_type, &value) < 0)
    fail (w, name, "write attribute");
  if (a >= 0)
    H5Aclose (a);
  H5Sclose (sp);
}

static void
attr_strings (W *w, hid_t obj, const char *name, const char *const *v, gint64 n)
{
  if (w->failed)
    return;
  hsize_t dims[1] = { (hsize_t) n };
  hid_t sp = H5Screate_simple (1, dims, NULL);
  hid_t a = H5Acreate2 (obj, name, w->str_type, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || (n > 0 && H5Awrite (a, w->str_type, v) < 0))
    fail (w, name, "write attribute");
  if (a >= 0)
    H5Aclose (a);
  H5Sclose (sp);
}

static void
attr_bool (W *w, hid_t obj, const char *name, gboolean value)
{
  if (w->failed)
    return;
  gint8 v = value ? 1 : 0;
  hid_t sp = H5Screate (H5S_SCALAR);
  hid_t a = H5Acreate2 (obj, name, w->bool_type, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite (a, w->bool_type, &v) < 0)
    fail (w, name, "write attribute");
  if (a >= 0)
    H5Aclose (a);
  H5Sclose (sp);
}

static void
attr_int64s (W *w, hid_t obj, const char *name, const gint64 *v, gint64 n)
{
  if (w->failed)
    return;
  hsize_t dims[1] = { (hsize_t) n };
  hid_t sp = H5Screate_simple (1, dims, NULL);
  hid_t a = H5Acreate2 (obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite (a, H5T_NATIVE_INT64, v) < 0)
    fail (w, name, "write attribute");
  if (a >= 0)
    H5Aclose (a);
  H5Sclose (sp);
}

static void
encoding (W *w, hid_t obj, const char *type, const char *version)
{
  attr_string (w, obj, "encoding-type", type);
  attr_string (w, obj, "encoding-version", version);
}

static hid_t
group (W *w, hid_t loc, const char *name, const char *type, const char *version)
{
  if (w->failed)
    return -1;
  hid_t g = H5Gcreate2 (loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0)
    {
      fail (w, name, "create group");
      return -1;
    }
  encoding (w, g, type, version);
  return g;
}

/* Writes a 1-D or 2-D numeric array; returns the open dataset (caller
 * closes) or -1. */
static hid_t
dataset (W *w, hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int rank,
         const gint64 *dims64, const void *data)
{
  if (w->failed)
    return -1;
  hsize_t dims[2] = { (hsize_t) dims64[0], rank > 1 ? (hsize_t) dims64[1] : 1 };
  hsize_t total = dims[0] * (rank > 1 ? dims[1] : 1);
  hid_t sp = H5Screate_simple (rank, dims, NULL);
  hid_t dcpl = H5Pcreate (H5P_DATASET_CREATE);
  if (w->deflate && total >= SCM_H5AD_COMPRESS_MIN)
    {
      hsize_t chunk[2];
      if (rank == 1)
        chunk[0] = MIN (dims[0], SCM_H5AD_CHUNK_ELEMS);
      else
        {
          chunk[1] = MAX (dims[1], 1);
          chunk[0] = CLAMP (SCM_H5AD_CHUNK_ELEMS / chunk[1], 1, MAX (dims[0], 1));
        }
      H5Pset_chunk (dcpl, rank, chunk);
      H5Pset_deflate (dcpl, 4);
    }
  hid_t d = H5Dcreate2 (loc, name, file_type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (d < 0 || (total > 0 && H5Dwrite (d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0))
    {
      fail (w, name, "write dataset");
      if (d >= 0)
        H5Dclose (d);
      d = -1;
    }
  H5Pclose (dcpl);
  H5Sclose (sp);
  return d;
}

static void
array (W *w, hid_t loc, const char *name, hid_t file_type, hid_t mem_type, int rank,
       const gint64 *dims, const void *data)
{
  hid_t d = dataset (w, loc, name, file_type, mem_type, rank, dims, data);
  if (d >= 0)
    {
      encoding (w, d, "array", "0.2.0");
      H5Dclose (d);
    }
}

/* string-array: 1-D vlen UTF-8; NULL entries become "". */
static void
strings (W *w, hid_t loc, const char *name, char *const *v, gint64 n)
{
  if (w->failed)
    return;
  const char **tmp = g_new (const char *, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    tmp[i] = v && v[i] ? v[i] : "";
  gint64 dims[1] = { n };
  hid_t d = dataset (w, loc, name, w->str_type, w->str_type, 1, dims, tmp);
  if (d >= 0)
    {
      encoding (w, d, "string-array", "0.2.0");
      H5Dclose (d);
    }
  g_free (tmp);
}

static void
scalar_string (W *w, hid_t loc, const char *name, const char *value)
{
  if (w->failed)
    return;
  hid_t sp = H5Screate (H5S_SCALAR);
  hid_t d = H5Dcreate2 (loc, name, w->str_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const char *v = value ? value : "";
  if (d < 0 || H5Dwrite (d, w->str_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0)
    fail (w, name, "write string");
  else
    encoding (w, d, "string", "0.2.0");
  if (d >= 0)
    H5Dclose (d);
  H5Sclose (sp);
}

/* A 0-d number, as anndata writes Python/numpy scalars in uns. */
static void
numeric_scalar (W *w, hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                const void *value)
{
  if (w->failed)
    return;
  hid_t sp = H5Screate (H5S_SCALAR);
  hid_t d = H5Dcreate2 (loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (d < 0 || H5Dwrite (d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, value) < 0)
    fail (w, name, "write number");
  else
    encoding (w, d, "numeric-scalar", "0.2.0");
  if (d >= 0)
    H5Dclose (d);
  H5Sclose (sp);
}

static void
categorical (W *w, hid_t loc, const char *name, const gint32 *codes, gint64 n,
             char *const *categories, guint n_categories, gboolean ordered)
{
  hid_t g = group (w, loc, name, "categorical", "0.2.0");
  if (g < 0)
    return;
  attr_bool (w, g, "ordered", ordered);
  strings (w, g, "categories", categories, n_categories);
  /* anndata stores codes in the smallest signed type that fits. */
  hid_t ft = n_categories < 128 ? H5T_STD_I8LE : n_categories < 32768 ? H5T_STD_I16LE : H5T_STD_I32LE;
  gint64 dims[1] = { n };
  array (w, g, "codes", ft, H5T_NATIVE_INT32, 1, dims, codes);
  H5Gclose (g);
}

static void
column (W *w, hid_t df, const ScmColumn *c)
{
  gint64 dims[1] = { c->n };
  switch (c->kind)
    {
    case SCM_COLUMN_CATEGORICAL:
      categorical (w, df, c->name, c->codes, c->n, c->categories, c->n_categories, c->ordered);
      break;
    case SCM_COLUMN_NUMERIC:
      array (w, df, c->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims, c->numbers);
      break;
    case SCM_COLUMN_BOOL:
      {
        gint8 *b = g_new (gint8, MAX (c->n, 1));
        for (gint64 i = 0; i < c->n; i++)
          b[i] = c->bools[i] ? 1 : 0;
        array (w, df, c->name, w->bool_type, w->bool_type, 1, dims, b);
        g_free (b);
        break;
      }
    case SCM_COLUMN_STRING:
      strings (w, df, c->name, c->strings, c->n);
      break;
    }
}

/* A dataframe group: index + columns (ScmColumn*, may be NULL). */
static hid_t
dataframe_begin (W *w, const char *name, char *const *index, gint64 n,
                 const char *const *column_order, gint64 n_columns)
{
  hid_t g = group (w, w->file, name, "dataframe", "0.2.0");
  if (g < 0)
    return -1;
  attr_string (w, g, "_index", "_index");
  attr_strings (w, g, "column-order", column_order, n_columns);
  strings (w, g, "_index", index, n);
  return g;
}

static void
csr (W *w, hid_t loc, const char *name, const ScmCsr *m)
{
  hid_t g = group (w, loc, name, "csr_matrix", "0.1.0");
  if (g < 0)
    return;
  gint64 shape[2] = { m->n_rows, m->n_cols };
  attr_int64s (w, g, "shape", shape, 2);
  gint64 nnz = scm_csr_nnz (m);
  gint64 dn[1] = { nnz }, dp[1] = { m->n_rows + 1 };
  static const float empty_f = 0;
  static const gint32 empty_i = 0;
  hid_t d;
  if ((d = dataset (w, g, "data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, dn, nnz ? (const void *) m->data : &empty_f)) >= 0)
    H5Dclose (d);
  /* One index type for both arrays, as scipy keeps them: scipy refuses
   * some operations (tocoo, ...) on an int64 indptr with int32 indices.
   * int32 while nnz fits, else int64 for both. */
  hid_t it = nnz <= G_MAXINT32 ? H5T_STD_I32LE : H5T_STD_I64LE;
  if ((d = dataset (w, g, "indices", it, H5T_NATIVE_INT32, 1, dn, nnz ? (const void *) m->indices : &empty_i)) >= 0)
    H5Dclose (d);
  if ((d = dataset (w, g, "indptr", it, H5T_NATIVE_INT64, 1, dp, m->indptr)) >= 0)
    H5Dclose (d);
  H5Gclose (g);
}

static void
uns_node (W *w, hid_t loc, const ScmUnsNode *u)
{
  gint64 dims[1] = { u->n };
  switch (u->kind)
    {
    case SCM_UNS_GROUP:
      {
        hid_t g = group (w, loc, u->name, "dict", "0.1.0");
        if (g < 0)
          return;
        for (guint i = 0; i < u->children->len; i++)
          uns_node (w, g, u->children->pdata[i]);
        H5Gclose (g);
        break;
      }
    case SCM_UNS_STRINGS:
      strings (w, loc, u->name, u->strings, u->n);
      break;
    case SCM_UNS_FLOATS:
      if (u->scalar && u->n == 1)
        numeric_scalar (w, loc, u->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, u->floats);
      else
        array (w, loc, u->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims, u->floats);
      break;
    case SCM_UNS_INTS:
      if (u->scalar && u->n == 1)
        numeric_scalar (w, loc, u->name, H5T_STD_I64LE, H5T_NATIVE_INT64, u->ints);
      else
        array (w, loc, u->name, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, dims, u->ints);
      break;
    case SCM_UNS_STRING:
      scalar_string (w, loc, u->name, u->string);
      break;
    }
}

static void
empty_dict (W *w, const char *name)
{
  hid_t g = group (w, w->file, name, "dict", "0.1.0");
  if (g >= 0)
    H5Gclose (g);
}

/* var dataframe of one modality: names, gene_ids, genome, feature_types. */
static void
write_var (W *w, const ScmModality *m, gint64 n_vars)
{
  const char *order[3];
  gint64 n_cols = 0;
  gboolean ids = m && m->ids, genomes = m && m->genomes;
  if (ids)
    order[n_cols++] = "gene_ids";
  if (m)
    order[n_cols++] = "feature_types";
  if (genomes)
    order[n_cols++] = "genome";
  hid_t g = dataframe_begin (w, "var", m ? m->names : NULL, n_vars, order, n_cols);
  if (g < 0)
    return;
  if (ids)
    strings (w, g, "gene_ids", m->ids, n_vars);
  if (m)
    {
      char *cats[] = { m->kind == SCM_MODALITY_ADT ? "Antibody Capture" : "Gene Expression", NULL };
      gint32 *codes = g_new0 (gint32, MAX (n_vars, 1));
      categorical (w, g, "feature_types", codes, n_vars, cats, 1, FALSE);
      g_free (codes);
    }
  if (genomes)
    strings (w, g, "genome", m->genomes, n_vars);
  H5Gclose (g);
}

static gboolean
check_dataset (const ScmDataset *ds, const char *path, GError **error)
{
  gint64 n = ds->n_cells;
  const char *bad = NULL;
  gint64 n_barcodes = ds->barcodes ? (gint64) g_strv_length (ds->barcodes) : 0;
  if (n < 0 || n_barcodes != n)
    bad = "barcodes do not match the number of cells";
  else if (ds->rna && ds->rna->X.n_rows != n)
    bad = "RNA matrix rows do not match the number of cells";
  else if (ds->adt && ds->adt->X.n_rows != n)
    bad = "protein matrix rows do not match the number of cells";
  else if (ds->rna && ds->rna->names && (gint64) g_strv_length (ds->rna->names) != ds->rna->X.n_cols)
    bad = "gene names do not match the RNA matrix columns";
  else if (ds->adt && ds->adt->names && (gint64) g_strv_length (ds->adt->names) != ds->adt->X.n_cols)
    bad = "protein names do not match the protein matrix columns";
  if (bad == NULL)
    for (guint i = 0; i < ds->obs->len && !bad; i++)
      {
        const ScmColumn *c = ds->obs->pdata[i];
        if (c->n != n || c->name == NULL || *c->name == 0 || strchr (c->name, '/')
            || strcmp (c->name, "_index") == 0)
          bad = "an obs column has the wrong length or an invalid name";
      }
  if (bad == NULL)
    for (guint i = 0; i < ds->obsm->len && !bad; i++)
      {
        const ScmMatrix *m = ds->obsm->pdata[i];
        if (m->n_rows != n || m->name == NULL || *m->name == 0 || strchr (m->name, '/'))
          bad = "an obsm matrix has the wrong number of rows or an invalid name";
      }
  if (bad == NULL)
    for (guint i = 0; i < ds->obsp->len && !bad; i++)
      {
        const ScmPairwise *p = ds->obsp->pdata[i];
        if (p->X.n_rows != n || p->X.n_cols != n || p->name == NULL || *p->name == 0
            || strchr (p->name, '/'))
          bad = "an obsp matrix is not cells x cells or has an invalid name";
      }
  if (bad)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "%s: cannot write: %s", path, bad);
      return FALSE;
    }
  return TRUE;
}

static gboolean
same_file (const char *a, const char *b)
{
  struct stat sa, sb;
  if (a == NULL || b == NULL)
    return FALSE;
  if (stat (a, &sa) != 0 || stat (b, &sb) != 0)
    return FALSE;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void
write_all (W *w, const ScmDataset *ds)
{
  encoding (w, w->file, "anndata", "0.1.0");

  /* X and var: RNA, or the proteins of a protein-only dataset. */
  const ScmModality *xm = ds->rna ? ds->rna : ds->adt;
  gboolean adt_in_obsm = ds->rna != NULL && ds->adt != NULL;
  if (xm)
    csr (w, w->file, "X", &xm->X);
  else
    {
      ScmCsr empty = { 0 };
      gint64 *indptr = g_new0 (gint64, ds->n_cells + 1);
      empty.n_rows = ds->n_cells;
      empty.indptr = indptr;
      csr (w, w->file, "X", &empty);
      g_free (indptr);
    }
  write_var (w, xm, xm ? xm->X.n_cols : 0);

  /* obs */
  const char **order = g_new (const char *, ds->obs->len + 1);
  for (guint i = 0; i < ds->obs->len; i++)
    order[i] = ((ScmColumn *) ds->obs->pdata[i])->name;
  hid_t obs = dataframe_begin (w, "obs", ds->barcodes, ds->n_cells, order, ds->obs->len);
  g_free (order);
  if (obs >= 0)
    {
      for (guint i = 0; i < ds->obs->len; i++)
        column (w, obs, ds->obs->pdata[i]);
      H5Gclose (obs);
    }

  /* obsm */
  hid_t obsm = group (w, w->file, "obsm", "dict", "0.1.0");
  if (obsm >= 0)
    {
      for (guint i = 0; i < ds->obsm->len; i++)
        {
          const ScmMatrix *m = ds->obsm->pdata[i];
          if (adt_in_obsm && strcmp (m->name, "protein_expression") == 0)
            continue;   /* the ADT modality below is the authority */
          gint64 dims[2] = { m->n_rows, m->n_cols };
          array (w, obsm, m->name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, dims, m->data);
        }
      if (adt_in_obsm)
        {
          GError *e = NULL;
          float *dense = scm_csr_to_dense (&ds->adt->X, &e);
          if (dense == NULL)
            {
              if (!w->failed)
                {
                  w->failed = TRUE;
                  g_propagate_prefixed_error (w->error, e, "%s: obsm/protein_expression: ", w->target);
                }
              else
                g_error_free (e);
            }
          else
            {
              gint64 dims[2] = { ds->adt->X.n_rows, ds->adt->X.n_cols };
              array (w, obsm, "protein_expression", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, dims, dense);
              g_free (dense);
            }
        }
      H5Gclose (obsm);
    }

  /* uns */
  hid_t uns = group (w, w->file, "uns", "dict", "0.1.0");
  if (uns >= 0)
    {
      for (guint i = 0; i < ds->uns->children->len; i++)
        {
          const ScmUnsNode *u = ds->uns->children->pdata[i];
          if (ds->adt && strcmp (u->name, "protein_names") == 0)
            continue;
          uns_node (w, uns, u);
        }
      if (ds->adt)
        strings (w, uns, "protein_names", ds->adt->names, ds->adt->X.n_cols);
      H5Gclose (uns);
    }

  /* obsp: square sparse matrices over the cells */
  hid_t obsp = group (w, w->file, "obsp", "dict", "0.1.0");
  if (obsp >= 0)
    {
      for (guint i = 0; i < ds->obsp->len; i++)
        {
          const ScmPairwise *p = ds->obsp->pdata[i];
          csr (w, obsp, p->name, &p->X);
        }
      H5Gclose (obsp);
    }

  empty_dict (w, "layers");
  empty_dict (w, "varm");
  empty_dict (w, "varp");
}

gboolean
scm_h5ad_write (const ScmDataset *ds, const char *path, GError **error)
{
  g_return_val_if_fail (ds != NULL && path != NULL, FALSE);
  if (ds->path && (same_file (ds->path, path) || g_strcmp0 (ds->path, path) == 0))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "%s: refusing to overwrite the input file of this dataset; choose another name",
                   path);
      return FALSE;
    }
  if (!check_dataset (ds, path, error))
    return FALSE;
  g_autofree char *tmp = scm_atomic_file_begin (path, error);
  if (tmp == NULL)
    return FALSE;

  W w = { .target = path, .error = error };
  scm_h5_lock ();
  H5E_auto2_t old_func;
  void *old_data;
  H5Eget_auto2 (H5E_DEFAULT, &old_func, &old_data);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);

  w.deflate = H5Zfilter_avail (H5Z_FILTER_DEFLATE) > 0;
  w.str_type = H5Tcopy (H5T_C_S1);
  H5Tset_size (w.str_type, H5T_VARIABLE);
  H5Tset_cset (w.str_type, H5T_CSET_UTF8);
  w.bool_type = H5Tenum_create (H5T_NATIVE_INT8);
  gint8 f = 0, t = 1;
  H5Tenum_insert (w.bool_type, "FALSE", &f);
  H5Tenum_insert (w.bool_type, "TRUE", &t);

  w.file = H5Fcreate (tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (w.file < 0)
    fail (&w, "/", "create the file");
  else
    {
      write_all (&w, ds);
      if (H5Fclose (w.file) < 0)
        fail (&w, "/", "close the file");
    }
  H5Tclose (w.str_type);
  H5Tclose (w.bool_type);
  H5Eset_auto2 (H5E_DEFAULT, old_func, old_data);
  scm_h5_unlock ();

  if (w.failed)
    {
      scm_atomic_file_abort (tmp);
      return FALSE;
    }
  return scm_atomic_file_commit (tmp, path, error);
}
