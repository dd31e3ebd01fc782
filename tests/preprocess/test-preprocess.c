/* test-preprocess.c: unit tests of the preprocess kernels on small synthetic
 * matrices (no shared data needed), plus LOESS checked against skmisc
 * values committed in tests/fixtures/preprocess/loess_1500.tsv.
 */
#include "preprocess/scm-hvg.h"
#include "preprocess/scm-loess.h"
#include "preprocess/scm-normalize.h"
#include "preprocess/scm-preprocess.h"
#include "preprocess/scm-qc.h"
#include "scm-error.h"
#include "scm-test-util.h"
#include "util/scm-rng.h"

#include <math.h>
#include <string.h>

/* Dense (n x g) -> CSR (exact zeros dropped). */
static void
csr_from_dense (ScmCsr *m, const float *d, gint64 n, gint64 g)
{
  gint64 nnz = 0;
  for (gint64 i = 0; i < n * g; i++)
    nnz += d[i] != 0;
  g_assert_true (scm_csr_alloc (m, n, g, nnz, NULL));
  gint64 k = 0;
  for (gint64 r = 0; r < n; r++)
    {
      for (gint64 c = 0; c < g; c++)
        if (d[r * g + c] != 0)
          {
            m->indices[k] = (gint32) c;
            m->data[k++] = d[r * g + c];
          }
      m->indptr[r + 1] = k;
    }
}

/* Negative-binomial-ish counts: gene means log-normal, a few planted
 * "variable" genes that are high in a subset of cells. */
static float *
synth_counts (gint64 n, gint64 g, guint64 seed, gint64 n_planted)
{
  ScmRng rng;
  scm_rng_seed (&rng, seed);
  float *d = g_new0 (float, n * g);
  double *mu = g_new (double, g);
  for (gint64 j = 0; j < g; j++)
    mu[j] = exp (scm_rng_normal (&rng) * 1.2 - 1.0);
  for (gint64 i = 0; i < n; i++)
    {
      double lib = exp (scm_rng_normal (&rng) * 0.3);
      for (gint64 j = 0; j < g; j++)
        {
          double lam = mu[j] * lib;
          if (j < n_planted && i % 4 == 0)
            lam *= 12.0;
          /* Poisson by inversion (lam small here). */
          double L = exp (-lam), p = 1.0;
          int k = 0;
          do
            {
              k++;
              p *= scm_rng_uniform (&rng);
            }
          while (p > L && k < 1000);
          d[i * g + j] = (float) (k - 1);
        }
    }
  g_free (mu);
  return d;
}

static void
test_qc_metrics (void)
{
  /* 3 cells x 4 genes; gene 1 is "MT-CO1", gene 3 "mt-Nd1". */
  const float d[] = {
    1, 2, 0, 1,
    0, 0, 0, 0,
    5, 0, 3, 0,
  };
  char *names[] = { "CD3E", "MT-CO1", "LYZ", "mt-Nd1", NULL };
  ScmCsr X;
  csr_from_dense (&X, d, 3, 4);
  guint8 mito[4];
  g_assert_cmpint (scm_qc_mito_mask (names, 4, mito), ==, 2);
  g_assert_cmpint (mito[1], ==, 1);
  g_assert_cmpint (mito[2], ==, 0);
  double total[3], pct[3];
  gint32 ng[3];
  scm_qc_cell_metrics (&X, mito, total, ng, pct);
  g_assert_cmpfloat (total[0], ==, 4.0);
  g_assert_cmpint (ng[0], ==, 3);
  g_assert_cmpfloat_with_epsilon (pct[0], 75.0, 1e-12);
  g_assert_cmpfloat (total[1], ==, 0.0);
  g_assert_cmpfloat (pct[1], ==, 0.0);
  g_assert_cmpfloat_with_epsilon (pct[2], 0.0, 1e-12);
  gint32 nc[4];
  scm_qc_gene_n_cells (&X, NULL, nc);
  g_assert_cmpint (nc[0], ==, 2);
  g_assert_cmpint (nc[2], ==, 1);
  scm_csr_clear (&X);
}

