/* test-variants.c: layouts users' tools produce, generated at test time
 * (scm-test-h5.c) around one known 4 x 5 count matrix: CSR / CSC / dense X,
 * int64 indices and float64 / int values, normalised X with layers/counts
 * or raw/X, feature_types splitting, obs column kinds, totalVI proteins,
 * 10x v3 with extra feature types, MuData with reordered modalities, and
 * the labels CSV join. */
#include "io/scm-io.h"
#include "scm-error.h"
#include "scm-test-h5.h"
#include "scm-test-util.h"

#include <math.h>
#include <string.h>

static char *tmpdir;

static char *
tmp (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static ScmDataset *
read_ok (const char *path, const ScmReadOptions *opts)
{
  g_autoptr (GError) error = NULL;
  ScmDataset *ds = scm_dataset_read (path, opts, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ds);
  return ds;
}

/* X equals th5_dense * scale on columns cols[] (n of them). */
static void
assert_matrix (const ScmCsr *X, const int *cols, int n, float scale)
{
  g_assert_cmpint (X->n_rows, ==, TH5_CELLS);
  g_assert_cmpint (X->n_cols, ==, n);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_csr_validate (X, "X", &error));
  g_autofree float *d = scm_csr_to_dense (X, &error);
  g_assert_no_error (error);
  for (int r = 0; r < TH5_CELLS; r++)
    for (int j = 0; j < n; j++)
      g_assert_cmpfloat_with_epsilon (d[r * n + j], th5_dense[r * TH5_GENES + cols[j]] * scale, 1e-6);
}

static const int all_genes[] = { 0, 1, 2, 3, 4 };

static gboolean
has_note (const ScmDataset *ds, const char *needle)
{
  for (guint i = 0; i < ds->notes->len; i++)
    if (strstr (ds->notes->pdata[i], needle))
      return TRUE;
  return FALSE;
}

