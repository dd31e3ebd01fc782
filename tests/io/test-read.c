/* test-read.c: every shared dataset reads with the shapes, names and label
 * counts documented in ../shared/data/README.md, and the three pbmc10k
 * files (10x .h5, .h5ad, .h5mu) give identical cells, features and values.
 * Tests skip (not pass) when the shared folder is absent. */
#include "io/scm-io.h"
#include "scm-error.h"
#include "scm-test-util.h"

#include <string.h>

static ScmDataset *
read_shared (const char *rel, const ScmReadOptions *opts)
{
  g_autofree char *path = scm_test_shared_path (rel);
  if (path == NULL)
    return NULL;
  g_autoptr (GError) error = NULL;
  ScmDataset *ds = scm_dataset_read (path, opts, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ds);
  g_assert_cmpstr (ds->path, ==, path);
  return ds;
}

/* Count of cells per category label, as "label=count" lookups. */
static gint64
category_count (const ScmDataset *ds, const char *col, const char *label)
{
  ScmColumn *c = scm_dataset_get_obs (ds, col);
  g_assert_nonnull (c);
  g_assert_cmpint (c->kind, ==, SCM_COLUMN_CATEGORICAL);
  gint64 k = -1, n = 0;
  for (guint i = 0; i < c->n_categories; i++)
    if (strcmp (c->categories[i], label) == 0)
      k = i;
  g_assert_cmpint (k, >=, 0);
  for (gint64 i = 0; i < c->n; i++)
    n += c->codes[i] == k;
  return n;
}

static void
check_modality (const ScmModality *m, gint64 n_cells, gint64 n_features)
{
  g_assert_nonnull (m);
  g_assert_cmpint (m->X.n_rows, ==, n_cells);
  g_assert_cmpint (m->X.n_cols, ==, n_features);
  g_assert_cmpint (g_strv_length (m->names), ==, n_features);
  g_assert_cmpint (g_strv_length (m->ids), ==, n_features);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_csr_validate (&m->X, "test", &error));
  g_assert_no_error (error);
}