static void
test_qc_filter (void)
{
  /* 5 cells x 3 genes, thresholds small enough to exercise every reason. */
  const float d[] = {
    0, 0, 0,   /* zero counts */
    1, 0, 0,   /* 1 gene < min_genes 2 */
    1, 9, 0,   /* 90% mito (gene 1) */
    9, 1, 0,   /* 10% mito: kept */
    8, 1, 0,
  };
  char *names[] = { "A", "MT-X", "B", NULL };
  ScmCsr X;
  csr_from_dense (&X, d, 5, 3);
  guint8 mito[3], kc[5], kg[3];
  gint64 nm = scm_qc_mito_mask (names, 3, mito);
  double total[5], pct[5];
  gint32 ng[5];
  scm_qc_cell_metrics (&X, mito, total, ng, pct);
  ScmQcFilter f;
  scm_qc_filter_init_default (&f);
  f.min_genes = 2;
  f.min_cells = 1;
  ScmQcReport r;
  scm_qc_filter (&X, &f, total, ng, pct, nm, kc, kg, &r);
  g_assert_cmpint (r.n_cells_zero, ==, 1);
  g_assert_cmpint (r.n_cells_min_genes, ==, 1);
  g_assert_cmpint (r.n_cells_mito, ==, 1);
  g_assert_cmpint (r.n_cells_kept, ==, 2);
  g_assert_true (kc[3] && kc[4] && !kc[0] && !kc[1] && !kc[2]);
  /* gene B is expressed in no kept cell */
  g_assert_cmpint (r.n_genes_kept, ==, 2);
  g_assert_false (kg[2]);
  g_autofree char *txt = scm_qc_report_describe (&r, &f);
  g_assert_nonnull (strstr (txt, "kept 2 of 5 cells"));
  g_assert_nonnull (strstr (txt, "1 with zero counts"));
  /* Cell filters off: only the zero-count cell goes. */
  f.cell_filters = FALSE;
  scm_qc_filter (&X, &f, total, ng, pct, nm, kc, kg, &r);
  g_assert_cmpint (r.n_cells_kept, ==, 4);
  g_assert_cmpint (r.n_cells_zero, ==, 1);
  scm_csr_clear (&X);
}

static void
test_normalize (void)
{
  const float d[] = { 1, 0, 3,   0, 0, 0,   0, 7, 0 };
  ScmCsr X, Y;
  csr_from_dense (&X, d, 3, 3);
  g_assert_true (scm_normalize_log1p (&Y, &X, 1e4, NULL));
  g_assert_cmpint (scm_csr_nnz (&Y), ==, 3);
  g_assert_cmpfloat_with_epsilon (Y.data[0], log1p (1.0 * 1e4 / 4.0), 1e-5);
  g_assert_cmpfloat_with_epsilon (Y.data[1], log1p (3.0 * 1e4 / 4.0), 1e-5);
  g_assert_cmpfloat_with_epsilon (Y.data[2], log1p (1e4), 1e-5);
  scm_csr_clear (&X);
  scm_csr_clear (&Y);
}

