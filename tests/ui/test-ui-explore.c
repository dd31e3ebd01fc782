/* test-ui-explore.c: the Explore page on pbmc10k under a display: colour by
 * CD8A (and check the biology: CD8 T cells express it), by clusters and
 * cell types, the marker grid, protein gating linked to the embedding,
 * lasso selection; screenshots of each view. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "io/scm-io.h"
#include "scm-annotate-page.h"
#include "scm-explore-page.h"
#include "scm-markers-page.h"
#include "scm-test-util.h"
#include "scm-explore-state.h"
#include "scm-lasso.h"
#include "test-ui-explore-common.h"

static gboolean
features_ready (gpointer data)
{
  return scm_explore_state_get_features (data) != NULL;
}

static void
test_explore (void)
{
  g_autoptr (ScmDataset) ds = ui_fixture_dataset ();
  if (!ds)
    return;
  ScmDocument *doc = ui_fixture_document (ds);
  ScmExplorePage *page = scm_explore_page_new ();
  GtkWindow *win = ui_window_with (GTK_WIDGET (page), 1400, 900);
  scm_explore_page_set_document (page, doc);
  ScmExploreState *state = scm_explore_state_get (doc);
  g_assert_true (ui_wait_until (features_ready, state, 60));
  ui_spin (0.5);

  /* Default colouring: the Leiden clusters, with a legend. */
  ScmScatterModel *m = scm_explore_page_get_model (page);
  g_assert_cmpint (scm_scatter_model_get_n_points (m), ==, ds->n_cells);
  g_assert_cmpint (scm_scatter_model_get_color_mode (m), ==, SCM_SCATTER_COLOR_CATEGORICAL);
  g_assert_cmpstr (scm_scatter_model_get_title (m), ==, "leiden");
  g_free (ui_screenshot (GTK_WIDGET (win), "explore-leiden"));

  /* Cell types from the file (BREMSC truth). */
  g_assert_true (scm_explore_page_color_by (page, "cell_type"));
  ui_spin (0.3);
  g_free (ui_screenshot (GTK_WIDGET (win), "explore-cell-type"));

  /* Colour by CD8A: cells labelled CD8+ T must be far brighter than the rest. */
  g_assert_true (scm_explore_page_color_by (page, "CD8A"));
  g_assert_cmpint (scm_scatter_model_get_color_mode (m), ==, SCM_SCATTER_COLOR_CONTINUOUS);
  const ScmColumn *ct = scm_dataset_get_obs (ds, "cell_type");
  g_assert_nonnull (ct);
  double in = 0, out = 0;
  gint64 nin = 0, nout = 0;
  for (gint64 i = 0; i < ds->n_cells; i++)
    {
      g_autofree char *l = scm_column_value_string (ct, i);
      float v = scm_scatter_model_get_point_value (m, i);
      if (g_strcmp0 (l, "CD8+ T cells") == 0)
        in += v, nin++;
      else
        out += v, nout++;
    }
  g_test_message ("mean log CD8A: CD8+ T %.3f (n=%" G_GINT64_FORMAT "), others %.3f", in / nin, nin,
                  out / nout);
  g_assert_cmpint (nin, >, 500);
  g_assert_cmpfloat (in / nin, >, 3 * (out / nout));
  ui_spin (0.3);
  g_free (ui_screenshot (GTK_WIDGET (win), "explore-cd8a"));
  /* The protein too, by its ADT name. */
  g_assert_true (scm_explore_page_color_by (page, "CD8a (protein)"));
  g_assert_false (scm_explore_page_color_by (page, "NOT_A_GENE"));

  /* Marker grid: CD4, CD8A, ITGAM at least, plus proteins. */
  g_assert_cmpuint (scm_explore_page_get_n_grid_tiles (page), >=, 6);
  scm_explore_page_show_view (page, "grid");
  ui_spin (0.5);
  g_free (ui_screenshot (GTK_WIDGET (win), "explore-grid"));

  /* Gating CD3 vs CD19 proteins: a gate around CD19-high cells selects the
   * same cells on the embedding (linked). */
  g_assert_true (scm_explore_page_set_gate_features (page, "CD3 (protein)", "CD19 (protein)"));
  scm_explore_page_show_view (page, "gating");
  ui_spin (0.5);
  const ScmScatterBounds *b = scm_scatter_model_get_bounds (
    scm_scatter_view_get_model (scm_explore_page_get_gate_view (page)));
  float ymid = b->ymin + 0.55f * (b->ymax - b->ymin);
  float xlo = b->xmin, xmid = b->xmin + 0.5f * (b->xmax - b->xmin);
  const float gate[] = { xlo - 1, ymid, xmid, ymid, xmid, b->ymax + 1, xlo - 1, b->ymax + 1 };
  scm_scatter_view_apply_lasso (scm_explore_page_get_gate_view (page), gate, 4);
  gint64 n_sel = 0;
  const guint8 *sel = scm_explore_state_get_selection (state, &n_sel);
  g_test_message ("CD19+ CD3- gate: %" G_GINT64_FORMAT " cells", n_sel);
  g_assert_nonnull (sel);
  gint64 n_model_sel = 0;
  scm_scatter_model_get_selection (m, &n_model_sel);
  g_assert_cmpint (n_model_sel, ==, n_sel);
  /* Biology: the gate holds mostly B cells. */
  gint64 n_b = 0;
  for (gint64 i = 0; i < ds->n_cells; i++)
    if (sel[i])
      {
        g_autofree char *l = scm_column_value_string (ct, i);
        n_b += g_strcmp0 (l, "B cells") == 0;
      }
  g_test_message ("  of which B: %" G_GINT64_FORMAT, n_b);
  g_assert_cmpint (n_sel, >, 200);
  g_assert_cmpfloat ((double) n_b / n_sel, >, 0.7);
  ui_spin (0.3);
  g_free (ui_screenshot (GTK_WIDGET (win), "explore-gating"));

  /* Lasso on the embedding replaces the selection (and the gate outline). */
  scm_explore_page_show_view (page, "embedding");
  g_assert_true (scm_explore_page_color_by (page, "leiden"));
  const ScmScatterBounds *ub = scm_scatter_model_get_bounds (m);
  float cx = 0.5f * (ub->xmin + ub->xmax), cy = 0.5f * (ub->ymin + ub->ymax);
  float rx = 0.25f * (ub->xmax - ub->xmin), ry = 0.25f * (ub->ymax - ub->ymin);
  const float lasso[] = { cx - rx, cy - ry, cx + rx, cy - ry, cx + rx, cy + ry, cx - rx, cy + ry };
  scm_scatter_view_apply_lasso (scm_explore_page_get_view (page), lasso, 4);
  scm_explore_state_get_selection (state, &n_sel);
  gint64 expect = 0;
  const float *xy = scm_scatter_model_get_positions (m);
  for (gint64 i = 0; i < ds->n_cells; i++)
    expect += scm_lasso_contains (lasso, 4, xy[2 * i], xy[2 * i + 1]);
  g_assert_cmpint (n_sel, ==, expect);
  ui_spin (0.3);
  g_free (ui_screenshot (GTK_WIDGET (win), "explore-lasso"));

  /* Hiding a category from the legend path hides its cells. */
  scm_scatter_model_set_category_visible (m, 0, FALSE);
  const guint32 *argb;
  gint64 n_draw;
  scm_scatter_model_get_draw_arrays (m, &argb, &n_draw);
  g_assert_cmpint (n_draw, ==, ds->n_cells - scm_scatter_model_get_category_count (m, 0));

  ui_close_window (win);
  g_assert_finalize_object (doc);
}

