/* scm-test-h5.c: tiny HDF5 writers for the io tests (see scm-test-h5.h). */
#include "scm-test-h5.h"

#include <string.h>

#define OK(x) g_assert_cmpint ((x), >=, 0)

const float th5_dense[TH5_CELLS * TH5_GENES] = {
  1, 0, 3, 0, 0,
  0, 0, 0, 0, 0,
  0, 2, 0, 1, 7,
  0, 0, 0, 0, 5,
};

static const char *cells[TH5_CELLS] = { "AAAC-1", "AAAG-1", "AAAT-1", "AACA-1" };
static const char *genes[TH5_GENES] = { "G0", "G1", "G2", "G3", "G4" };
static const char *gene_ids[TH5_GENES] = { "ENSG0", "ENSG1", "ENSG2", "ENSG3", "ENSG4" };

hid_t
th5_create (const char *path)
{
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  OK (f);
  return f;
}

hid_t
th5_open_rw (const char *path)
{
  hid_t f = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  OK (f);
  return f;
}

void
th5_close (hid_t f)
{
  OK (H5Fclose (f));
}

static hid_t
lcpl (void)
{
  hid_t p = H5Pcreate (H5P_LINK_CREATE);
  H5Pset_create_intermediate_group (p, 1);
  return p;
}

void
th5_group (hid_t f, const char *path)
{
  if (H5Lexists (f, path, H5P_DEFAULT) > 0)
    return;
  hid_t p = lcpl ();
  hid_t g = H5Gcreate2 (f, path, p, H5P_DEFAULT, H5P_DEFAULT);
  OK (g);
  H5Gclose (g);
  H5Pclose (p);
}

static hid_t
vlen_str (void)
{
  hid_t t = H5Tcopy (H5T_C_S1);
  H5Tset_size (t, H5T_VARIABLE);
  H5Tset_cset (t, H5T_CSET_UTF8);
  return t;
}

