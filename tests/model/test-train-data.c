/* test-train-data.c: dataset -> training matrices, splits, gene alignment.
 *
 * Small in-memory datasets only (no files), so these run in milliseconds.
 */
#include "model/scm-presets.h"
#include "model/scm-train-data.h"
#include "scm-error.h"

#include <math.h>
#include <string.h>

/* n cells x genes g0..g{G-1}; counts x[i][j] = (i + j) % 5, labels cycle. */
static ScmDataset *
make_dataset (gint64 n, gint64 G, const char *prefix, gboolean with_adt)
{
  ScmDataset *ds = scm_dataset_new ();
  ds->n_cells = n;
  ds->rna = scm_modality_new (SCM_MODALITY_RNA);
  ds->rna->is_counts = TRUE;
  g_assert_true (scm_csr_alloc (&ds->rna->X, n, G, n * G, NULL));
  gint64 k = 0;
  for (gint64 i = 0; i < n; i++)
    {
      for (gint64 j = 0; j < G; j++)
        {
          int v = (int) ((i + j) % 5);
          if (v == 0)
            continue;
          ds->rna->X.indices[k] = (gint32) j;
          ds->rna->X.data[k++] = (float) v;
        }
      ds->rna->X.indptr[i + 1] = k;
    }
  ds->rna->names = g_new0 (char *, G + 1);
  for (gint64 j = 0; j < G; j++)
    ds->rna->names[j] = g_strdup_printf ("%s%" G_GINT64_FORMAT, prefix, j);
  if (with_adt)
    {
      ds->adt = scm_modality_new (SCM_MODALITY_ADT);
      ds->adt->is_counts = TRUE;
      g_assert_true (scm_csr_alloc (&ds->adt->X, n, 2, 2 * n, NULL));
      for (gint64 i = 0; i < n; i++)
        {
          ds->adt->X.indices[2 * i] = 0;
          ds->adt->X.indices[2 * i + 1] = 1;
          ds->adt->X.data[2 * i] = (float) (i % 7);
          ds->adt->X.data[2 * i + 1] = (float) (10 + i % 3);
          ds->adt->X.indptr[i + 1] = 2 * i + 2;
        }
      ds->adt->names = g_strsplit ("CD3 CD4", " ", -1);
    }
  const char *names[] = { "T", "B", "NK" };
  const char **labels = g_new0 (const char *, n);
  for (gint64 i = 0; i < n; i++)
    labels[i] = i % 10 == 9 ? NULL : names[i % 3];
  scm_dataset_set_obs (ds, scm_column_new_from_labels ("cell_type", n, labels));
  g_free (labels);
  return ds;
}

static void
test_split_stratified (void)
{
  const gint64 n = 1000;
  gint32 *labels = g_new (gint32, n);
  for (gint64 i = 0; i < n; i++)
    labels[i] = i < 600 ? 0 : i < 900 ? 1 : i < 990 ? 2 : (i < 995 ? -1 : 3);
  guint8 *a = g_new (guint8, n), *b = g_new (guint8, n), *c = g_new (guint8, n);
  scm_split_stratified (labels, n, 4, 0.3, 7, a);
  scm_split_stratified (labels, n, 4, 0.3, 7, b);
  scm_split_stratified (labels, n, 4, 0.3, 8, c);
  g_assert_cmpmem (a, n, b, n);                 /* deterministic for a seed */
  g_assert_true (memcmp (a, c, n) != 0);        /* and depends on it */
  gint64 tr[4] = { 0 }, ho[4] = { 0 }, ex = 0;
  for (gint64 i = 0; i < n; i++)
    {
      if (labels[i] < 0)
        {
          g_assert_cmpint (a[i], ==, SCM_SPLIT_EXCLUDED);
          ex++;
          continue;
        }
      if (a[i] == SCM_SPLIT_TRAIN)
        tr[labels[i]]++;
      else
        {
          g_assert_cmpint (a[i], ==, SCM_SPLIT_HELDOUT);
          ho[labels[i]]++;
        }
    }
  g_assert_cmpint (ex, ==, 5);
  g_assert_cmpint (tr[0], ==, 180);
  g_assert_cmpint (tr[1], ==, 90);
  g_assert_cmpint (tr[2], ==, 27);
  g_assert_cmpint (tr[3], ==, 2);   /* round(0.3 * 5) = 2 */
  g_assert_cmpint (ho[3], ==, 3);
  /* a single-cell class still gets one labelled cell; a two-cell class keeps one held out */
  gint32 l2[3] = { 0, 1, 1 };
  guint8 r2[3];
  scm_split_stratified (l2, 3, 2, 0.9, 1, r2);
  g_assert_cmpint (r2[0], ==, SCM_SPLIT_TRAIN);
  g_assert_cmpint ((r2[1] == SCM_SPLIT_TRAIN) + (r2[2] == SCM_SPLIT_TRAIN), ==, 1);
  g_free (labels);
  g_free (a);
  g_free (b);
  g_free (c);
}