static void
test_normalize_select (void)
{
  /* The fused kernel equals normalise-then-subset (the naive path). */
  gint64 n = 120, g = 90;
  g_autofree float *d = synth_counts (n, g, 21, 5);
  ScmCsr X, L, ref, fused;
  csr_from_dense (&X, d, n, g);
  g_assert_true (scm_normalize_log1p (&L, &X, 1e4, NULL));
  g_autofree gint32 *cols = g_new (gint32, g);
  g_autofree gint32 *map = g_new (gint32, g);
  gint64 m = 0;
  for (gint64 j = 0; j < g; j++)
    {
      map[j] = j % 3 == 1 ? (gint32) m : -1;
      if (j % 3 == 1)
        cols[m++] = (gint32) j;
    }
  g_assert_true (scm_csr_subset_cols (&ref, &L, cols, m, NULL));
  g_autofree double *sums = g_new (double, n);
  for (gint64 r = 0; r < n; r++)
    {
      sums[r] = 0;
      for (gint64 k = X.indptr[r]; k < X.indptr[r + 1]; k++)
        sums[r] += X.data[k];
    }
  g_assert_true (scm_normalize_log1p_select (&fused, &X, sums, 1e4, map, m, NULL));
  g_assert_cmpint (fused.n_cols, ==, m);
  g_assert_cmpmem (fused.indptr, (n + 1) * sizeof (gint64), ref.indptr, (n + 1) * sizeof (gint64));
  g_assert_cmpmem (fused.indices, scm_csr_nnz (&ref) * sizeof (gint32), ref.indices,
                   scm_csr_nnz (&ref) * sizeof (gint32));
  g_assert_cmpmem (fused.data, scm_csr_nnz (&ref) * sizeof (float), ref.data,
                   scm_csr_nnz (&ref) * sizeof (float));
  g_assert_true (scm_csr_validate (&fused, "fused", NULL));
  scm_csr_clear (&X);
  scm_csr_clear (&L);
  scm_csr_clear (&ref);
  scm_csr_clear (&fused);
}

static void
test_clr (void)
{
  /* 3 cells x 2 proteins. */
  const float d[] = { 0, 10, 4, 20, 9, 0 };
  float out[6];
  scm_clr_dense (d, 3, 2, out);
  for (int p = 0; p < 2; p++)
    {
      double s = 0;
      for (int i = 0; i < 3; i++)
        s += log1p (d[i * 2 + p]);
      double g = exp (s / 3);
      for (int i = 0; i < 3; i++)
        g_assert_cmpfloat_with_epsilon (out[i * 2 + p], log1p (d[i * 2 + p] / g), 1e-6);
    }
  ScmCsr X;
  float out2[6];
  csr_from_dense (&X, d, 3, 2);
  scm_clr_csr (&X, out2);
  g_assert_cmpmem (out, sizeof out, out2, sizeof out2);
  scm_csr_clear (&X);
}

static void
test_scale (void)
{
  float X[] = { 1, 5, 2, 5, 3, 5, 100, 5 };   /* 4 cells x 2 genes; gene 1 constant */
  double mean[2], sd[2];
  scm_scale_dense (X, 4, 2, 1.0, mean, sd);
  g_assert_cmpfloat_with_epsilon (mean[0], 26.5, 1e-12);
  g_assert_cmpfloat (sd[1], ==, 1.0);            /* zero variance -> 1 */
  g_assert_cmpfloat (X[1], ==, 0.0);
  g_assert_cmpfloat (X[6], ==, 1.0);             /* clipped at max_value */
  g_assert_cmpfloat (X[0], <, -0.4);             /* lower side is not clipped */
}