static gboolean
not_busy (gpointer page)
{
  return !scm_explore_page_is_busy (page);
}

static void
test_recluster (void)
{
  g_autoptr (ScmDataset) ds = ui_fixture_dataset ();
  if (!ds)
    return;
  ScmDocument *doc = ui_fixture_document (ds);
  ScmExplorePage *page = scm_explore_page_new ();
  GtkWindow *win = ui_window_with (GTK_WIDGET (page), 1000, 700);
  scm_explore_page_set_document (page, doc);
  guint k_before = 0, k_after = 0;
  scm_document_get_clusters (doc, NULL, &k_before, NULL);
  /* The fixture sets clusters without a graph; re-clustering brings one. */
  g_assert_null (scm_document_get_neighbors (doc));
  scm_explore_page_recluster (page, 0.3);
  g_assert_true (scm_explore_page_is_busy (page));
  g_assert_true (ui_wait_until (not_busy, page, 120));
  double res = 0;
  scm_document_get_clusters (doc, NULL, &k_after, &res);
  g_test_message ("Leiden clusters: %u at 1.0, %u at 0.3", k_before, k_after);
  g_assert_cmpfloat (res, ==, 0.3);
  g_assert_cmpuint (k_after, <, k_before);
  ScmNeighborGraph *nb = scm_document_get_neighbors (doc);
  g_assert_nonnull (nb);
  g_assert_cmpint (nb->knn.n, ==, scm_document_get_n_cells (doc));
  g_assert_cmpint (nb->knn.k, ==, 20);
  g_assert_cmpint (nb->graph.n, ==, nb->knn.n);
  g_assert_cmpstr (nb->use_rep, ==, scm_document_get_representation_name (doc));
  /* Another resolution reuses that graph (no new kNN search): same object,
   * and the clusters follow the new resolution. */
  guint k_fine = 0;
  scm_explore_page_recluster (page, 2.0);
  g_assert_true (ui_wait_until (not_busy, page, 120));
  g_assert_true (scm_document_get_neighbors (doc) == nb);
  scm_document_get_clusters (doc, NULL, &k_fine, &res);
  g_assert_cmpfloat (res, ==, 2.0);
  g_assert_cmpuint (k_fine, >, k_after);
  ui_close_window (win);
  g_assert_finalize_object (doc);
}

static gboolean
markers_idle (gpointer page)
{
  return !scm_markers_page_is_busy (page);
}

