/* test-document.c: ScmDocument state, signals and stale-result dropping. */
#include <glib.h>

#include "scm-analysis-runner.h"
#include "scm-document.h"

static ScmDataset *
make_dataset (gint64 n)
{
  ScmDataset *ds = scm_dataset_new ();
  const char *labels[] = { "B", "T", "T", "NK", NULL, "B", "T", "NK" };
  const char *lab[8];

  g_assert_cmpint (n, <=, 8);
  for (gint64 i = 0; i < n; i++)
    lab[i] = labels[i];
  ds->n_cells = n;
  ds->path = g_strdup ("/tmp/some/cells.h5ad");
  ds->format = g_strdup ("h5ad");
  scm_dataset_set_obs (ds, scm_column_new_from_labels ("cell_type", n, lab));
  scm_dataset_set_obs (ds, scm_column_new_numeric ("n_counts", n, g_new0 (double, n)));
  return ds;
}

static void
count_changes (ScmDocument *doc, guint what, guint *acc)
{
  acc[0]++;
  acc[1] |= what;
}

static void
test_empty (void)
{
  g_autoptr(ScmDocument) doc = scm_document_new ();
  g_auto(GStrv) cols = scm_document_list_label_columns (doc);

  g_assert_false (scm_document_has_dataset (doc));
  g_assert_cmpint (scm_document_get_n_cells (doc), ==, 0);
  g_assert_null (scm_document_get_title (doc));
  g_assert_cmpuint (g_strv_length (cols), ==, 0);
  g_assert_null (scm_document_get_umap (doc, NULL));
  /* Setters without a dataset refuse. */
  g_assert_false (scm_document_set_umap (doc, 0, (float[]) { 0, 0 }, 1, NULL));
}

static void
test_dataset (void)
{
  g_autoptr(ScmDocument) doc = scm_document_new ();
  g_autoptr(ScmDataset) ds = make_dataset (6);
  guint acc[2] = { 0, 0 };
  guint64 gen0 = scm_document_get_generation (doc);
  g_auto(GStrv) cols = NULL;

  g_signal_connect (doc, "changed", G_CALLBACK (count_changes), acc);
  scm_document_set_dataset (doc, ds);
  g_assert_cmpuint (acc[0], ==, 1);
  g_assert_true (acc[1] & SCM_DOCUMENT_CHANGE_DATASET);
  g_assert_cmpuint (scm_document_get_generation (doc), >, gen0);
  g_assert_cmpint (scm_document_get_n_cells (doc), ==, 6);
  g_assert_cmpstr (scm_document_get_title (doc), ==, "cells.h5ad");
  g_assert_cmpstr (scm_document_get_format (doc), ==, "h5ad");

  /* Only categorical columns are label columns. */
  cols = scm_document_list_label_columns (doc);
  g_assert_cmpuint (g_strv_length (cols), ==, 1);
  g_assert_cmpstr (cols[0], ==, "cell_type");
  g_assert_nonnull (scm_document_get_label_column (doc, "cell_type"));

  scm_document_set_title (doc, "Demo");
  g_assert_cmpstr (scm_document_get_title (doc), ==, "Demo");

  scm_document_set_dataset (doc, NULL);
  g_assert_false (scm_document_has_dataset (doc));
  g_assert_cmpuint (acc[0], ==, 2);
}