static void
test_loess_naive (void)
{
  ScmRng rng;
  scm_rng_seed (&rng, 7);
  gint64 n = 400;
  double *x = g_new (double, n), *y = g_new (double, n), *a = g_new (double, n), *b = g_new (double, n);
  for (gint64 i = 0; i < n; i++)
    {
      /* Rounded x makes ties, including at neighbourhood boundaries. */
      x[i] = round (scm_rng_normal (&rng) * 40) / 20.0;
      y[i] = sin (x[i]) + 0.2 * scm_rng_normal (&rng);
    }
  const double spans[] = { 0.1, 0.3, 0.75, 1.5 };
  for (int deg = 0; deg <= 2; deg++)
    for (gsize s = 0; s < G_N_ELEMENTS (spans); s++)
      {
        g_assert_true (scm_loess_fit (x, y, n, spans[s], deg, a, NULL));
        g_assert_true (scm_loess_fit_naive (x, y, n, spans[s], deg, b, NULL));
        double md = 0;
        for (gint64 i = 0; i < n; i++)
          md = MAX (md, fabs (a[i] - b[i]));
        if (g_test_verbose ())
          g_test_message ("degree %d span %g: max |fast - naive| = %.3g", deg, spans[s], md);
        g_assert_cmpfloat (md, <, 1e-9);
      }
  /* Tiny and fully tied inputs: finite fits, no endless k-d splitting. */
  for (gint64 m = 1; m <= 12; m++)
    for (int tied = 0; tied < 2; tied++)
      {
        double tx[12], ty[12], tf[12];
        for (gint64 i = 0; i < m; i++)
          {
            tx[i] = tied ? 2.0 : (double) (i * i % 7);
            ty[i] = (double) i;
          }
        g_assert_true (scm_loess_fit_interpolate (tx, ty, m, 0.3, 2, 0.2, tf, NULL));
        for (gint64 i = 0; i < m; i++)
          g_assert_true (isfinite (tf[i]));
        g_assert_true (scm_loess_fit (tx, ty, m, 0.3, 2, tf, NULL));
        for (gint64 i = 0; i < m; i++)
          g_assert_true (isfinite (tf[i]));
      }
  g_autoptr (GError) err = NULL;
  x[3] = NAN;
  g_assert_false (scm_loess_fit (x, y, n, 0.3, 2, a, &err));
  g_assert_error (err, SCM_ERROR, SCM_ERROR_INVALID);
  g_free (x);
  g_free (y);
  g_free (a);
  g_free (b);
}

static void
test_loess_skmisc (void)
{
  g_autofree char *path = scm_test_fixture_path ("preprocess/loess_1500.tsv");
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GArray *cols[4];
  for (int c = 0; c < 4; c++)
    cols[c] = g_array_new (FALSE, FALSE, sizeof (double));
  for (char **l = lines; *l; l++)
    {
      if (**l == '#' || **l == 0)
        continue;
      g_auto (GStrv) f = g_strsplit (*l, "\t", -1);
      g_assert_cmpint (g_strv_length (f), ==, 4);
      for (int c = 0; c < 4; c++)
        {
          double v = g_ascii_strtod (f[c], NULL);
          g_array_append_val (cols[c], v);
        }
    }
  gint64 n = cols[0]->len;
  g_assert_cmpint (n, ==, 1500);
  const double *x = (double *) cols[0]->data, *y = (double *) cols[1]->data;
  g_autofree double *fd = g_new (double, n), *fi = g_new (double, n);
  g_assert_true (scm_loess_fit (x, y, n, 0.3, 2, fd, NULL));
  g_assert_true (scm_loess_fit_interpolate (x, y, n, 0.3, 2, 0.2, fi, NULL));
  double ed = 0, ei = 0;
  for (gint64 i = 0; i < n; i++)
    {
      ed = MAX (ed, fabs (fd[i] - ((double *) cols[2]->data)[i]));
      ei = MAX (ei, fabs (fi[i] - ((double *) cols[3]->data)[i]));
    }
  g_test_message ("loess vs skmisc: direct max err %.3g, interpolate max err %.3g", ed, ei);
  g_assert_cmpfloat (ed, <, 1e-9);
  g_assert_cmpfloat (ei, <, 1e-9);
  for (int c = 0; c < 4; c++)
    g_array_unref (cols[c]);
}