void
th5_attr_str (hid_t f, const char *obj, const char *name, const char *value)
{
  hid_t t = vlen_str ();
  hid_t s = H5Screate (H5S_SCALAR);
  hid_t a = H5Acreate_by_name (f, obj, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  OK (a);
  OK (H5Awrite (a, t, &value));
  H5Aclose (a);
  H5Sclose (s);
  H5Tclose (t);
}

void
th5_attr_strs (hid_t f, const char *obj, const char *name, const char *const *v, int n)
{
  hid_t t = vlen_str ();
  hsize_t d = (hsize_t) n;
  hid_t s = H5Screate_simple (1, &d, NULL);
  hid_t a = H5Acreate_by_name (f, obj, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  OK (a);
  if (n > 0)
    OK (H5Awrite (a, t, v));
  H5Aclose (a);
  H5Sclose (s);
  H5Tclose (t);
}

void
th5_attr_i64s (hid_t f, const char *obj, const char *name, const gint64 *v, int n)
{
  hsize_t d = (hsize_t) n;
  hid_t s = H5Screate_simple (1, &d, NULL);
  hid_t a = H5Acreate_by_name (f, obj, name, H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  OK (a);
  OK (H5Awrite (a, H5T_NATIVE_INT64, v));
  H5Aclose (a);
  H5Sclose (s);
}

static hid_t
bool_type (void)
{
  hid_t t = H5Tenum_create (H5T_NATIVE_INT8);
  gint8 v = 0;
  H5Tenum_insert (t, "FALSE", &v);
  v = 1;
  H5Tenum_insert (t, "TRUE", &v);
  return t;
}

void
th5_attr_bool (hid_t f, const char *obj, const char *name, gboolean value)
{
  hid_t t = bool_type ();
  hid_t s = H5Screate (H5S_SCALAR);
  gint8 v = value ? 1 : 0;
  hid_t a = H5Acreate_by_name (f, obj, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  OK (a);
  OK (H5Awrite (a, t, &v));
  H5Aclose (a);
  H5Sclose (s);
  H5Tclose (t);
}

void
th5_write (hid_t f, const char *path, hid_t ft, hid_t mt, gint64 n, const void *data)
{
  hsize_t d = (hsize_t) n;
  hid_t s = H5Screate_simple (1, &d, NULL);
  hid_t p = lcpl ();
  hid_t ds = H5Dcreate2 (f, path, ft, s, p, H5P_DEFAULT, H5P_DEFAULT);
  OK (ds);
  if (n > 0)
    OK (H5Dwrite (ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
  H5Dclose (ds);
  H5Pclose (p);
  H5Sclose (s);
}

void
th5_write2d (hid_t f, const char *path, hid_t ft, hid_t mt, gint64 rows, gint64 cols,
             const void *data)
{
  hsize_t d[2] = { (hsize_t) rows, (hsize_t) cols };
  hid_t s = H5Screate_simple (2, d, NULL);
  hid_t p = lcpl ();
  hid_t ds = H5Dcreate2 (f, path, ft, s, p, H5P_DEFAULT, H5P_DEFAULT);
  OK (ds);
  if (rows * cols > 0 && data)
    OK (H5Dwrite (ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
  H5Dclose (ds);
  H5Pclose (p);
  H5Sclose (s);
}

void
th5_strings (hid_t f, const char *path, const char *const *v, gint64 n, int fixed_width)
{
  if (fixed_width == 0)
    {
      hid_t t = vlen_str ();
      th5_write (f, path, t, t, n, v);
      H5Tclose (t);
      return;
    }
  hid_t t = H5Tcopy (H5T_C_S1);
  H5Tset_size (t, (size_t) fixed_width);
  H5Tset_strpad (t, H5T_STR_NULLPAD);
  char *buf = g_malloc0 ((gsize) MAX (n, 1) * (gsize) fixed_width);
  for (gint64 i = 0; i < n; i++)
    strncpy (buf + i * fixed_width, v[i], (size_t) fixed_width);
  th5_write (f, path, t, t, n, buf);
  g_free (buf);
  H5Tclose (t);
}

void
th5_bools (hid_t f, const char *path, const guint8 *v, gint64 n)
{
  hid_t t = bool_type ();
  th5_write (f, path, t, t, n, v);
  H5Tclose (t);
}

void
th5_delete (hid_t f, const char *path)
{
  OK (H5Ldelete (f, path, H5P_DEFAULT));
}

/* ----------------------------------------------------------------- builders */

static void
enc (hid_t f, const char *obj, const char *type, const char *version)
{
  th5_attr_str (f, obj, "encoding-type", type);
  th5_attr_str (f, obj, "encoding-version", version);
}

/* Writes the reference matrix (scaled by `scale`) at path in the given layout. */
static void
write_matrix (hid_t f, const char *path, Th5XKind kind, hid_t dt, hid_t it, float scale,
              const float *dense, int rows, int cols)
{
  if (kind == TH5_X_DENSE)
    {
      float *d = g_new (float, rows * cols);
      for (int i = 0; i < rows * cols; i++)
        d[i] = dense[i] * scale;
      th5_write2d (f, path, dt, H5T_NATIVE_FLOAT, rows, cols, d);
      enc (f, path, "array", "0.2.0");
      g_free (d);
      return;
    }
  gboolean csc = kind == TH5_X_CSC;
  int major = csc ? cols : rows, minor = csc ? rows : cols;
  gint64 *indptr = g_new0 (gint64, major + 1);
  gint64 *indices = g_new0 (gint64, rows * cols + 1);
  float *data = g_new0 (float, rows * cols + 1);
  gint64 nnz = 0;
  for (int a = 0; a < major; a++)
    {
      for (int b = 0; b < minor; b++)
        {
          float v = csc ? dense[b * cols + a] : dense[a * cols + b];
          if (v != 0)
            {
              indices[nnz] = b;
              data[nnz++] = v * scale;
            }
        }
      indptr[a + 1] = nnz;
    }
  th5_group (f, path);
  enc (f, path, csc ? "csc_matrix" : "csr_matrix", "0.1.0");
  gint64 shape[2] = { rows, cols };
  th5_attr_i64s (f, path, "shape", shape, 2);
  g_autofree char *pd = g_strdup_printf ("%s/data", path);
  g_autofree char *pi = g_strdup_printf ("%s/indices", path);
  g_autofree char *pp = g_strdup_printf ("%s/indptr", path);
  th5_write (f, pd, dt, H5T_NATIVE_FLOAT, nnz, data);
  th5_write (f, pi, it, H5T_NATIVE_INT64, nnz, indices);
  th5_write (f, pp, it, H5T_NATIVE_INT64, major + 1, indptr);
  g_free (indptr);
  g_free (indices);
  g_free (data);
}

static void
write_index_df (hid_t f, const char *path, const char *const *names, int n)
{
  th5_group (f, path);
  enc (f, path, "dataframe", "0.2.0");
  th5_attr_str (f, path, "_index", "_index");
  g_autofree char *pi = g_strdup_printf ("%s/_index", path);
  th5_strings (f, pi, names, n, 0);
  enc (f, pi, "string-array", "0.2.0");
}

static void
write_categorical (hid_t f, const char *path, hid_t code_type, const gint64 *codes, int n,
                   const char *const *cats, int ncat)
{
  th5_group (f, path);
  enc (f, path, "categorical", "0.2.0");
  th5_attr_bool (f, path, "ordered", FALSE);
  g_autofree char *pc = g_strdup_printf ("%s/codes", path);
  g_autofree char *pk = g_strdup_printf ("%s/categories", path);
  th5_write (f, pc, code_type, H5T_NATIVE_INT64, n, codes);
  th5_strings (f, pk, cats, ncat, 0);
}

void
th5_make_h5ad (const char *path, const Th5Spec *spec)
{
  hid_t f = th5_create (path);
  enc (f, "/", "anndata", "0.1.0");
  hid_t dt = spec->data_type ? spec->data_type : H5T_IEEE_F32LE;
  hid_t it = spec->index_type ? spec->index_type : H5T_STD_I32LE;
  write_matrix (f, "X", spec->kind, dt, it, spec->normalise_x ? 0.1f : 1.0f, th5_dense,
                TH5_CELLS, TH5_GENES);
  write_index_df (f, "obs", cells, TH5_CELLS);
  write_index_df (f, "var", genes, TH5_GENES);
  th5_strings (f, "var/gene_ids", gene_ids, TH5_GENES, 0);
  if (spec->feature_types)
    {
      const char *cats[] = { "Gene Expression", "Antibody Capture" };
      gint64 codes[TH5_GENES] = { 0, 0, 0, 1, 1 };
      write_categorical (f, "var/feature_types", H5T_STD_I8LE, codes, TH5_GENES, cats, 2);
    }
  if (spec->layers_counts)
    write_matrix (f, "layers/counts", TH5_X_CSR, H5T_IEEE_F32LE, H5T_STD_I32LE, 1.0f, th5_dense,
                  TH5_CELLS, TH5_GENES);
  if (spec->raw_x)
    {
      write_matrix (f, "raw/X", TH5_X_CSR, H5T_IEEE_F32LE, H5T_STD_I32LE, 1.0f, th5_dense,
                    TH5_CELLS, TH5_GENES);
      const char *raw_genes[TH5_GENES] = { "R0", "R1", "R2", "R3", "R4" };
      write_index_df (f, "raw/var", raw_genes, TH5_GENES);
    }
  th5_group (f, "obsm");
  th5_group (f, "uns");
  if (spec->proteins)
    {
      double prot[TH5_CELLS * 2] = { 10, 0, 0, 0, 3, 4, 1, 1 };
      th5_write2d (f, "obsm/protein_expression", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, TH5_CELLS, 2, prot);
      const char *pn[] = { "CD3", "CD4" };
      th5_strings (f, "uns/protein_names", pn, 2, 0);
    }
  if (spec->obs_extra)
    {
      guint8 b[TH5_CELLS] = { 1, 0, 0, 1 };
      th5_bools (f, "obs/is_doublet", b, TH5_CELLS);
      const char *notes[TH5_CELLS] = { "a", "", "c,d", "\xc3\xa9" };
      th5_strings (f, "obs/note", notes, TH5_CELLS, 0);
      const char *sample[TH5_CELLS] = { "s1", "s1", "s2", "s2" };
      th5_strings (f, "obs/sample", sample, TH5_CELLS, 8);
      const char *cats[] = { "B", "T" };
      gint64 codes[TH5_CELLS] = { 0, -1, 1, 0 };
      write_categorical (f, "obs/ctype", H5T_STD_I16LE, codes, TH5_CELLS, cats, 2);
      gint64 ng[TH5_CELLS] = { 2, 0, 3, 1 };
      th5_write (f, "obs/n_genes", H5T_STD_I64LE, H5T_NATIVE_INT64, TH5_CELLS, ng);
      const char *order[] = { "is_doublet", "note", "sample", "ctype", "n_genes" };
      th5_attr_strs (f, "obs", "column-order", order, 5);
    }
  th5_close (f);
}

void
th5_make_10x (const char *path, hid_t index_type)
{
  /* features: G0..G4 (GEX), P0 P1 (ADT), C0 (CRISPR) */
  const char *ids[] = { "ENSG0", "ENSG1", "ENSG2", "ENSG3", "ENSG4", "P0_TotalSeqB", "P1_TotalSeqB", "C0" };
  const char *names[] = { "G0", "G1", "G2", "G3", "G4", "P0", "P1", "C0" };
  const char *types[] = { "Gene Expression", "Gene Expression", "Gene Expression", "Gene Expression",
                          "Gene Expression", "Antibody Capture", "Antibody Capture",
                          "CRISPR Guide Capture" };
  const char *genome[] = { "GRCh38", "GRCh38", "GRCh38", "GRCh38", "GRCh38", "", "", "" };
  /* per cell (column of the CSC file): c0 G0=1 G2=3 P0=10; c1 none;
   * c2 G1=2 G3=1 G4=7 P1=4 C0=1; c3 G4=5 P0=1 P1=1 */
  gint64 indptr[] = { 0, 3, 3, 8, 11 };
  gint64 indices[] = { 0, 2, 5, 1, 3, 4, 6, 7, 4, 5, 6 };
  gint32 data[] = { 1, 3, 10, 2, 1, 7, 4, 1, 5, 1, 1 };
  gint32 shape[] = { 8, TH5_CELLS };
  hid_t f = th5_create (path);
  th5_group (f, "matrix/features");
  th5_strings (f, "matrix/barcodes", cells, TH5_CELLS, 18);
  th5_write (f, "matrix/data", H5T_STD_I32LE, H5T_NATIVE_INT32, 11, data);
  th5_write (f, "matrix/indices", index_type, H5T_NATIVE_INT64, 11, indices);
  th5_write (f, "matrix/indptr", index_type, H5T_NATIVE_INT64, 5, indptr);
  th5_write (f, "matrix/shape", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, shape);
  th5_strings (f, "matrix/features/id", ids, 8, 16);
  th5_strings (f, "matrix/features/name", names, 8, 8);
  th5_strings (f, "matrix/features/feature_type", types, 8, 24);
  th5_strings (f, "matrix/features/genome", genome, 8, 8);
  th5_close (f);
}

void
th5_make_h5mu (const char *path)
{
  hid_t f = th5_create (path);
  enc (f, "/", "MuData", "0.1.0");
  write_index_df (f, "obs", cells, TH5_CELLS);
  const char *cats[] = { "B", "T" };
  gint64 codes[TH5_CELLS] = { 1, 1, 0, -1 };
  write_categorical (f, "obs/ctype", H5T_STD_I8LE, codes, TH5_CELLS, cats, 2);
  const char *order[] = { "ctype" };
  th5_attr_strs (f, "obs", "column-order", order, 1);
  th5_group (f, "mod");
  const char *mods[] = { "rna", "prot", "atac" };
  th5_attr_strs (f, "mod", "mod-order", mods, 3);
  /* rna: cells in global order */
  th5_group (f, "mod/rna");
  enc (f, "mod/rna", "anndata", "0.1.0");
  write_matrix (f, "mod/rna/X", TH5_X_CSR, H5T_IEEE_F32LE, H5T_STD_I32LE, 1.0f, th5_dense,
                TH5_CELLS, TH5_GENES);
  write_index_df (f, "mod/rna/obs", cells, TH5_CELLS);
  write_index_df (f, "mod/rna/var", genes, TH5_GENES);
  double qc[TH5_CELLS] = { 0.5, 1.5, 2.5, 3.5 };
  th5_write (f, "mod/rna/obs/qc", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, TH5_CELLS, qc);
  const char *qo[] = { "qc" };
  th5_attr_strs (f, "mod/rna/obs", "column-order", qo, 1);
  /* prot: only cells 3, 2, 0 (reverse order, cell 1 missing), dense X */
  th5_group (f, "mod/prot");
  enc (f, "mod/prot", "anndata", "0.1.0");
  float prot[3 * 2] = { 1, 1, 3, 4, 10, 0 };
  th5_write2d (f, "mod/prot/X", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, 2, prot);
  const char *pcells[] = { cells[3], cells[2], cells[0] };
  write_index_df (f, "mod/prot/obs", pcells, 3);
  const char *pn[] = { "CD3", "CD4" };
  write_index_df (f, "mod/prot/var", pn, 2);
  /* atac: not read */
  th5_group (f, "mod/atac");
  enc (f, "mod/atac", "anndata", "0.1.0");
  float peaks[TH5_CELLS] = { 1, 0, 1, 0 };
  th5_write2d (f, "mod/atac/X", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, TH5_CELLS, 1, peaks);
  write_index_df (f, "mod/atac/obs", cells, TH5_CELLS);
  const char *pk[] = { "chr1:1-100" };
  write_index_df (f, "mod/atac/var", pk, 1);
  th5_close (f);
}