static void
test_x_layouts (void)
{
  struct { Th5XKind kind; hid_t dt, it; } cases[] = {
    { TH5_X_CSR, H5T_IEEE_F32LE, H5T_STD_I32LE },
    { TH5_X_CSR, H5T_IEEE_F64LE, H5T_STD_I64LE },
    { TH5_X_CSR, H5T_STD_I32LE, H5T_STD_U32LE },
    { TH5_X_CSC, H5T_IEEE_F32LE, H5T_STD_I64LE },
    { TH5_X_CSC, H5T_STD_U16LE, H5T_STD_I32LE },
    { TH5_X_DENSE, H5T_IEEE_F64LE, 0 },
    { TH5_X_DENSE, H5T_STD_I32LE, 0 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = tmp ("layout.h5ad");
      Th5Spec spec = { .kind = cases[i].kind, .data_type = cases[i].dt, .index_type = cases[i].it };
      th5_make_h5ad (path, &spec);
      g_autoptr (ScmDataset) ds = read_ok (path, NULL);
      g_assert_cmpstr (ds->format, ==, "h5ad");
      g_assert_cmpint (ds->n_cells, ==, TH5_CELLS);
      g_assert_cmpstr (ds->barcodes[2], ==, "AAAT-1");
      assert_matrix (&ds->rna->X, all_genes, 5, 1.0f);
      g_assert_true (ds->rna->is_counts);
      g_assert_cmpstr (ds->rna->source, ==, "X");
      g_assert_cmpstr (ds->rna->names[4], ==, "G4");
      g_assert_cmpstr (ds->rna->ids[4], ==, "ENSG4");
      g_assert_null (ds->adt);
    }
}

static void
test_counts_choice (void)
{
  g_autofree char *path = tmp ("norm.h5ad");
  Th5Spec spec = { .normalise_x = TRUE, .layers_counts = TRUE };
  th5_make_h5ad (path, &spec);
  g_autoptr (ScmDataset) a = read_ok (path, NULL);
  g_assert_cmpstr (a->rna->source, ==, "layers/counts");
  g_assert_true (a->rna->is_counts);
  assert_matrix (&a->rna->X, all_genes, 5, 1.0f);
  g_assert_true (has_note (a, "layers/counts"));
  /* use_x keeps the normalised X */
  ScmReadOptions opts = { .use_x = TRUE };
  g_autoptr (ScmDataset) b = read_ok (path, &opts);
  g_assert_cmpstr (b->rna->source, ==, "X");
  g_assert_false (b->rna->is_counts);
  assert_matrix (&b->rna->X, all_genes, 5, 0.1f);

  Th5Spec raw = { .normalise_x = TRUE, .raw_x = TRUE };
  th5_make_h5ad (path, &raw);
  g_autoptr (ScmDataset) c = read_ok (path, NULL);
  g_assert_cmpstr (c->rna->source, ==, "raw/X");
  g_assert_cmpstr (c->rna->names[0], ==, "R0");
  assert_matrix (&c->rna->X, all_genes, 5, 1.0f);

  Th5Spec none = { .normalise_x = TRUE };
  th5_make_h5ad (path, &none);
  g_autoptr (ScmDataset) d = read_ok (path, NULL);
  g_assert_cmpstr (d->rna->source, ==, "X");
  g_assert_false (d->rna->is_counts);
  g_assert_true (has_note (d, "looks normalised"));
}

static void
test_feature_types_and_proteins (void)
{
  g_autofree char *path = tmp ("ft.h5ad");
  Th5Spec spec = { .feature_types = TRUE };
  th5_make_h5ad (path, &spec);
  g_autoptr (ScmDataset) ds = read_ok (path, NULL);
  static const int gex[] = { 0, 1, 2 }, adt[] = { 3, 4 };
  assert_matrix (&ds->rna->X, gex, 3, 1.0f);
  assert_matrix (&ds->adt->X, adt, 2, 1.0f);
  g_assert_cmpstr (ds->adt->names[0], ==, "G3");

  Th5Spec p = { .proteins = TRUE };
  th5_make_h5ad (path, &p);
  g_autoptr (ScmDataset) tv = read_ok (path, NULL);
  g_assert_nonnull (tv->adt);
  g_assert_cmpint (tv->adt->X.n_cols, ==, 2);
  g_assert_cmpstr (tv->adt->names[1], ==, "CD4");
  g_assert_cmpint (scm_csr_nnz (&tv->adt->X), ==, 5);
  g_assert_null (scm_dataset_get_obsm (tv, "protein_expression"));
  g_autofree float *d = scm_csr_to_dense (&tv->adt->X, NULL);
  g_assert_cmpfloat (d[0], ==, 10);
  g_assert_cmpfloat (d[5], ==, 4);
}

static void
test_obs_kinds (void)
{
  g_autofree char *path = tmp ("obs.h5ad");
  Th5Spec spec = { .obs_extra = TRUE };
  th5_make_h5ad (path, &spec);
  g_autoptr (ScmDataset) ds = read_ok (path, NULL);
  g_assert_cmpint (ds->obs->len, ==, 5);
  ScmColumn *b = scm_dataset_get_obs (ds, "is_doublet");
  g_assert_cmpint (b->kind, ==, SCM_COLUMN_BOOL);
  g_assert_cmpint (b->bools[0], ==, 1);
  g_assert_cmpint (b->bools[1], ==, 0);
  ScmColumn *s = scm_dataset_get_obs (ds, "note");
  g_assert_cmpint (s->kind, ==, SCM_COLUMN_STRING);
  g_assert_cmpstr (s->strings[2], ==, "c,d");
  g_assert_cmpstr (s->strings[3], ==, "\xc3\xa9");
  ScmColumn *fx = scm_dataset_get_obs (ds, "sample");
  g_assert_cmpint (fx->kind, ==, SCM_COLUMN_STRING);
  g_assert_cmpstr (fx->strings[3], ==, "s2");
  ScmColumn *c = scm_dataset_get_obs (ds, "ctype");
  g_assert_cmpint (c->kind, ==, SCM_COLUMN_CATEGORICAL);
  g_assert_cmpint (c->codes[1], ==, -1);
  g_assert_cmpint (c->codes[2], ==, 1);
  g_assert_cmpstr (c->categories[1], ==, "T");
  ScmColumn *n = scm_dataset_get_obs (ds, "n_genes");
  g_assert_cmpint (n->kind, ==, SCM_COLUMN_NUMERIC);
  g_assert_cmpfloat (n->numbers[2], ==, 3.0);
}

static void
test_10x_types (void)
{
  hid_t its[] = { H5T_STD_I64LE, H5T_STD_I32LE };
  for (gsize i = 0; i < G_N_ELEMENTS (its); i++)
    {
      g_autofree char *path = tmp ("x.h5");
      th5_make_10x (path, its[i]);
      g_autoptr (ScmDataset) ds = read_ok (path, NULL);
      g_assert_cmpstr (ds->format, ==, "10x-h5-v3");
      assert_matrix (&ds->rna->X, all_genes, 5, 1.0f);
      g_assert_cmpint (ds->adt->X.n_cols, ==, 2);
      g_assert_cmpint (scm_csr_nnz (&ds->adt->X), ==, 4);
      g_assert_cmpstr (ds->adt->ids[1], ==, "P1_TotalSeqB");
      g_assert_true (has_note (ds, "CRISPR Guide Capture"));
      g_autofree float *d = scm_csr_to_dense (&ds->adt->X, NULL);
      float want[] = { 10, 0, 0, 0, 0, 4, 1, 1 };
      for (int k = 0; k < 8; k++)
        g_assert_cmpfloat (d[k], ==, want[k]);
    }
}

/* Cell Ranger 2 with two genomes whose cell calls differ: all genomes are
 * read, cells are the union, the genome of each gene is recorded; or one
 * genome is picked. */
static void
test_10x_v2_genomes (void)
{
  g_autofree char *path = tmp ("v2.h5");
  hid_t f = th5_create (path);
  struct { const char *g; const char *bc[2]; const char *genes[2]; gint64 ptr[3]; gint64 idx[3]; gint32 val[3]; } gs[2] = {
    { "hg19", { "AAAC-1", "AAAG-1" }, { "A1", "A2" }, { 0, 2, 3 }, { 0, 1, 1 }, { 1, 2, 3 } },
    { "mm10", { "AAAG-1", "TTTT-1" }, { "M1", "M2" }, { 0, 1, 2 }, { 0, 1, 0 }, { 4, 5, 0 } },
  };
  for (int g = 0; g < 2; g++)
    {
      g_autofree char *p_bc = g_strdup_printf ("%s/barcodes", gs[g].g);
      g_autofree char *p_genes = g_strdup_printf ("%s/genes", gs[g].g);
      g_autofree char *p_names = g_strdup_printf ("%s/gene_names", gs[g].g);
      g_autofree char *p_ptr = g_strdup_printf ("%s/indptr", gs[g].g);
      g_autofree char *p_idx = g_strdup_printf ("%s/indices", gs[g].g);
      g_autofree char *p_val = g_strdup_printf ("%s/data", gs[g].g);
      g_autofree char *p_shape = g_strdup_printf ("%s/shape", gs[g].g);
      gint32 shape[2] = { 2, 2 };
      th5_strings (f, p_bc, gs[g].bc, 2, 18);
      th5_strings (f, p_genes, gs[g].genes, 2, 8);
      th5_strings (f, p_names, gs[g].genes, 2, 8);
      th5_write (f, p_ptr, H5T_STD_I64LE, H5T_NATIVE_INT64, 3, gs[g].ptr);
      th5_write (f, p_idx, H5T_STD_I64LE, H5T_NATIVE_INT64, gs[g].ptr[2], gs[g].idx);
      th5_write (f, p_val, H5T_STD_I32LE, H5T_NATIVE_INT32, gs[g].ptr[2], gs[g].val);
      th5_write (f, p_shape, H5T_STD_I32LE, H5T_NATIVE_INT32, 2, shape);
    }
  th5_close (f);
  g_autoptr (ScmDataset) ds = read_ok (path, NULL);
  g_assert_cmpstr (ds->format, ==, "10x-h5-v2");
  g_assert_cmpint (ds->n_cells, ==, 3);
  g_assert_cmpstr (ds->barcodes[2], ==, "TTTT-1");
  g_assert_cmpint (ds->rna->X.n_cols, ==, 4);
  g_assert_cmpstr (ds->rna->genomes[0], ==, "hg19");
  g_assert_cmpstr (ds->rna->genomes[3], ==, "mm10");
  g_assert_true (has_note (ds, "union"));
  g_autofree float *d = scm_csr_to_dense (&ds->rna->X, NULL);
  /* AAAC-1: A1=1 A2=2; AAAG-1: A2=3 M1=4; TTTT-1: M2=5 */
  float want[12] = { 1, 2, 0, 0, 0, 3, 4, 0, 0, 0, 0, 5 };
  for (int k = 0; k < 12; k++)
    g_assert_cmpfloat (d[k], ==, want[k]);
  ScmReadOptions opts = { .genome = "mm10" };
  g_autoptr (ScmDataset) mm = read_ok (path, &opts);
  g_assert_cmpint (mm->n_cells, ==, 2);
  g_assert_cmpint (mm->rna->X.n_cols, ==, 2);
  g_assert_cmpstr (mm->rna->names[1], ==, "M2");

  /* v3: --genome keeps the antibodies (no genome) */
  g_autofree char *v3 = tmp ("g3.h5");
  th5_make_10x (v3, H5T_STD_I64LE);
  opts.genome = "GRCh38";
  g_autoptr (ScmDataset) g3 = read_ok (v3, &opts);
  g_assert_cmpint (g3->rna->X.n_cols, ==, 5);
  g_assert_cmpint (g3->adt->X.n_cols, ==, 2);
}

/* anndata <= 0.6: compound obs/var tables, categories in uns, dense X */
static void
test_h5ad_legacy (void)
{
  g_autofree char *path = tmp ("legacy.h5ad");
  hid_t f = th5_create (path);
  typedef struct { char index[8]; double n_genes; gint8 louvain; char batch[4]; } ObsRow;
  typedef struct { char index[8]; } VarRow;
  hid_t s8 = H5Tcopy (H5T_C_S1), s4 = H5Tcopy (H5T_C_S1);
  H5Tset_size (s8, 8);
  H5Tset_size (s4, 4);
  hid_t ot = H5Tcreate (H5T_COMPOUND, sizeof (ObsRow));
  H5Tinsert (ot, "index", HOFFSET (ObsRow, index), s8);
  H5Tinsert (ot, "n_genes", HOFFSET (ObsRow, n_genes), H5T_NATIVE_DOUBLE);
  H5Tinsert (ot, "louvain", HOFFSET (ObsRow, louvain), H5T_NATIVE_INT8);
  H5Tinsert (ot, "batch", HOFFSET (ObsRow, batch), s4);
  ObsRow obs[TH5_CELLS] = { { "AAAC-1", 2, 1, "b1" }, { "AAAG-1", 0, 0, "b1" },
                            { "AAAT-1", 3, 1, "b2" }, { "AACA-1", 1, -1, "b2" } };
  th5_write (f, "obs", ot, ot, TH5_CELLS, obs);
  hid_t vt = H5Tcreate (H5T_COMPOUND, sizeof (VarRow));
  H5Tinsert (vt, "index", HOFFSET (VarRow, index), s8);
  VarRow var[TH5_GENES] = { { "G0" }, { "G1" }, { "G2" }, { "G3" }, { "G4" } };
  th5_write (f, "var", vt, vt, TH5_GENES, var);
  th5_write2d (f, "X", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, TH5_CELLS, TH5_GENES, th5_dense);
  const char *cats[] = { "0", "1" };
  th5_strings (f, "uns/louvain_categories", cats, 2, 0);
  H5Tclose (ot);
  H5Tclose (vt);
  H5Tclose (s8);
  H5Tclose (s4);
  th5_close (f);
  g_autoptr (ScmDataset) ds = read_ok (path, NULL);
  g_assert_cmpstr (ds->format, ==, "h5ad-legacy");
  g_assert_cmpstr (ds->barcodes[3], ==, "AACA-1");
  assert_matrix (&ds->rna->X, all_genes, 5, 1.0f);
  g_assert_cmpstr (ds->rna->names[2], ==, "G2");
  ScmColumn *l = scm_dataset_get_obs (ds, "louvain");
  g_assert_cmpint (l->kind, ==, SCM_COLUMN_CATEGORICAL);
  g_assert_cmpint (l->codes[0], ==, 1);
  g_assert_cmpint (l->codes[3], ==, -1);
  g_assert_cmpint (scm_dataset_get_obs (ds, "n_genes")->kind, ==, SCM_COLUMN_NUMERIC);
  g_assert_cmpstr (scm_dataset_get_obs (ds, "batch")->strings[2], ==, "b2");
}

static void
test_h5mu_alignment (void)
{
  g_autofree char *path = tmp ("m.h5mu");
  th5_make_h5mu (path);
  g_autoptr (ScmDataset) ds = read_ok (path, NULL);
  g_assert_cmpstr (ds->format, ==, "h5mu");
  assert_matrix (&ds->rna->X, all_genes, 5, 1.0f);
  /* prot listed cells 3, 2, 0: realigned, cell 1 empty */
  g_autofree float *d = scm_csr_to_dense (&ds->adt->X, NULL);
  float want[] = { 10, 0, 0, 0, 3, 4, 1, 1 };
  for (int k = 0; k < 8; k++)
    g_assert_cmpfloat (d[k], ==, want[k]);
  g_assert_true (has_note (ds, "atac"));
  g_assert_cmpint (scm_dataset_get_obs (ds, "ctype")->codes[0], ==, 1);
  ScmColumn *qc = scm_dataset_get_obs (ds, "rna:qc");
  g_assert_nonnull (qc);
  g_assert_cmpfloat (qc->numbers[3], ==, 3.5);
  /* the global columns come first */
  g_assert_cmpstr (((ScmColumn *) ds->obs->pdata[0])->name, ==, "ctype");
}

static char *
write_csv (const char *name, const char *text)
{
  char *path = tmp (name);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_labels_csv (void)
{
  g_autofree char *h5 = tmp ("l.h5ad");
  Th5Spec spec = { 0 };
  th5_make_h5ad (h5, &spec);
  g_autoptr (ScmDataset) ds = read_ok (h5, NULL);
  /* quotes, CRLF, an empty label, an unmatched row; cell AACA-1 has no row */
  g_autofree char *csv = write_csv ("l.csv", "\xEF\xBB\xBF" "barcode,cell type\r\n"
                                    "AAAC-1,\"T, naive\"\r\n"
                                    "\"AAAG-1\",B\r\n"
                                    "AAAT-1,\r\n"
                                    "ZZZZ-1,B\r\n");
  ScmLabelsReport rep;
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_labels_join_csv (ds, csv, NULL, &rep, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rep.n_rows, ==, 4);
  g_assert_cmpint (rep.n_matched, ==, 3);
  g_assert_cmpint (rep.n_unmatched, ==, 1);
  g_assert_cmpint (rep.n_cells_unlabelled, ==, 1);
  g_assert_cmpstr (rep.unmatched_examples[0], ==, "ZZZZ-1");
  scm_labels_report_clear (&rep);
  g_assert_null (rep.unmatched_examples);
  ScmColumn *c = scm_dataset_get_obs (ds, "cell type");
  g_assert_nonnull (c);
  g_assert_cmpint (c->n_categories, ==, 2);
  g_autofree char *v0 = scm_column_value_string (c, 0);
  g_assert_cmpstr (v0, ==, "T, naive");
  g_assert_cmpint (c->codes[2], ==, -1);
  g_assert_cmpint (c->codes[3], ==, -1);
  /* a name given by the caller wins; LF-only also works */
  g_autofree char *csv2 = write_csv ("l2.csv", "barcode,x\nAAAC-1,a\n");
  g_assert_true (scm_labels_join_csv (ds, csv2, "mine", NULL, NULL));
  g_assert_nonnull (scm_dataset_get_obs (ds, "mine"));

  struct { const char *text; int code; const char *needle; } bad[] = {
    { "barcode,x\nAAAC-1,a\nAAAG-1,b\nAAAC-1,c\n", SCM_ERROR_INVALID, "line 4" },
    { "barcode,x\nAAAC-1,\"open\n", SCM_ERROR_INVALID, "unterminated" },
    { "barcode\nAAAC-1\n", SCM_ERROR_FORMAT, "two columns" },
    { "", SCM_ERROR_FORMAT, "empty" },
    { "barcode,x\nQQ,a\nRR,b\n", SCM_ERROR_NOT_FOUND, "none of the 2" },
    { "barcode,x\nAAAC-1,a\nonlyone\n", SCM_ERROR_INVALID, "line 3" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *p = write_csv ("bad.csv", bad[i].text);
      g_autoptr (GError) e = NULL;
      g_assert_false (scm_labels_join_csv (ds, p, NULL, NULL, &e));
      g_assert_error (e, SCM_ERROR, bad[i].code);
      g_assert_nonnull (strstr (e->message, "bad.csv"));
      g_assert_nonnull (strstr (e->message, bad[i].needle));
    }
}

static void
test_labels_shared (void)
{
  g_autofree char *csv = scm_test_shared_path ("pbmc10k/labels_cell_type.csv");
  g_autofree char *h5 = scm_test_shared_path ("pbmc10k/pbmc10k_filtered_feature_bc_matrix.h5");
  if (csv == NULL || h5 == NULL)
    return;
  g_autoptr (ScmDataset) ds = read_ok (h5, NULL);
  ScmLabelsReport rep;
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_labels_join_csv (ds, csv, NULL, &rep, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rep.n_rows, ==, 6855);
  g_assert_cmpint (rep.n_matched, ==, 6855);
  g_assert_cmpint (rep.n_cells_unlabelled, ==, 0);
  scm_labels_report_clear (&rep);
  ScmColumn *c = scm_dataset_get_obs (ds, "cell_type");
  g_assert_cmpint (c->n_categories, ==, 8);
  gint64 n_unknown = 0;
  for (gint64 i = 0; i < c->n; i++)
    n_unknown += c->codes[i] >= 0 && strcmp (c->categories[c->codes[i]], "unknown") == 0;
  g_assert_cmpint (n_unknown, ==, 861);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = scm_test_tmpdir ();
  g_test_add_func ("/io/variants/x-layouts", test_x_layouts);
  g_test_add_func ("/io/variants/counts-choice", test_counts_choice);
  g_test_add_func ("/io/variants/feature-types-proteins", test_feature_types_and_proteins);
  g_test_add_func ("/io/variants/obs-kinds", test_obs_kinds);
  g_test_add_func ("/io/variants/10x-types", test_10x_types);
  g_test_add_func ("/io/variants/10x-v2-genomes", test_10x_v2_genomes);
  g_test_add_func ("/io/variants/h5ad-legacy", test_h5ad_legacy);
  g_test_add_func ("/io/variants/h5mu-alignment", test_h5mu_alignment);
  g_test_add_func ("/io/labels/csv", test_labels_csv);
  g_test_add_func ("/io/labels/shared", test_labels_shared);
  int rc = g_test_run ();
  scm_test_rmdir (tmpdir);
  g_free (tmpdir);
  return rc;
}