static void
test_detect (void)
{
  struct { const char *rel; ScmFileFormat fmt; } cases[] = {
    { "pbmc10k/pbmc10k_filtered_feature_bc_matrix.h5", SCM_FORMAT_10X_V3 },
    { "pbmc10k/pbmc10k.h5ad", SCM_FORMAT_H5AD },
    { "pbmc10k/pbmc10k.h5mu", SCM_FORMAT_H5MU },
    { "formats/cellranger3_filtered_feature_bc_matrix.h5", SCM_FORMAT_10X_V3 },
    { "formats/cellranger2_filtered_gene_bc_matrices.h5", SCM_FORMAT_10X_V2 },
    { "formats/cellxgene_small.h5ad", SCM_FORMAT_H5AD_07 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = scm_test_shared_path (cases[i].rel);
      if (path == NULL)
        return;
      g_autoptr (GError) error = NULL;
      g_assert_cmpint (scm_io_detect_format (path, &error), ==, cases[i].fmt);
      g_assert_no_error (error);
    }
  g_assert_cmpstr (scm_io_format_name (SCM_FORMAT_H5AD), ==, "h5ad");
  g_assert_cmpstr (scm_io_format_name (SCM_FORMAT_10X_V3), ==, "10x-h5-v3");
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (scm_io_detect_format ("/nonexistent/file.h5ad", &error), ==, SCM_FORMAT_UNKNOWN);
  g_assert_error (error, SCM_ERROR, SCM_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/file.h5ad"));
}

static void
test_pbmc10k_h5ad (void)
{
  g_autoptr (ScmDataset) ds = read_shared ("pbmc10k/pbmc10k.h5ad", NULL);
  if (ds == NULL)
    return;
  g_assert_cmpstr (ds->format, ==, "h5ad");
  g_assert_cmpint (ds->n_cells, ==, 6855);
  check_modality (ds->rna, 6855, 4000);
  check_modality (ds->adt, 6855, 14);
  g_assert_cmpint (scm_csr_nnz (&ds->rna->X), ==, 2518605);
  g_assert_true (ds->rna->is_counts);
  g_assert_true (ds->adt->is_counts);
  g_assert_cmpstr (ds->rna->source, ==, "X");
  g_assert_cmpstr (ds->adt->source, ==, "obsm/protein_expression");
  g_assert_cmpstr (ds->adt->names[0], ==, "CD3");
  g_assert_cmpstr (ds->adt->names[13], ==, "CD127");
  g_assert_cmpstr (ds->barcodes[0], ==, "AAACCCAAGATTGTGA-1");
  /* protein_expression became the ADT modality: not duplicated */
  g_assert_null (scm_dataset_get_obsm (ds, "protein_expression"));
  g_assert_null (scm_uns_get (ds->uns, "protein_names"));
  g_assert_nonnull (scm_uns_get (ds->uns, "notes"));
  /* README: cell_type counts on the 6855 cells */
  g_assert_cmpint (category_count (ds, "cell_type", "CD4+ T cells"), ==, 2257);
  g_assert_cmpint (category_count (ds, "cell_type", "CD14+ monocytes"), ==, 1413);
  g_assert_cmpint (category_count (ds, "cell_type", "unknown"), ==, 861);
  g_assert_cmpint (category_count (ds, "cell_type", "CD16+ monocytes"), ==, 27);
  ScmColumn *wnn = scm_dataset_get_obs (ds, "wnn_cluster");
  g_assert_cmpint (wnn->n_categories, ==, 18);
  g_assert_cmpint (category_count (ds, "wnn_cluster", "0"), ==, 1007);
  g_assert_cmpint (category_count (ds, "wnn_cluster", "17"), ==, 18);
  ScmColumn *nc = scm_dataset_get_obs (ds, "n_counts_rna");
  g_assert_nonnull (nc);
  g_assert_cmpint (nc->kind, ==, SCM_COLUMN_NUMERIC);
  /* n_counts_rna equals the row sums of X */
  for (gint64 r = 0; r < 50; r++)
    {
      double s = 0;
      for (gint64 k = ds->rna->X.indptr[r]; k < ds->rna->X.indptr[r + 1]; k++)
        s += ds->rna->X.data[k];
      g_assert_cmpfloat_with_epsilon (s, nc->numbers[r], 1e-3);
    }
}

static void
assert_same_modality (const ScmModality *a, const ScmModality *b)
{
  g_assert_cmpint (a->X.n_rows, ==, b->X.n_rows);
  g_assert_cmpint (a->X.n_cols, ==, b->X.n_cols);
  for (gint64 c = 0; c < a->X.n_cols; c++)
    g_assert_cmpstr (a->names[c], ==, b->names[c]);
  g_assert_cmpmem (a->X.indptr, (gsize) (a->X.n_rows + 1) * 8, b->X.indptr, (gsize) (b->X.n_rows + 1) * 8);
  gsize nnz = (gsize) scm_csr_nnz (&a->X);
  g_assert_cmpmem (a->X.indices, nnz * 4, b->X.indices, nnz * 4);
  g_assert_cmpmem (a->X.data, nnz * 4, b->X.data, nnz * 4);
}

static void
test_pbmc10k_parity (void)
{
  g_autoptr (ScmDataset) tenx = read_shared ("pbmc10k/pbmc10k_filtered_feature_bc_matrix.h5", NULL);
  g_autoptr (ScmDataset) ad = read_shared ("pbmc10k/pbmc10k.h5ad", NULL);
  g_autoptr (ScmDataset) mu = read_shared ("pbmc10k/pbmc10k.h5mu", NULL);
  if (tenx == NULL || ad == NULL || mu == NULL)
    return;
  g_assert_cmpstr (tenx->format, ==, "10x-h5-v3");
  g_assert_cmpstr (mu->format, ==, "h5mu");
  g_assert_cmpstr (tenx->rna->source, ==, "matrix[Gene Expression]");
  g_assert_cmpstr (tenx->adt->source, ==, "matrix[Antibody Capture]");
  g_assert_cmpstr (tenx->adt->ids[0], ==, "CD3_TotalSeqB");
  g_assert_cmpstr (tenx->rna->genomes[0], ==, "GRCh38");
  for (ScmDataset **o = (ScmDataset *[]) { ad, mu, NULL }; *o; o++)
    {
      g_assert_cmpint ((*o)->n_cells, ==, tenx->n_cells);
      for (gint64 i = 0; i < tenx->n_cells; i++)
        g_assert_cmpstr ((*o)->barcodes[i], ==, tenx->barcodes[i]);
      assert_same_modality (tenx->rna, (*o)->rna);
      assert_same_modality (tenx->adt, (*o)->adt);
    }
  /* MuData keeps the global obs columns */
  g_assert_cmpint (category_count (mu, "cell_type", "NK cells"), ==, 749);
}

static void
test_pbmc5k (void)
{
  g_autoptr (ScmDataset) ad = read_shared ("pbmc5k/pbmc5k.h5ad", NULL);
  g_autoptr (ScmDataset) tenx = read_shared ("pbmc5k/pbmc5k_filtered_feature_bc_matrix.h5", NULL);
  if (ad == NULL || tenx == NULL)
    return;
  check_modality (ad->rna, 3994, 4000);
  check_modality (ad->adt, 3994, 29);
  g_assert_cmpstr (ad->adt->names[28], ==, "TIGIT");
  assert_same_modality (tenx->rna, ad->rna);
  assert_same_modality (tenx->adt, ad->adt);
  g_assert_cmpint (scm_dataset_get_obs (ad, "wnn_cluster")->n_categories, ==, 16);
  g_assert_cmpint (category_count (ad, "wnn_cluster", "0"), ==, 719);
}

static void
test_eccite (void)
{
  g_autoptr (ScmDataset) ad = read_shared ("eccite_ctrl500/eccite_ctrl500.h5ad", NULL);
  g_autoptr (ScmDataset) tenx = read_shared ("eccite_ctrl500/eccite_ctrl500_filtered_feature_bc_matrix.h5", NULL);
  if (ad == NULL || tenx == NULL)
    return;
  check_modality (ad->rna, 500, 19521);
  check_modality (ad->adt, 500, 49);
  check_modality (tenx->rna, 500, 19521);
  check_modality (tenx->adt, 500, 49);
  assert_same_modality (tenx->adt, ad->adt);
  /* HTO counts stay in obsm (h5ad only) */
  ScmMatrix *hto = scm_dataset_get_obsm (ad, "hto_expression");
  g_assert_nonnull (hto);
  g_assert_cmpint (hto->n_rows, ==, 500);
  g_assert_cmpint (hto->n_cols, ==, 4);
  g_assert_cmpint (category_count (ad, "hto_max", "HTO44_5P"), ==, 137);
  gboolean hto_note = FALSE;
  for (guint i = 0; i < ad->notes->len; i++)
    hto_note |= strstr (ad->notes->pdata[i], "hto_expression") != NULL;
  g_assert_true (hto_note);
}

static void
test_malt_protein_only (void)
{
  g_autoptr (ScmDataset) ds = read_shared ("malt10k_protein_only/malt10k_protein_only.h5ad", NULL);
  if (ds == NULL)
    return;
  g_assert_null (ds->rna);
  check_modality (ds->adt, 6838, 14);
  g_assert_cmpstr (ds->adt->names[0], ==, "CD3");
  g_assert_cmpstr (ds->barcodes[0], ==, "malt10k_cell00000");
  g_assert_cmpint (scm_dataset_get_obs (ds, "wnn_cluster")->n_categories, ==, 14);
  g_assert_cmpint (category_count (ds, "wnn_cluster", "0"), ==, 1339);
}

static void
test_sln111 (void)
{
  g_autoptr (ScmDataset) d1 = read_shared ("sln111_split/sln111_d1_protein.h5ad", NULL);
  g_autoptr (ScmDataset) d2 = read_shared ("sln111_split/sln111_d2_rna.h5ad", NULL);
  if (d1 == NULL || d2 == NULL)
    return;
  g_assert_null (d1->rna);
  check_modality (d1->adt, 9264, 110);
  check_modality (d2->rna, 7564, 4005);
  g_assert_null (d2->adt);
  g_assert_cmpint (scm_dataset_get_obs (d1, "cell_type")->n_categories, ==, 35);
  g_assert_cmpint (scm_dataset_get_obs (d1, "day_annotation")->n_categories, ==, 15);
  g_assert_cmpint (scm_dataset_get_obs (d2, "day_annotation")->n_categories, ==, 17);
}

static void
test_pbmc3k (void)
{
  g_autoptr (ScmDataset) ds = read_shared ("pbmc3k/pbmc3k.h5ad", NULL);
  if (ds == NULL)
    return;
  check_modality (ds->rna, 2638, 13714);
  g_assert_null (ds->adt);
  g_assert_cmpint (category_count (ds, "cell_type", "Naive CD4 T"), ==, 697);
  g_assert_cmpint (category_count (ds, "cell_type", "Platelet"), ==, 14);
  ScmMatrix *umap = scm_dataset_get_obsm (ds, "X_umap");
  g_assert_nonnull (umap);
  g_assert_cmpint (umap->n_cols, ==, 2);
  g_assert_cmpint (scm_dataset_get_obs (ds, "percent_mt")->kind, ==, SCM_COLUMN_NUMERIC);
}

static void
test_ifnb (void)
{
  g_autoptr (ScmDataset) ds = read_shared ("ifnb_kang_subset2k/ifnb_kang_subset2k.h5ad", NULL);
  if (ds == NULL)
    return;
  check_modality (ds->rna, 2000, 9015);
  g_assert_cmpint (category_count (ds, "stim", "CTRL"), ==, 1000);
  g_assert_cmpint (category_count (ds, "stim", "STIM"), ==, 1000);
  ScmColumn *ob = scm_dataset_get_obs (ds, "orig_barcode");
  g_assert_nonnull (ob);
  g_assert_cmpint (ob->kind, ==, SCM_COLUMN_STRING);
  g_assert_true (g_str_has_suffix (ds->barcodes[0], ob->strings[0]));
}

static void
test_formats_cellranger (void)
{
  g_autoptr (ScmDataset) v3 = read_shared ("formats/cellranger3_filtered_feature_bc_matrix.h5", NULL);
  g_autoptr (ScmDataset) v2 = read_shared ("formats/cellranger2_filtered_gene_bc_matrices.h5", NULL);
  if (v3 == NULL || v2 == NULL)
    return;
  check_modality (v3->rna, 1107, 507);
  g_assert_null (v3->adt);
  g_assert_true (g_str_has_prefix (v3->rna->ids[0], "ENSG"));
  g_assert_cmpstr (v3->rna->genomes[0], ==, "GRCh38_chr21");
  g_assert_cmpstr (v2->format, ==, "10x-h5-v2");
  check_modality (v2->rna, 12, 343);
  g_assert_cmpstr (v2->rna->genomes[0], ==, "hg19_chr21");
  g_assert_cmpstr (v2->rna->names[0], ==, "DSCAM");

  /* an unknown genome is an error listing the available ones */
  g_autofree char *path = scm_test_shared_path ("formats/cellranger2_filtered_gene_bc_matrices.h5");
  ScmReadOptions opts = { .genome = "mm10" };
  g_autoptr (GError) error = NULL;
  g_assert_null (scm_dataset_read (path, &opts, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "hg19_chr21"));
  g_assert_nonnull (strstr (error->message, "mm10"));
  opts.genome = "hg19_chr21";
  g_autoptr (ScmDataset) one = scm_dataset_read (path, &opts, NULL);
  g_assert_nonnull (one);
  g_assert_cmpint (one->rna->X.n_cols, ==, 343);
}

static void
test_formats_cellxgene (void)
{
  g_autoptr (ScmDataset) ds = read_shared ("formats/cellxgene_small.h5ad", NULL);
  if (ds == NULL)
    return;
  g_assert_cmpstr (ds->format, ==, "h5ad-0.7");
  check_modality (ds->rna, 3, 4);
  ScmColumn *sc = scm_dataset_get_obs (ds, "string_category");
  g_assert_nonnull (sc);
  g_assert_cmpint (sc->kind, ==, SCM_COLUMN_CATEGORICAL);
  g_assert_cmpint (sc->n_categories, ==, 2);
  g_assert_cmpint (scm_dataset_get_obs (ds, "float_category")->kind, ==, SCM_COLUMN_NUMERIC);
  ScmMatrix *emb = scm_dataset_get_obsm (ds, "X_awesome_embedding");
  g_assert_nonnull (emb);
  g_assert_cmpint (emb->n_rows, ==, 3);
  g_assert_cmpint (emb->n_cols, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/io/read/detect", test_detect);
  g_test_add_func ("/io/read/pbmc10k-h5ad", test_pbmc10k_h5ad);
  g_test_add_func ("/io/read/pbmc10k-parity", test_pbmc10k_parity);
  g_test_add_func ("/io/read/pbmc5k", test_pbmc5k);
  g_test_add_func ("/io/read/eccite", test_eccite);
  g_test_add_func ("/io/read/malt10k-protein-only", test_malt_protein_only);
  g_test_add_func ("/io/read/sln111", test_sln111);
  g_test_add_func ("/io/read/pbmc3k", test_pbmc3k);
  g_test_add_func ("/io/read/ifnb", test_ifnb);
  g_test_add_func ("/io/read/cellranger", test_formats_cellranger);
  g_test_add_func ("/io/read/cellxgene-0.7", test_formats_cellxgene);
  return g_test_run ();
}
