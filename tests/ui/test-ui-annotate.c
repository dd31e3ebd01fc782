/* test-ui-annotate.c: the Annotate page on pbmc10k under a display: name
 * every Leiden cluster after its majority cell type (as a biologist would
 * from markers), merge the clusters that got the same name, undo/redo,
 * label a selection, export labels/h5ad/PNG and read them back, and find
 * the annotations and a protein gate again after a "restart" (autosaved
 * session). */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "io/scm-io.h"
#include "scm-annotate-page.h"
#include "scm-explore-page.h"
#include "scm-explore-state.h"
#include "test-ui-explore-common.h"

/* Majority cell_type of each Leiden cluster. */
static char **
majority_names (ScmDataset *ds, const gint32 *clusters, guint k)
{
  const ScmColumn *ct = scm_dataset_get_obs (ds, "cell_type");
  g_assert_nonnull (ct);
  guint nt = ct->n_categories;
  gint64 *counts = g_new0 (gint64, (gsize) k * nt);
  for (gint64 i = 0; i < ds->n_cells; i++)
    if (clusters[i] >= 0 && ct->codes[i] >= 0)
      counts[(gsize) clusters[i] * nt + ct->codes[i]]++;
  char **names = g_new0 (char *, k + 1);
  for (guint c = 0; c < k; c++)
    {
      guint best = 0;
      for (guint t = 1; t < nt; t++)
        if (counts[(gsize) c * nt + t] > counts[(gsize) c * nt + best])
          best = t;
      names[c] = g_strdup (ct->categories[best]);
    }
  g_free (counts);
  return names;
}

static gboolean
features_ready (gpointer state)
{
  return scm_explore_state_get_features (state) != NULL;
}

/* The button with this tooltip below root (the page has no getter). */
static GtkWidget *
find_button (GtkWidget *root, const char *tooltip)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button (c, tooltip);
      if (found)
        return found;
    }
  return NULL;
}

static gboolean
gate_shown (gpointer page)
{
  int n = 0;
  return scm_scatter_view_get_gate (scm_explore_page_get_gate_view (page), &n) != NULL && n > 0;
}

static gboolean
export_done (gpointer data)
{
  return *(int *) data != 0;
}

static void
h5ad_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  GError *error = NULL;
  gboolean ok = scm_annotate_page_export_h5ad_finish (SCM_ANNOTATE_PAGE (source), res, &error);
  g_assert_no_error (error);
  *(int *) data = ok ? 1 : -1;
}