static void
test_hvg_planted (void)
{
  gint64 n = 400, g = 300, planted = 10;
  g_autofree float *d = synth_counts (n, g, 11, planted);
  ScmCsr X;
  csr_from_dense (&X, d, n, g);
  for (int fl = 0; fl < 2; fl++)
    {
      ScmHvgOptions o;
      scm_hvg_options_init (&o);
      o.n_top = 20;
      o.flavor = fl == 0 ? SCM_HVG_SEURAT_V3 : SCM_HVG_SEURAT;
      ScmCsr L = { 0 };
      const ScmCsr *in = &X;
      if (o.flavor == SCM_HVG_SEURAT)
        {
          g_assert_true (scm_normalize_log1p (&L, &X, 1e4, NULL));
          in = &L;
        }
      ScmHvgResult r;
      g_autoptr (GError) err = NULL;
      g_assert_true (scm_hvg_select (in, &o, &r, &err));
      g_assert_no_error (err);
      g_assert_cmpint (r.n_selected, >=, 20);
      gint64 found = 0;
      for (gint64 j = 0; j < planted; j++)
        found += r.highly_variable[j];
      g_test_message ("%s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " planted genes selected",
                      scm_hvg_flavor_name (o.flavor), found, planted);
      /* Dispersion z-scores within mean bins are the blunter tool (the planted
       * genes share bins with each other); its exact behaviour is pinned by
       * the pbmc3k parity test. */
      g_assert_cmpint (found, >=, o.flavor == SCM_HVG_SEURAT_V3 ? planted - 1 : planted / 3);
      /* Ranks are a permutation of 0..n_selected-1 on selected genes. */
      if (o.flavor == SCM_HVG_SEURAT_V3)
        {
          g_autofree guint8 *seen = g_new0 (guint8, r.n_selected);
          for (gint64 j = 0; j < g; j++)
            if (r.highly_variable[j])
              {
                g_assert_cmpint (r.rank[j], >=, 0);
                g_assert_cmpint (r.rank[j], <, r.n_selected);
                g_assert_false (seen[r.rank[j]]);
                seen[r.rank[j]] = 1;
              }
            else
              g_assert_cmpint (r.rank[j], ==, -1);
        }
      scm_hvg_result_clear (&r);
      scm_csr_clear (&L);
    }
  scm_csr_clear (&X);
}

static ScmDataset *
synth_dataset (gint64 n, gint64 g, gint64 p)
{
  ScmDataset *ds = scm_dataset_new ();
  ds->n_cells = n;
  g_strfreev (ds->barcodes);
  ds->barcodes = g_new0 (char *, n + 1);
  for (gint64 i = 0; i < n; i++)
    ds->barcodes[i] = g_strdup_printf ("CELL%04" G_GINT64_FORMAT "-1", i);
  g_autofree float *d = synth_counts (n, g, 3, 8);
  /* Cell 5 has no counts at all. */
  memset (d + 5 * g, 0, (gsize) g * sizeof (float));
  ds->rna = scm_modality_new (SCM_MODALITY_RNA);
  csr_from_dense (&ds->rna->X, d, n, g);
  ds->rna->names = g_new0 (char *, g + 1);
  ds->rna->ids = g_new0 (char *, g + 1);
  for (gint64 j = 0; j < g; j++)
    {
      ds->rna->names[j] = j == g - 1 ? g_strdup ("MT-CO1") : g_strdup_printf ("GENE%" G_GINT64_FORMAT, j);
      ds->rna->ids[j] = g_strdup_printf ("ENSG%011" G_GINT64_FORMAT, j);
    }
  ds->rna->is_counts = TRUE;
  ds->rna->source = g_strdup ("X");
  if (p > 0)
    {
      g_autofree float *a = synth_counts (n, p, 5, 0);
      for (gint64 i = 0; i < n * p; i++)
        a[i] = a[i] * 30 + 1;
      ds->adt = scm_modality_new (SCM_MODALITY_ADT);
      csr_from_dense (&ds->adt->X, a, n, p);
      ds->adt->names = g_new0 (char *, p + 1);
      for (gint64 j = 0; j < p; j++)
        ds->adt->names[j] = g_strdup_printf ("CD%" G_GINT64_FORMAT, j + 1);
      ds->adt->is_counts = TRUE;
    }
  const char *labels[] = { "B", "T" };
  const char **lab = g_new (const char *, n);
  for (gint64 i = 0; i < n; i++)
    lab[i] = labels[i % 2];
  scm_dataset_set_obs (ds, scm_column_new_from_labels ("cell_type", n, lab));
  g_free (lab);
  return ds;
}