static void
test_generations (void)
{
  g_autoptr(ScmDocument) doc = scm_document_new ();
  g_autoptr(ScmDataset) ds = make_dataset (4);
  float xy[8] = { 0, 0, 1, 1, 2, 2, 3, 3 };
  gint32 codes[4] = { 0, 1, 1, 0 };
  ScmMatrix *m;
  guint64 gen_load, gen_rep;
  const ScmColumn *leiden;
  guint k = 0;
  double res = 0;
  gint64 n = 0;

  scm_document_set_dataset (doc, ds);
  gen_load = scm_document_get_generation (doc);

  m = scm_matrix_new ("X_pca", 4, 3, NULL);
  g_assert_true (scm_document_set_representation (doc, gen_load, m));
  gen_rep = scm_document_get_generation (doc);
  g_assert_cmpuint (gen_rep, !=, gen_load);
  g_assert_cmpstr (scm_document_get_representation_name (doc), ==, "X_pca");

  /* A UMAP computed against the dataset-only generation is stale now. */
  g_assert_false (scm_document_set_umap (doc, gen_load, xy, 4, NULL));
  g_assert_null (scm_document_get_umap (doc, NULL));
  g_assert_true (scm_document_set_umap (doc, gen_rep, xy, 4, NULL));
  g_assert_nonnull (scm_document_get_umap (doc, &n));
  g_assert_cmpint (n, ==, 4);
  g_assert_null (scm_document_get_umap_record (doc));
  /* with how it was made: a copy, kept with the coordinates */
  ScmUmapRecord rec;
  scm_umap_record_init (&rec, NULL, 15);
  rec.n_threads = 3;
  g_assert_true (scm_document_set_umap (doc, gen_rep, xy, 4, &rec));
  rec.n_threads = 0;
  g_assert_nonnull (scm_document_get_umap_record (doc));
  g_assert_cmpint (scm_document_get_umap_record (doc)->n_threads, ==, 3);
  g_assert_cmpint (scm_document_get_umap_record (doc)->n_neighbors, ==, 15);
  /* Wrong size is refused. */
  g_assert_false (scm_document_set_umap (doc, gen_rep, xy, 3, NULL));

  g_assert_true (scm_document_set_clusters (doc, gen_rep, codes, 4, 2, 0.8));
  g_assert_nonnull (scm_document_get_clusters (doc, NULL, &k, &res));
  g_assert_cmpuint (k, ==, 2);
  g_assert_cmpfloat (res, ==, 0.8);
  leiden = scm_document_get_label_column (doc, "leiden");
  g_assert_nonnull (leiden);
  g_assert_cmpuint (leiden->n_categories, ==, 2);
  g_assert_cmpint (leiden->codes[2], ==, 1);

  /* The clustering graph: generation-checked like the rest. */
  {
    float pts[8] = { 0, 0, 0, 1, 5, 5, 5, 6 };
    ScmKnnOptions ko;
    ScmKnn knn = { 0 };
    ScmNeighborGraph *g;

    scm_knn_options_init (&ko);
    ko.k = 3;
    g_assert_true (scm_knn_compute (pts, 4, 2, &ko, &knn, NULL));
    g = scm_neighbor_graph_build (&knn, 3, &ko, "X_pca", NULL);
    g_assert_nonnull (g);
    g_assert_cmpint (g->knn.n, ==, 4);
    g_assert_cmpint (g->knn.k, ==, 3);
    g_assert_cmpint (g->graph.n, ==, 4);
    g_assert_cmpstr (g->use_rep, ==, "X_pca");
    g_assert_cmpstr (g->knn_method, ==, "exact");
    g_assert_false (scm_document_set_neighbors (doc, gen_load, scm_neighbor_graph_ref (g)));
    g_assert_null (scm_document_get_neighbors (doc));
    g_assert_true (scm_document_set_neighbors (doc, gen_rep, g));
    g_assert_true (scm_document_get_neighbors (doc) == g);
    /* Clusters at another resolution keep the graph. */
    g_assert_true (scm_document_set_clusters (doc, gen_rep, codes, 4, 2, 0.8));
    g_assert_true (scm_document_get_neighbors (doc) == g);
    scm_knn_clear (&knn);
  }

  /* A new representation (training finished) invalidates UMAP/clusters. */
  m = scm_matrix_new ("X_scmmae", 4, 2, NULL);
  g_assert_true (scm_document_set_representation (doc, 0, m));
  g_assert_cmpstr (scm_document_get_representation_name (doc), ==, "X_scmmae");
  g_assert_null (scm_document_get_umap (doc, NULL));
  g_assert_null (scm_document_get_clusters (doc, NULL, NULL, NULL));
  g_assert_null (scm_document_get_label_column (doc, "leiden"));
  g_assert_null (scm_document_get_neighbors (doc));

  /* Wrong row count: refused and freed. */
  m = scm_matrix_new ("X_bad", 5, 2, NULL);
  g_assert_false (scm_document_set_representation (doc, 0, m));
  g_assert_cmpstr (scm_document_get_representation_name (doc), ==, "X_scmmae");
}

static void
test_label_columns (void)
{
  g_autoptr(ScmDocument) doc = scm_document_new ();
  g_autoptr(ScmDataset) ds = make_dataset (3);
  const char *pred[] = { "T", "T", "B" };
  const char *bad[] = { "T", "T" };
  g_auto(GStrv) cols = NULL;

  scm_document_set_dataset (doc, ds);
  g_assert_true (scm_document_set_label_column (doc,
                   scm_column_new_from_labels ("scmmae_prediction", 3, pred)));
  g_assert_false (scm_document_set_label_column (doc,
                    scm_column_new_from_labels ("short", 2, bad)));
  cols = scm_document_list_label_columns (doc);
  g_assert_cmpuint (g_strv_length (cols), ==, 2);
  g_assert_cmpstr (cols[1], ==, "scmmae_prediction");
  g_assert_true (scm_document_remove_label_column (doc, "scmmae_prediction"));
  g_assert_false (scm_document_remove_label_column (doc, "scmmae_prediction"));
}

static void
count_notify (GObject *obj, GParamSpec *pspec, guint *n)
{
  (*n)++;
}

static void
test_status (void)
{
  g_autoptr(ScmDocument) doc = scm_document_new ();
  guint n = 0;

  g_signal_connect (doc, "notify::busy", G_CALLBACK (count_notify), &n);
  scm_document_set_status (doc, TRUE, "Computing");
  g_assert_true (scm_document_get_busy (doc));
  g_assert_cmpstr (scm_document_get_status_text (doc), ==, "Computing");
  scm_document_set_status (doc, TRUE, "Still");
  g_assert_cmpuint (n, ==, 1);
  scm_document_set_status (doc, FALSE, NULL);
  g_assert_cmpuint (n, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/document/empty", test_empty);
  g_test_add_func ("/app/document/dataset", test_dataset);
  g_test_add_func ("/app/document/generations", test_generations);
  g_test_add_func ("/app/document/label-columns", test_label_columns);
  g_test_add_func ("/app/document/status", test_status);
  return g_test_run ();
}