static void
test_split_random (void)
{
  guint8 v[100], w[100];
  scm_split_random (100, 0.1, 3, v);
  scm_split_random (100, 0.1, 3, w);
  g_assert_cmpmem (v, 100, w, 100);
  int k = 0;
  for (int i = 0; i < 100; i++)
    k += v[i];
  g_assert_cmpint (k, ==, 10);
}

static void
test_align_report (void)
{
  const char *have[] = { "CD3E", "ms4a1", "NKG7", "CD3E", NULL };
  const char *want[] = { "MS4A1", "CD3E", "XIST", "NKG7", NULL };
  gint64 map[4];
  ScmAlignReport r = { 0 };
  scm_align_features (have, 4, want, 4, map, &r);
  g_assert_cmpint (map[0], ==, 1);   /* case-insensitive */
  g_assert_cmpint (map[1], ==, 0);   /* first of a duplicated name */
  g_assert_cmpint (map[2], ==, -1);
  g_assert_cmpint (map[3], ==, 2);
  g_assert_cmpint (r.n_found, ==, 3);
  g_assert_cmpint (r.n_found_nocase, ==, 1);
  g_assert_cmpint (r.n_missing, ==, 1);
  g_assert_cmpstr (r.missing_examples[0], ==, "XIST");
  g_autofree char *desc = scm_align_report_describe (&r, "genes");
  g_assert_nonnull (strstr (desc, "3 of 4 genes found"));
  g_assert_nonnull (strstr (desc, "XIST"));
  scm_align_report_clear (&r);
}

static void
test_from_dataset (void)
{
  g_autoptr (ScmDataset) ds = make_dataset (50, 30, "g", TRUE);
  ScmTrainDataOptions o = { 0 };
  o.need_rna = o.need_adt = TRUE;
  o.n_genes = 25;
  o.tok_dim = 4;               /* -> 24 genes, the most variable ones */
  o.label_column = "cell_type";
  ScmAlignReport gr = { 0 }, pr = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmTrainData) d = scm_train_data_from_dataset (ds, &o, &gr, &pr, &error);
  g_assert_no_error (error);
  g_assert_cmpint (d->n_genes, ==, 24);
  g_assert_cmpint (d->n_adt, ==, 2);
  g_assert_cmpint (d->n_classes, ==, 3);
  g_assert_cmpstr (d->classes[0], ==, "B");     /* category order (sorted) */
  g_assert_cmpint (d->n_labelled, ==, 45);
  g_assert_cmpint (d->labels[9], ==, -1);
  g_assert_cmpint (d->labels[0], ==, 2);        /* "T" */
  /* log-normalisation of cell 0, gene g1: count 1, total = sum_j (j % 5) over 30 genes */
  gint64 j1 = -1;
  for (gint64 j = 0; j < d->n_genes; j++)
    if (strcmp (d->genes[j], "g1") == 0)
      j1 = j;
  g_assert_cmpint (j1, >=, 0);
  double total = 0;
  for (int j = 0; j < 30; j++)
    total += j % 5;
  g_assert_cmpfloat_with_epsilon (d->rna[j1], log1p (1e4 / total), 1e-5);
  /* CLR: each protein's column of log1p(x / g) has mean log... check one value */
  double s = 0;
  for (int i = 0; i < 50; i++)
    s += log1p (i % 7);
  double g = exp (s / 50);
  g_assert_cmpfloat_with_epsilon (d->adt[3 * 2], log1p (3 / g), 1e-5);
  scm_align_report_clear (&gr);
  scm_align_report_clear (&pr);
}