static void
test_run_synthetic (void)
{
  g_autoptr (ScmDataset) ds = synth_dataset (300, 250, 6);
  gint64 nnz_before = scm_csr_nnz (&ds->rna->X);
  ScmPreprocessOptions o;
  scm_preprocess_options_init (&o);
  o.hvg.n_top = 50;
  o.qc = SCM_QC_ALWAYS;
  o.filter.min_genes = 10;
  ScmPreprocessReport rep;
  g_autoptr (GError) err = NULL;
  g_autoptr (ScmDataset) out = scm_preprocess_run (ds, &o, &rep, &err);
  g_assert_no_error (err);
  g_assert_nonnull (out);
  /* Input untouched. */
  g_assert_cmpint (scm_csr_nnz (&ds->rna->X), ==, nnz_before);
  g_assert_true (ds->rna->is_counts);
  g_assert_cmpint (rep.qc.n_cells_zero, ==, 1);
  g_assert_false (rep.kept_cells[5]);
  g_assert_cmpint (out->n_cells, ==, rep.qc.n_cells_kept);
  g_assert_cmpint (out->rna->X.n_cols, ==, 50);
  g_assert_cmpint (g_strv_length (out->rna->names), ==, 50);
  g_assert_false (out->rna->is_counts);
  g_assert_nonnull (scm_dataset_get_obsm (out, "protein_clr"));
  g_assert_nonnull (scm_dataset_get_obs (out, "pct_counts_mt"));
  g_assert_nonnull (scm_dataset_get_obs (out, "cell_type"));
  g_assert_nonnull (scm_uns_get (out->uns, "preprocess"));
  g_assert_cmpstr (out->barcodes[5], ==, "CELL0006-1");
  g_autofree char *txt = scm_preprocess_report_describe (&rep, &o);
  g_assert_nonnull (strstr (txt, "HVG: 50 genes"));
  scm_preprocess_report_clear (&rep);

  ScmModelInputs mi;
  g_assert_true (scm_preprocess_model_inputs (ds, &o, &mi, NULL, &err));
  g_assert_cmpint (mi.n_cells, ==, out->n_cells);
  g_assert_cmpint (mi.n_genes, ==, 50);
  g_assert_cmpint (mi.n_proteins, ==, 6);
  g_assert_cmpstr (mi.gene_names[0], ==, out->rna->names[0]);
  /* Dense RNA equals the CSR values; CLR equals obsm. */
  g_autofree float *dense = scm_csr_to_dense (&out->rna->X, NULL);
  g_assert_cmpmem (mi.rna, mi.n_cells * mi.n_genes * sizeof (float), dense,
                   mi.n_cells * mi.n_genes * sizeof (float));
  ScmMatrix *clr = scm_dataset_get_obsm (out, "protein_clr");
  g_assert_cmpmem (mi.adt, mi.n_cells * 6 * sizeof (float), clr->data, mi.n_cells * 6 * sizeof (float));
  scm_model_inputs_clear (&mi);
}

static void
test_run_panel_and_errors (void)
{
  g_autoptr (ScmDataset) ds = synth_dataset (120, 80, 0);
  ScmPreprocessOptions o;
  scm_preprocess_options_init (&o);   /* n_top 4000 >= 80 genes: a panel */
  ScmPreprocessReport rep;
  g_autoptr (GError) err = NULL;
  g_autoptr (ScmDataset) out = scm_preprocess_run (ds, &o, &rep, &err);
  g_assert_no_error (err);
  g_assert_false (rep.cell_filters_applied);
  g_assert_nonnull (rep.qc_note);
  g_assert_cmpint (out->n_cells, ==, 119);   /* only the zero-count cell */
  g_assert_cmpint (out->rna->X.n_cols, ==, rep.qc.n_genes_kept);
  scm_preprocess_report_clear (&rep);

  /* Normalised input is refused with a clear error. */
  ds->rna->is_counts = FALSE;
  g_autoptr (ScmDataset) bad = scm_preprocess_run (ds, &o, NULL, &err);
  g_assert_null (bad);
  g_assert_error (err, SCM_ERROR, SCM_ERROR_INVALID);
  g_assert_nonnull (strstr (err->message, "raw counts"));
  g_clear_error (&err);
  ds->rna->is_counts = TRUE;
  /* Filters that remove every cell. */
  o.qc = SCM_QC_ALWAYS;
  o.filter.min_genes = 100000;
  g_assert_null (scm_preprocess_run (ds, &o, NULL, &err));
  g_assert_error (err, SCM_ERROR, SCM_ERROR_INVALID);
}