static void
test_annotate (void)
{
  g_autoptr (ScmDataset) ds = ui_fixture_dataset ();
  if (!ds)
    return;
  ScmDocument *doc = ui_fixture_document (ds);
  GtkWidget *stack = gtk_stack_new ();
  ScmExplorePage *explore = scm_explore_page_new ();
  ScmAnnotatePage *page = scm_annotate_page_new ();
  gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (explore), "explore");
  gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (page), "annotate");
  GtkWindow *win = ui_window_with (stack, 1300, 850);
  scm_explore_page_set_document (explore, doc);
  scm_annotate_page_set_document (page, doc);
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "annotate");
  ui_spin (0.4);

  ScmExploreState *st = scm_explore_state_get (doc);
  g_assert_true (ui_wait_until (features_ready, st, 60));
  ui_spin (3.0);   /* the marker hints beside each cluster */
  ScmAnnotations *ann = scm_annotate_page_get_annotations (page);
  g_assert_nonnull (ann);
  gint64 n = 0;
  guint k = 0;
  const gint32 *clusters = scm_document_get_clusters (doc, &n, &k, NULL);
  g_assert_cmpuint (scm_annotate_page_get_n_cluster_rows (page), ==, k);
  g_auto (GStrv) names = majority_names (ds, clusters, k);

  /* Rename every cluster through its row. */
  for (guint c = 0; c < k; c++)
    g_assert_true (scm_annotate_page_rename_cluster (page, (gint32) c, names[c]));
  g_assert_cmpuint (scm_annotations_get_n_applied (ann), ==, k);
  g_assert_cmpuint (scm_annotate_page_get_n_log_rows (page), ==, k);
  /* The renamed labels agree with the curated cell types for most cells. */
  const ScmColumn *ct = scm_dataset_get_obs (ds, "cell_type");
  gint64 agree = 0;
  for (gint64 i = 0; i < n; i++)
    {
      g_autofree char *t = scm_column_value_string (ct, i);
      agree += g_strcmp0 (t, scm_annotations_get_label (ann, i)) == 0;
    }
  g_test_message ("cluster names agree with cell_type for %.1f%% of cells", 100.0 * agree / n);
  g_assert_cmpfloat ((double) agree / n, >, 0.75);

  /* Merge the clusters that share a name with the first of them. */
  gint32 first = -1, second = -1;
  for (guint a = 0; a < k && second < 0; a++)
    for (guint b = a + 1; b < k; b++)
      if (g_strcmp0 (names[a], names[b]) == 0)
        {
          first = (gint32) a;
          second = (gint32) b;
          break;
        }
  g_assert_cmpint (second, >=, 0);
  gint64 size_a = scm_annotations_get_cluster_size (ann, first);
  gint64 size_b = scm_annotations_get_cluster_size (ann, second);
  const gint32 pair[] = { first, second };
  g_assert_true (scm_annotate_page_merge_clusters (page, pair, 2));
  g_assert_cmpuint (scm_annotate_page_get_n_cluster_rows (page), ==, k - 1);
  gint32 target = scm_annotations_get_merged_into (ann, first) >= 0 ? second : first;
  g_assert_cmpint (scm_annotations_get_cluster_size (ann, target), ==, size_a + size_b);
  g_test_message ("merged %d and %d (“%s”): %" G_GINT64_FORMAT " cells", first, second,
                  names[first], size_a + size_b);
  ui_spin (0.3);
  g_free (ui_screenshot (GTK_WIDGET (win), "annotate-merged"));

  /* Undo / redo through the page's actions (bound to Ctrl+Z, Ctrl+Shift+Z). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "annotate.undo", NULL));
  g_assert_cmpuint (scm_annotate_page_get_n_cluster_rows (page), ==, k);
  g_assert_cmpint (scm_annotations_get_cluster_size (ann, first), ==, size_a);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "annotate.redo", NULL));
  g_assert_cmpuint (scm_annotate_page_get_n_cluster_rows (page), ==, k - 1);

  /* Label a selection (as a lasso would give). */
  ScmExploreState *state = scm_explore_state_get (doc);
  guint8 *mask = g_new0 (guint8, n);
  for (gint64 i = 0; i < 25; i++)
    mask[i * 7] = 1;
  scm_explore_state_set_selection_source (state, "lasso on the embedding");
  scm_explore_state_set_selection (state, mask, NULL);
  g_assert_true (scm_annotations_label_cells (ann, mask, "Doublets?", "lasso on the embedding", NULL));
  g_assert_cmpstr (scm_annotations_get_label (ann, 7), ==, "Doublets?");
  g_free (mask);

  /* Exports, read back. */
  g_autofree char *dir = g_dir_make_tmp ("scm-export-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "labels.csv", NULL);
  g_autofree char *png = g_build_filename (dir, "umap.png", NULL);
  g_autofree char *h5ad = g_build_filename (dir, "annotated.h5ad", NULL);
  GError *error = NULL;
  g_assert_true (scm_annotate_page_export_labels (page, csv, &error));
  g_assert_no_error (error);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, n + 2);
  g_assert_true (g_str_has_prefix (lines[8], ds->barcodes[7]));
  g_assert_nonnull (strstr (lines[8], ",Doublets?,"));
  g_assert_true (scm_annotate_page_export_image (page, png, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));
  int done = 0;
  scm_annotate_page_export_h5ad_async (page, h5ad, NULL, h5ad_cb, &done);
  g_assert_true (ui_wait_until (export_done, &done, 120));
  g_assert_cmpint (done, ==, 1);
  g_autoptr (ScmDataset) back = scm_dataset_read (h5ad, NULL, &error);
  g_assert_no_error (error);
  const ScmColumn *col = scm_dataset_get_obs (back, "annotation");
  g_assert_nonnull (col);
  for (gint64 i = 0; i < n; i += 97)
    {
      g_autofree char *v = scm_column_value_string (col, i);
      g_assert_cmpstr (v, ==, scm_annotations_get_label (ann, i));
    }
  g_assert_nonnull (scm_dataset_get_obsm (back, "X_umap"));
  g_assert_nonnull (scm_uns_get (back->uns, "rank_genes_groups"));
  ui_spin (0.3);
  g_free (ui_screenshot (GTK_WIDGET (win), "annotate"));

  /* A protein gate on two non-default axes, drawn as a stroke would be. */
  ScmFeatureData *fd = scm_explore_state_get_features (st);
  g_assert_nonnull (fd->adt_names);
  g_assert_cmpuint (g_strv_length (fd->adt_names), >=, 4);
  g_autofree char *gx = g_strdup_printf ("%s (protein)", fd->adt_names[2]);
  g_autofree char *gy = g_strdup_printf ("%s (protein)", fd->adt_names[3]);
  g_assert_true (scm_explore_page_set_gate_features (explore, gx, gy));
  const float gate_poly[] = { 0.5f, 0.5f, 3.0f, 0.5f, 3.0f, 3.0f, 0.5f, 3.0f };
  scm_scatter_view_apply_lasso (scm_explore_page_get_gate_view (explore), gate_poly, 4);
  g_assert_cmpuint (scm_annotations_get_n_gates (ann), ==, 1);

  /* "Restart": the window and document go away (flushing the autosave); a
   * new document on the same file gets the annotations back. */
  g_auto (GStrv) before = g_new0 (char *, n + 1);
  for (gint64 i = 0; i < n; i++)
    before[i] = g_strdup (scm_annotations_get_label (ann, i));
  guint n_ops = scm_annotations_get_n_ops (ann);
  ui_close_window (win);
  g_assert_finalize_object (doc);

  ScmDocument *doc2 = ui_fixture_document (ds);
  ScmExploreState *state2 = scm_explore_state_get (doc2);
  ScmAnnotations *ann2 = scm_explore_state_get_annotations (state2);
  g_assert_nonnull (ann2);
  g_assert_true (scm_explore_state_annotations_restored (state2));
  g_assert_cmpuint (scm_annotations_get_n_ops (ann2), ==, n_ops);
  for (gint64 i = 0; i < n; i++)
    g_assert_cmpstr (scm_annotations_get_label (ann2, i), ==, before[i]);
  /* The restored labels are in the document for the Explore page. */
  g_assert_nonnull (scm_document_get_label_column (doc2, "annotation"));
  /* The gate came back with its axes and polygon... */
  g_assert_cmpuint (scm_annotations_get_n_gates (ann2), ==, 1);
  const ScmGate *gate = scm_annotations_get_gate (ann2, 0);
  g_assert_cmpstr (gate->x, ==, gx);
  g_assert_cmpstr (gate->y, ==, gy);
  g_assert_cmpint (gate->n_vertices, ==, 4);
  /* ...and a fresh Explore page shows it on those axes (not the default). */
  ScmExplorePage *explore2 = scm_explore_page_new ();
  GtkWindow *win2 = ui_window_with (GTK_WIDGET (explore2), 1300, 850);
  scm_explore_page_set_document (explore2, doc2);
  scm_explore_page_show_view (explore2, "gating");
  g_assert_true (ui_wait_until (features_ready, state2, 60));
  g_assert_true (ui_wait_until (gate_shown, explore2, 30));
  int nv = 0;
  const float *shown = scm_scatter_view_get_gate (scm_explore_page_get_gate_view (explore2), &nv);
  g_assert_cmpint (nv, ==, 4);
  for (int v = 0; v < 8; v++)
    g_assert_cmpfloat (shown[v], ==, gate_poly[v]);
  g_assert_cmpuint (ui_count_labels (GTK_WIDGET (win2), "Saved gate: "), ==, 1);
  ui_spin (0.5);
  g_free (ui_screenshot (GTK_WIDGET (win2), "explore-gate-restored"));
  /* Nothing is selected after the restart, yet the gate can be cleared:
   * the Clear button takes it out of the session and off the plot. */
  GtkWidget *clear = find_button (GTK_WIDGET (explore2), "Clear the selection");
  g_assert_nonnull (clear);
  g_assert_true (gtk_widget_get_sensitive (clear));
  g_assert_true (gtk_widget_activate (clear));
  ui_spin (0.5);   /* a GtkButton's activation clicks after a short press */
  g_assert_cmpuint (scm_annotations_get_n_gates (ann2), ==, 0);
  g_assert_null (scm_scatter_view_get_gate (scm_explore_page_get_gate_view (explore2), NULL));
  g_assert_false (gtk_widget_get_sensitive (clear));
  ui_close_window (win2);
  g_assert_finalize_object (doc2);
  g_autofree char *session = scm_annotations_session_path (ds->path);
  g_assert_true (g_file_test (session, G_FILE_TEST_EXISTS));
  g_remove (csv);
  g_autofree char *log = g_build_filename (dir, "labels-log.csv", NULL);
  g_assert_true (g_file_test (log, G_FILE_TEST_EXISTS));
  g_remove (log);
  g_remove (png);
  g_remove (h5ad);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = g_dir_make_tmp ("scm-ui-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_test_add_func ("/ui/annotate/rename-merge-undo-export-restore", test_annotate);
  return g_test_run ();
}