static void
test_transfer_alignment (void)
{
  /* model genes g0..g19; the file has g0..g11 plus others: 60% overlap, ok */
  g_autoptr (ScmDataset) ds = make_dataset (20, 12, "g", FALSE);
  char **model_genes = g_new0 (char *, 21);
  for (int j = 0; j < 20; j++)
    model_genes[j] = g_strdup_printf ("G%d", j);    /* upper case: case-insensitive match */
  ScmTrainDataOptions o = { 0 };
  o.need_rna = TRUE;
  o.genes = (const char *const *) model_genes;
  ScmAlignReport gr = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmTrainData) d = scm_train_data_from_dataset (ds, &o, &gr, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gr.n_found, ==, 12);
  g_assert_cmpint (gr.n_missing, ==, 8);
  g_assert_cmpint (d->n_genes, ==, 20);
  for (int i = 0; i < 20; i++)
    for (int j = 12; j < 20; j++)
      g_assert_cmpfloat (d->rna[i * 20 + j], ==, 0.0f);   /* zero-filled */
  scm_align_report_clear (&gr);

  /* below 50%: a clear error naming the file and the numbers */
  g_autoptr (ScmDataset) small = make_dataset (20, 9, "g", FALSE);
  small->path = g_strdup ("pbmc3k.h5ad");
  g_autoptr (ScmTrainData) d2 = scm_train_data_from_dataset (small, &o, NULL, NULL, &error);
  g_assert_null (d2);
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "pbmc3k.h5ad"));
  g_assert_nonnull (strstr (error->message, "9 of the model's 20 genes"));
  g_strfreev (model_genes);
}

static void
test_missing_inputs (void)
{
  g_autoptr (ScmDataset) ds = make_dataset (10, 8, "g", FALSE);
  ScmTrainDataOptions o = { 0 };
  o.need_rna = o.need_adt = TRUE;
  g_autoptr (GError) error = NULL;
  g_assert_null (scm_train_data_from_dataset (ds, &o, NULL, NULL, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  o.need_adt = FALSE;
  o.label_column = "nope";
  g_assert_null (scm_train_data_from_dataset (ds, &o, NULL, NULL, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "cell_type"));   /* lists the columns */
}

static void
test_presets (void)
{
  ScmTrainPreset p;
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_preset_lookup ("paper", &p, &error));
  ScmModelConfig c;
  scm_preset_make_config (&p, 4000, 14, 8, &c);
  g_assert_cmpint (c.rna_tokens, ==, 400);
  g_assert_cmpint (c.adt_tokens, ==, 14);
  g_assert_cmpint (c.dim, ==, 128);
  g_assert_cmpint (c.enc_depth, ==, 6);
  g_assert_cmpint (c.dec_depth, ==, 4);
  g_assert_false (c.qkv_bias);
  g_assert_cmpfloat (p.lr, ==, 5e-4 * 128 / 256);
  /* the original's LambdaLR: warm-up over 10 epochs, then the cosine */
  g_assert_cmpfloat_with_epsilon (scm_preset_lr_factor (&p, 0), 0.1, 1e-8);
  g_assert_cmpfloat_with_epsilon (scm_preset_lr_factor (&p, 4), 0.5, 1e-8);
  g_assert_cmpfloat_with_epsilon (scm_preset_lr_factor (&p, 20),
                                  0.5 * (cos (G_PI * 20 / 500) + 1), 1e-12);
  g_assert_true (scm_preset_lookup ("desktop", &p, &error));
  scm_preset_make_config (&p, 4000, 14, 8, &c);
  g_assert_cmpint (c.rna_tokens, ==, 100);
  g_assert_cmpint (c.dim, ==, 64);
  g_assert_false (scm_preset_lookup ("huge", &p, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "desktop"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/train-data/split-stratified", test_split_stratified);
  g_test_add_func ("/model/train-data/split-random", test_split_random);
  g_test_add_func ("/model/train-data/align-report", test_align_report);
  g_test_add_func ("/model/train-data/from-dataset", test_from_dataset);
  g_test_add_func ("/model/train-data/transfer-alignment", test_transfer_alignment);
  g_test_add_func ("/model/train-data/missing-inputs", test_missing_inputs);
  g_test_add_func ("/model/presets/lookup-and-schedule", test_presets);
  return g_test_run ();
}