static void
test_run_protein_only (void)
{
  g_autoptr (ScmDataset) ds = synth_dataset (50, 20, 4);
  g_clear_pointer (&ds->rna, scm_modality_free);
  ScmPreprocessReport rep;
  g_autoptr (GError) err = NULL;
  g_autoptr (ScmDataset) out = scm_preprocess_run (ds, NULL, &rep, &err);
  g_assert_no_error (err);
  g_assert_null (out->rna);
  g_assert_cmpint (out->n_cells, ==, 50);
  ScmMatrix *clr = scm_dataset_get_obsm (out, "protein_clr");
  g_assert_nonnull (clr);
  g_autofree float *ref = g_new (float, 50 * 4);
  scm_clr_csr (&ds->adt->X, ref);
  g_assert_cmpmem (clr->data, 50 * 4 * sizeof (float), ref, 50 * 4 * sizeof (float));
  g_autofree char *txt = scm_preprocess_report_describe (&rep, &(ScmPreprocessOptions) { .clr_proteins = TRUE });
  g_assert_nonnull (strstr (txt, "RNA matrix: none"));
  g_assert_nonnull (strstr (txt, "CLR per protein"));
  scm_preprocess_report_clear (&rep);
  /* Proteins that are not counts are not CLR-transformed again. */
  ds->adt->is_counts = FALSE;
  g_autoptr (ScmDataset) out2 = scm_preprocess_run (ds, NULL, &rep, &err);
  g_assert_no_error (err);
  g_assert_null (scm_dataset_get_obsm (out2, "protein_clr"));
  g_autofree char *txt2 = scm_preprocess_report_describe (&rep, &(ScmPreprocessOptions) { .clr_proteins = TRUE });
  g_assert_nonnull (strstr (txt2, "left as they are"));
  scm_preprocess_report_clear (&rep);
  ds->adt->is_counts = TRUE;
  ScmModelInputs mi;
  g_assert_true (scm_preprocess_model_inputs (ds, NULL, &mi, NULL, &err));
  g_assert_cmpint (mi.n_genes, ==, 0);
  g_assert_null (mi.rna);
  g_assert_cmpint (mi.n_proteins, ==, 4);
  g_assert_cmpmem (mi.adt, 50 * 4 * sizeof (float), ref, 50 * 4 * sizeof (float));
  scm_model_inputs_clear (&mi);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/preprocess/qc/metrics", test_qc_metrics);
  g_test_add_func ("/preprocess/qc/filter", test_qc_filter);
  g_test_add_func ("/preprocess/normalize/log1p", test_normalize);
  g_test_add_func ("/preprocess/normalize/select-vs-unfused", test_normalize_select);
  g_test_add_func ("/preprocess/clr/definition", test_clr);
  g_test_add_func ("/preprocess/scale/definition", test_scale);
  g_test_add_func ("/preprocess/loess/fast-vs-naive", test_loess_naive);
  g_test_add_func ("/preprocess/loess/skmisc", test_loess_skmisc);
  g_test_add_func ("/preprocess/hvg/planted", test_hvg_planted);
  g_test_add_func ("/preprocess/run/synthetic", test_run_synthetic);
  g_test_add_func ("/preprocess/run/panel-and-errors", test_run_panel_and_errors);
  g_test_add_func ("/preprocess/run/protein-only", test_run_protein_only);
  return g_test_run ();
}