/* Every other shared dataset (RNA only, protein only, no labels, mouse)
 * through all three pages: no warning may fire (G_DEBUG=fatal-warnings),
 * colouring by a feature and exporting must work whatever is missing. */
static void
test_other_datasets (void)
{
  static const char *const files[] = {
    "pbmc3k/pbmc3k.h5ad", "malt10k_protein_only/malt10k_protein_only.h5ad",
    "eccite_ctrl500/eccite_ctrl500.h5ad", "sln111_split/sln111_d1_protein.h5ad",
    "ifnb_kang_subset2k/ifnb_kang_subset2k.h5ad", NULL,
  };
  for (guint f = 0; files[f]; f++)
    {
      g_autofree char *path = scm_test_shared_path (files[f]);
      if (!path)
        return;
      GError *error = NULL;
      g_autoptr (ScmDataset) ds = scm_dataset_read (path, NULL, &error);
      g_assert_no_error (error);
      gint64 n = ds->n_cells;
      ScmDocument *doc = scm_document_new ();
      scm_document_set_dataset (doc, ds);
      /* Positions and clusters without running the analysis: a spiral and
       * five interleaved groups are enough to drive the pages. */
      float *xy = g_new (float, 2 * n);
      gint32 *cl = g_new (gint32, n);
      for (gint64 i = 0; i < n; i++)
        {
          double a = i * 0.05;
          xy[2 * i] = (float) (a * cos (a));
          xy[2 * i + 1] = (float) (a * sin (a));
          cl[i] = (gint32) (i % 5);
        }
      g_assert_true (scm_document_set_umap (doc, 0, xy, n, NULL));
      g_assert_true (scm_document_set_clusters (doc, 0, cl, n, 5, 1.0));
      GtkWidget *stack = gtk_stack_new ();
      ScmExplorePage *explore = scm_explore_page_new ();
      ScmMarkersPage *markers = scm_markers_page_new ();
      ScmAnnotatePage *annotate = scm_annotate_page_new ();
      gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (explore), "explore");
      gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (markers), "markers");
      gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (annotate), "annotate");
      GtkWindow *win = ui_window_with (stack, 1000, 700);
      scm_explore_page_set_document (explore, doc);
      scm_markers_page_set_document (markers, doc);
      scm_annotate_page_set_document (annotate, doc);
      ScmExploreState *state = scm_explore_state_get (doc);
      g_assert_true (ui_wait_until (features_ready, state, 60));
      ScmFeatureData *fd = scm_explore_state_get_features (state);
      const char *feature = fd->rna_names ? fd->rna_names[0] : NULL;
      g_autofree char *protein = fd->adt_names ? g_strdup_printf ("%s (protein)", fd->adt_names[0]) : NULL;
      if (feature)
        g_assert_true (scm_explore_page_color_by (explore, feature));
      if (protein)
        g_assert_true (scm_explore_page_color_by (explore, protein));
      g_assert_true (scm_explore_page_color_by (explore, "leiden"));
      for (int mod = 0; mod < 2; mod++)
        {
          gtk_stack_set_visible_child_name (GTK_STACK (stack), "markers");
          scm_markers_page_configure (markers, mod == 1, "leiden", SCM_MARKERS_EACH_VS_REST);
          g_assert_true (ui_wait_until (markers_idle, markers, 120));
          gboolean has = mod == 1 ? fd->adt_names != NULL : fd->rna_names != NULL;
          g_assert_cmpint (g_list_model_get_n_items (scm_markers_page_get_rows (markers)) > 0, ==, has);
        }
      gtk_stack_set_visible_child_name (GTK_STACK (stack), "annotate");
      g_assert_true (scm_annotate_page_rename_cluster (annotate, 0, "first"));
      g_autofree char *dir = g_dir_make_tmp ("scm-other-XXXXXX", NULL);
      g_autofree char *csv = g_build_filename (dir, "l.csv", NULL);
      g_autofree char *log = g_build_filename (dir, "l-log.csv", NULL);
      g_assert_true (scm_annotate_page_export_labels (annotate, csv, &error));
      g_assert_no_error (error);
      g_test_message ("%s: %" G_GINT64_FORMAT " cells, %s%s", files[f], n,
                      fd->rna_names ? "RNA " : "", fd->adt_names ? "ADT" : "");
      g_remove (csv);
      g_remove (log);
      g_rmdir (dir);
      ui_close_window (win);
      g_assert_finalize_object (doc);
      g_free (xy);
      g_free (cl);
    }
}

int
main (int argc, char **argv)
{
  /* Sessions go to a private data dir (G_TEST_OPTION_ISOLATE_DIRS would
   * also hide the system GSettings schemas GTK needs). */
  g_autofree char *data_home = g_dir_make_tmp ("scm-ui-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_test_add_func ("/ui/explore/colour-gate-lasso", test_explore);
  g_test_add_func ("/ui/explore/recluster", test_recluster);
  g_test_add_func ("/ui/explore/other-datasets", test_other_datasets);
  return g_test_run ();
}
