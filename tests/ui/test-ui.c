/* test-ui.c: drives the real window under a display (xvfb-run).
 *
 * Opens the demo through the same code path as the "Open Demo Dataset"
 * button, waits for the summary and the background analysis, runs a short
 * `tiny` training and checks that the loss chart gained points and the
 * embedding replaced the PCA baseline.  Saves a PNG of every page into
 * the build directory (tests/ui-screens/) for a human to look at.
 * Windows are checked for leaks with g_assert_finalize_object.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "io/scm-io.h"
#include "scm-annotate-page.h"
#include "scm-application.h"
#include "scm-test-util.h"
#include "scm-open-page.h"
#include "scm-train-page.h"
#include "scm-window.h"
#include "test-ui-explore-common.h"

/* Main-loop waiting and screenshots are shared with the other UI tests
 * (test-ui-explore-common.c). */
static void
save_screenshot (GtkWidget *widget, const char *name)
{
  g_free (ui_screenshot (widget, name));
}

static void
show_page (ScmWindow *window, const char *page)
{
  scm_window_show_page (window, page);
  ui_spin (0.6);   /* layout + a few frames */
}

static ScmWindow *
new_window (void)
{
  ScmWindow *window = scm_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 820);
  gtk_window_present (GTK_WINDOW (window));
  ui_spin (0.3);
  return window;
}

static void
destroy_window (ScmWindow *window)
{
  /* Let pending idles and tasks drop their refs first. */
  ui_spin (0.3);
  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  ui_spin (0.1);
  g_assert_finalize_object (window);
}

static void
test_about_and_shortcuts (void)
{
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource ("/io/github/scmmae/Studio/gtk/help-overlay.ui");
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");
  GtkWindow *about;

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));

  about = scm_application_show_about (NULL);
  g_assert_true (ADW_IS_ABOUT_WINDOW (about));
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  ui_spin (0.3);
  save_screenshot (GTK_WIDGET (about), "02-about");
  g_object_ref (about);
  gtk_window_destroy (about);
  ui_spin (0.1);
  g_assert_finalize_object (about);
}

static gboolean
summary_shown (gpointer data)
{
  ScmWindow *window = data;
  ScmOpenPage *page = g_object_get_data (G_OBJECT (window), "test-open-page");
  return scm_document_has_dataset (scm_window_get_document (window)) && page != NULL &&
         g_strcmp0 (scm_open_page_get_state (page), "summary") == 0;
}

static gboolean
error_shown (gpointer page)
{
  return g_strcmp0 (scm_open_page_get_state (page), "error") == 0;
}

static gboolean
not_saving (gpointer page)
{
  return !scm_train_page_is_saving (page);
}

static gboolean
analysis_done (gpointer data)
{
  ScmWindow *window = data;
  ScmDocument *doc = scm_window_get_document (window);
  return !scm_window_is_loading (window) && !scm_document_get_busy (doc);
}

static gpointer
find_child_of_type (GtkWidget *root, GType type)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      gpointer found;
      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;
      if ((found = find_child_of_type (c, type)) != NULL)
        return found;
    }
  return NULL;
}

static void
test_empty_window (void)
{
  ScmWindow *window = new_window ();
  ScmOpenPage *page = find_child_of_type (GTK_WIDGET (window), SCM_TYPE_OPEN_PAGE);

  g_assert_nonnull (page);
  g_assert_cmpstr (scm_open_page_get_state (page), ==, "empty");
  g_assert_cmpstr (scm_window_get_page (window), ==, "open");
  save_screenshot (GTK_WIDGET (window), "00-open-empty");
  destroy_window (window);
}

static void
test_bad_file (void)
{
  ScmWindow *window = new_window ();
  ScmOpenPage *page = find_child_of_type (GTK_WIDGET (window), SCM_TYPE_OPEN_PAGE);
  g_autofree char *path = g_build_filename (g_test_get_dir (G_TEST_BUILT), "not-a-dataset.h5ad", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_assert_true (g_file_set_contents (path, "this is not HDF5", -1, NULL));
  g_object_set_data (G_OBJECT (window), "test-open-page", page);
  /* The action a dropped file or a recent-files row activates. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "win.open-path", "s", path));
  g_assert_true (ui_wait_until (analysis_done, window, 30));
  /* An error state with a message, no dataset, no crash. */
  g_assert_cmpstr (scm_open_page_get_state (page), ==, "error");
  g_assert_false (scm_document_has_dataset (scm_window_get_document (window)));
  save_screenshot (GTK_WIDGET (window), "01-open-error");
  destroy_window (window);
  g_unlink (path);
}

/* Main-loop responsiveness probe: the longest gap between two runs of a
 * 10 ms timeout while the probe is installed. */
typedef struct {
  gint64 last;
  gint64 max_gap;
} Probe;

static gboolean
probe_tick (gpointer data)
{
  Probe *p = data;
  gint64 now = g_get_monotonic_time ();
  if (p->last > 0)
    p->max_gap = MAX (p->max_gap, now - p->last);
  p->last = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
n_cells_is_kept (gpointer data)
{
  gsize kept = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (data), "test-kept"));
  return scm_document_get_n_cells (SCM_DOCUMENT (data)) == (gint64) kept;
}

static gboolean
has_umap (gpointer data)
{
  return scm_document_get_umap (SCM_DOCUMENT (data), NULL) != NULL;
}

static gboolean
has_some_points (gpointer data)
{
  /* "Stage 1 · epoch …" is the running job's line (not the previous run's). */
  const char *status = scm_train_page_get_status (SCM_TRAIN_PAGE (data));
  return status != NULL && g_str_has_prefix (status, "Stage ") &&
         scm_loss_model_get_total_points (scm_train_page_get_loss_model (SCM_TRAIN_PAGE (data))) >= 5;
}

static gboolean
is_paused (gpointer data)
{
  const char *status = scm_train_page_get_status (SCM_TRAIN_PAGE (data));
  return status != NULL && g_str_has_prefix (status, "Paused");
}

static gboolean
train_done (gpointer data)
{
  return !scm_train_page_is_running (SCM_TRAIN_PAGE (data));
}

static gboolean
h5ad_exported (gpointer data)
{
  return *(int *) data != 0;
}

static void
h5ad_export_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  GError *error = NULL;
  gboolean ok = scm_annotate_page_export_h5ad_finish (SCM_ANNOTATE_PAGE (source), res, &error);
  g_assert_no_error (error);
  *(int *) data = ok ? 1 : -1;
}

/* The Annotate page's .h5ad export carries the graph the runner clustered
 * on: obsp/connectivities (n x n, symmetric), obsp/distances and
 * uns/neighbors, as Scanpy's `neighbors` stores them. */
static void
check_exported_graph (ScmWindow *window, ScmDocument *doc)
{
  ScmAnnotatePage *page = find_child_of_type (GTK_WIDGET (window), SCM_TYPE_ANNOTATE_PAGE);
  gint64 n = scm_document_get_n_cells (doc);
  g_autofree char *dir = g_dir_make_tmp ("scm-graph-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "annotated.h5ad", NULL);
  GError *error = NULL;
  int done = 0;

  /* The demo file has no graph: whatever the export holds, the app wrote. */
  g_assert_null (scm_dataset_get_obsp (scm_document_get_dataset (doc), "connectivities"));
  g_assert_null (scm_uns_get (scm_document_get_dataset (doc)->uns, "neighbors"));
  scm_annotate_page_export_h5ad_async (page, path, NULL, h5ad_export_cb, &done);
  g_assert_true (ui_wait_until (h5ad_exported, &done, 120));
  g_assert_cmpint (done, ==, 1);
  g_autoptr (ScmDataset) back = scm_dataset_read (path, NULL, &error);
  g_assert_no_error (error);
  const ScmPairwise *conn = scm_dataset_get_obsp (back, "connectivities");
  const ScmPairwise *dist = scm_dataset_get_obsp (back, "distances");
  g_assert_nonnull (conn);
  g_assert_nonnull (dist);
  g_assert_cmpint (conn->X.n_rows, ==, n);
  g_assert_cmpint (conn->X.n_cols, ==, n);
  g_assert_cmpint (dist->X.n_rows, ==, n);
  g_assert_cmpint (dist->X.n_cols, ==, n);
  g_assert_cmpint (dist->X.indptr[n], ==, n * 19);
  g_assert_cmpint (conn->X.indptr[n], >=, n * 19);
  for (gint64 i = 0; i < n; i++)
    for (gint64 p = conn->X.indptr[i]; p < conn->X.indptr[i + 1]; p++)
      {
        gint32 j = conn->X.indices[p];
        gboolean found = FALSE;
        g_assert_cmpint (j, !=, i);
        g_assert_cmpfloat (conn->X.data[p], >, 0.0f);
        for (gint64 q = conn->X.indptr[j]; q < conn->X.indptr[j + 1] && !found; q++)
          if (conn->X.indices[q] == i)
            {
              g_assert_cmpfloat (conn->X.data[q], ==, conn->X.data[p]);
              found = TRUE;
            }
        g_assert_true (found);
      }
  ScmUnsNode *nb = scm_uns_get (back->uns, "neighbors");
  g_assert_nonnull (nb);
  g_assert_nonnull (scm_uns_get (nb, "connectivities_key"));
  g_assert_cmpstr (scm_uns_get (nb, "connectivities_key")->string, ==, "connectivities");
  g_assert_nonnull (scm_uns_get (nb, "distances_key"));
  g_assert_cmpstr (scm_uns_get (nb, "distances_key")->string, ==, "distances");
  ScmUnsNode *params = scm_uns_get (nb, "params");
  g_assert_nonnull (params);
  g_assert_nonnull (scm_uns_get (params, "n_neighbors"));
  g_assert_cmpint (scm_uns_get (params, "n_neighbors")->ints[0], ==, 20);
  g_assert_nonnull (scm_uns_get (params, "use_rep"));
  g_assert_cmpstr (scm_uns_get (params, "use_rep")->string, ==,
                   scm_document_get_representation_name (doc));
  /* the layout as Scanpy records it, with the thread count that made it */
  ScmUnsNode *up = scm_uns_get (scm_uns_get (back->uns, "umap"), "params");
  g_assert_nonnull (up);
  g_assert_cmpfloat_with_epsilon (scm_uns_get (up, "a")->floats[0], 1.5769, 1e-3);
  g_assert_cmpint (scm_uns_get (up, "n_neighbors")->ints[0], ==, 15);
  g_assert_cmpint (scm_uns_get (up, "n_threads")->ints[0], ==, scm_umap_layout_threads (NULL));
  g_remove (path);
  g_rmdir (dir);
}

static void
test_demo_and_train (void)
{
  ScmWindow *window = new_window ();
  ScmDocument *doc = scm_window_get_document (window);
  ScmOpenPage *open_page = find_child_of_type (GTK_WIDGET (window), SCM_TYPE_OPEN_PAGE);
  ScmTrainPage *train_page = find_child_of_type (GTK_WIDGET (window), SCM_TYPE_TRAIN_PAGE);
  ScmLossModel *loss;
  g_autofree char *demo = scm_application_find_demo_path ();
  gint64 n_umap = 0, t0;
  Probe probe = { 0, 0 };
  guint probe_id;

  if (demo == NULL)
    {
      g_test_skip ("demo dataset not found");
      destroy_window (window);
      return;
    }
  g_object_set_data (G_OBJECT (window), "test-open-page", open_page);

  /* The same path as the "Open Demo Dataset" button (app.open-demo). */
  t0 = g_get_monotonic_time ();
  scm_window_open_demo (window);
  g_assert_true (ui_wait_until (summary_shown, window, 60));
  g_test_message ("demo loaded and summarised in %.2f s", (g_get_monotonic_time () - t0) / 1e6);
  g_assert_cmpint (scm_document_get_n_cells (doc), ==, 2201);
  g_assert_nonnull (scm_document_get_dataset (doc)->adt);
  g_assert_nonnull (scm_open_page_get_qc_model (open_page));
  ui_spin (0.5);
  save_screenshot (GTK_WIDGET (window), "10-open-summary");

  /* PCA -> kNN -> Leiden -> UMAP in the background. */
  ui_wait_until (has_umap, doc, 240);
  g_test_message ("UMAP on the Explore page %.2f s after opening", (g_get_monotonic_time () - t0) / 1e6);
  g_assert_true (ui_wait_until (analysis_done, window, 240));
  if (scm_document_get_representation (doc) != NULL)
    {
      g_assert_cmpstr (scm_document_get_representation_name (doc), ==, "X_pca");
      g_assert_nonnull (scm_document_get_umap (doc, &n_umap));
      g_assert_cmpint (n_umap, ==, 2201);
      g_assert_nonnull (scm_document_get_label_column (doc, "leiden"));
      /* The runner hands the Leiden graph (k = 20) to the document. */
      ScmNeighborGraph *nb = scm_document_get_neighbors (doc);
      g_assert_nonnull (nb);
      g_assert_cmpint (nb->knn.n, ==, 2201);
      g_assert_cmpint (nb->knn.k, ==, 20);
      g_assert_cmpint (nb->graph.n, ==, 2201);
      g_assert_cmpstr (nb->use_rep, ==, "X_pca");
    }
  show_page (window, "explore");
  save_screenshot (GTK_WIDGET (window), "20-explore-pca");
  show_page (window, "markers");
  save_screenshot (GTK_WIDGET (window), "30-markers");
  show_page (window, "annotate");
  save_screenshot (GTK_WIDGET (window), "40-annotate");
  if (scm_document_get_representation (doc) != NULL)
    check_exported_graph (window, doc);

  /* A short tiny training run, started as the Start button does. */
  show_page (window, "train");
  save_screenshot (GTK_WIDGET (window), "50-train-ready");
  scm_train_page_set_preset (train_page, "tiny");
  scm_train_page_set_epochs (train_page, 3);
  scm_train_page_start (train_page);
  g_assert_true (scm_train_page_is_running (train_page));
  probe_id = g_timeout_add (10, probe_tick, &probe);
  t0 = g_get_monotonic_time ();
  g_assert_true (ui_wait_until (train_done, train_page, 300));
  g_source_remove (probe_id);
  g_test_message ("stage 1 tiny, 3 epochs: %.1f s; longest main-loop stall while training %.0f ms",
                  (g_get_monotonic_time () - t0) / 1e6, probe.max_gap / 1e3);
  /* The UI stays responsive while a worker trains (generous: CPU is shared). */
  g_assert_cmpint (probe.max_gap, <, 1000 * 1000);
  g_test_message ("train status: %s", scm_train_page_get_status (train_page));
  loss = scm_train_page_get_loss_model (train_page);
  g_assert_cmpuint (scm_loss_model_get_total_points (loss), >, 10);
  g_assert_true (g_str_has_prefix (scm_train_page_get_status (train_page), "Finished"));
  g_assert_cmpstr (scm_document_get_representation_name (doc), ==, "X_scmmae");
  ui_spin (0.5);
  save_screenshot (GTK_WIDGET (window), "60-train-finished");

  /* The graph steps re-run on the new embedding. */
  g_assert_true (ui_wait_until (analysis_done, window, 240));
  g_assert_nonnull (scm_document_get_umap (doc, NULL));
  show_page (window, "explore");
  save_screenshot (GTK_WIDGET (window), "70-explore-scmmae");

  /* Pause, save a checkpoint, cancel, then resume the run from the file. */
  {
    g_autofree char *ckpt = g_build_filename (g_test_get_dir (G_TEST_BUILT), "ui-test.scmckpt", NULL);
    g_autoptr(GError) error = NULL;
    guint points;

    show_page (window, "train");
    scm_train_page_set_stage (train_page, 1);
    scm_train_page_set_epochs (train_page, 4);
    scm_train_page_start (train_page);
    g_assert_true (ui_wait_until (has_some_points, train_page, 120));
    scm_train_page_toggle_pause (train_page);
    g_assert_true (ui_wait_until (is_paused, train_page, 60));
    points = scm_loss_model_get_total_points (loss);
    ui_spin (0.3);
    /* Paused means paused: no new points arrive. */
    g_assert_cmpuint (scm_loss_model_get_total_points (loss), ==, points);
    save_screenshot (GTK_WIDGET (window), "65-train-paused");
    {
      /* The save runs in a GTask: the call returns at once with the page
       * locked (is_saving), the file exists when _finish reports success. */
      g_autoptr(GAsyncResult) res = NULL;
      g_autofree char *bad = g_build_filename (g_test_get_dir (G_TEST_BUILT), "no-such-dir", "x.scmckpt", NULL);

      scm_train_page_save_checkpoint_async (train_page, ckpt, NULL, ui_store_result, &res);
      g_assert_true (scm_train_page_is_saving (train_page));
      g_assert_true (ui_wait_result (&res, 60));
      g_assert_true (scm_train_page_save_checkpoint_finish (train_page, res, &error));
      g_assert_no_error (error);
      g_assert_false (scm_train_page_is_saving (train_page));
      g_assert_true (g_file_test (ckpt, G_FILE_TEST_IS_REGULAR));
      /* Still paused: the worker wrote the job without resuming it. */
      g_assert_true (is_paused (train_page));

      /* A failing save, as the Save dialog runs it: the GError's message
       * reaches the status line and a toast. */
      scm_train_page_save_checkpoint (train_page, bad);
      g_assert_true (ui_wait_until (not_saving, train_page, 60));
      ui_spin (0.3);
      g_test_message ("failed save: %s", scm_train_page_get_status (train_page));
      g_assert_true (g_str_has_prefix (scm_train_page_get_status (train_page), "Could not save the checkpoint: "));
      g_assert_nonnull (strstr (scm_train_page_get_status (train_page), "no-such-dir"));
      /* Once in the status line, once in the toast. */
      g_assert_cmpuint (ui_count_labels (GTK_WIDGET (window), "Could not save the checkpoint: "), ==, 2);
      save_screenshot (GTK_WIDGET (window), "66-train-save-failed");
    }
    scm_train_page_cancel (train_page);
    g_assert_true (ui_wait_until (train_done, train_page, 60));
    g_assert_true (g_str_has_prefix (scm_train_page_get_status (train_page), "Cancelled"));

    scm_train_page_resume_from_checkpoint (train_page, ckpt);
    g_assert_true (ui_wait_until (train_done, train_page, 300));
    g_test_message ("resumed run: %s", scm_train_page_get_status (train_page));
    g_assert_true (g_str_has_prefix (scm_train_page_get_status (train_page), "Finished"));
    /* The resumed run's history starts from the checkpoint's. */
    g_assert_cmpuint (scm_loss_model_get_total_points (loss), >=, points);
    g_assert_cmpfloat (scm_loss_model_get_x_max (loss), ==, 4);
    g_unlink (ckpt);
    g_assert_true (ui_wait_until (analysis_done, window, 240));
  }

  /* Stage 2 from the stage-1 model: fine-tune on cell_type (chosen by default). */
  show_page (window, "train");
  scm_train_page_set_stage (train_page, 2);
  scm_train_page_set_epochs (train_page, 3);
  scm_train_page_start (train_page);
  g_assert_true (ui_wait_until (train_done, train_page, 300));
  g_test_message ("stage 2 status: %s", scm_train_page_get_status (train_page));
  g_assert_true (g_str_has_prefix (scm_train_page_get_status (train_page), "Finished"));
  g_assert_cmpuint (scm_loss_model_get_n_series (loss), ==, 3);
  g_assert_cmpuint (scm_loss_model_get_n_points (loss, 2), ==, 3);   /* accuracy per epoch */
  g_assert_nonnull (scm_document_get_label_column (doc, "scmmae_prediction"));
  ui_spin (0.5);
  save_screenshot (GTK_WIDGET (window), "80-train-stage2");
  g_assert_true (ui_wait_until (analysis_done, window, 240));

  /* Stage 3: transfer to an RNA-only file (the demo without its proteins). */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ScmDataset) rna = scm_dataset_read (demo, NULL, &error);
    g_autofree char *rna_path = g_build_filename (g_test_get_dir (G_TEST_BUILT), "demo-rna-only.h5ad", NULL);
    ScmDataset *now;

    g_assert_no_error (error);
    g_clear_pointer (&rna->adt, scm_modality_free);
    g_ptr_array_set_size (rna->obsm, 0);
    g_unlink (rna_path);
    g_assert_true (scm_h5ad_write (rna, rna_path, &error));
    g_assert_no_error (error);

    scm_train_page_set_stage (train_page, 3);
    scm_train_page_set_epochs (train_page, 2);
    scm_train_page_set_target_path (train_page, rna_path);
    scm_train_page_start (train_page);
    g_assert_true (ui_wait_until (train_done, train_page, 300));
    g_test_message ("stage 3 status: %s", scm_train_page_get_status (train_page));
    g_assert_true (g_str_has_prefix (scm_train_page_get_status (train_page), "Finished"));
    now = scm_document_get_dataset (doc);
    g_assert_null (now->adt);
    g_assert_cmpstr (now->path, ==, rna_path);
    g_assert_cmpstr (scm_document_get_representation_name (doc), ==, "X_scmmae");
    g_assert_nonnull (scm_document_get_label_column (doc, "scmmae_prediction"));
    ui_spin (0.5);
    save_screenshot (GTK_WIDGET (window), "85-train-stage3");
    g_assert_true (ui_wait_until (analysis_done, window, 240));
    g_unlink (rna_path);
  }

  /* QC: keep cells with >= 300 genes detected, as "Keep Selected Cells" does. */
  {
    ScmQcModel *qc = scm_open_page_get_qc_model (open_page);
    gint64 kept;

    g_assert_nonnull (qc);
    g_assert_cmpint (scm_qc_model_get_n_cells (qc), ==, scm_document_get_n_cells (doc));
    scm_qc_model_set_threshold (qc, SCM_QC_N_FEATURES, 300, 1e9);
    kept = scm_qc_model_count_kept (qc);
    g_assert_cmpint (kept, >, 100);
    g_assert_cmpint (kept, <, 2201);
    show_page (window, "open");
    save_screenshot (GTK_WIDGET (window), "90-open-qc-threshold");
    scm_open_page_apply_qc_filter (open_page);
    g_object_set_data (G_OBJECT (doc), "test-kept", GSIZE_TO_POINTER ((gsize) kept));
    g_assert_true (ui_wait_until (n_cells_is_kept, doc, 60));
    g_assert_cmpint (scm_document_get_n_cells (doc), ==, kept);
    g_assert_cmpint (scm_qc_model_get_n_cells (scm_open_page_get_qc_model (open_page)), ==, kept);
    g_assert_true (ui_wait_until (has_umap, doc, 240));
    g_assert_true (ui_wait_until (analysis_done, window, 240));
    g_assert_nonnull (scm_document_get_umap (doc, &n_umap));
    g_assert_cmpint (n_umap, ==, kept);
    save_screenshot (GTK_WIDGET (window), "95-open-qc-filtered");
  }

  destroy_window (window);
}

/* Every format of the shared data opens to a summary (10x v3 with
 * proteins, 10x v2, MuData, cellxgene h5ad). */
static void
test_formats (void)
{
  const struct { const char *rel; gint64 n_cells; gboolean adt; } files[] = {
    { "pbmc10k/pbmc10k_filtered_feature_bc_matrix.h5", 6855, TRUE },
    { "pbmc10k/pbmc10k.h5mu", 6855, TRUE },
    { "formats/cellranger2_filtered_gene_bc_matrices.h5", -1, FALSE },
    { "formats/cellxgene_small.h5ad", -1, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = scm_test_shared_path (files[i].rel);
      g_autoptr(GFile) file = NULL;
      ScmWindow *window;
      ScmDocument *doc;
      ScmOpenPage *page;

      if (path == NULL)
        return;
      window = new_window ();
      doc = scm_window_get_document (window);
      page = find_child_of_type (GTK_WIDGET (window), SCM_TYPE_OPEN_PAGE);
      g_object_set_data (G_OBJECT (window), "test-open-page", page);
      file = g_file_new_for_path (path);
      scm_window_open_file (window, file);
      ui_wait_until (summary_shown, window, 60);
      g_test_message ("%s: %s, %s", files[i].rel, scm_open_page_get_state (page),
                      scm_document_get_format (doc) ? scm_document_get_format (doc) : "(error)");
      g_assert_cmpstr (scm_open_page_get_state (page), ==, "summary");
      if (files[i].n_cells > 0)
        g_assert_cmpint (scm_document_get_n_cells (doc), ==, files[i].n_cells);
      g_assert_cmpint (scm_document_get_dataset (doc)->adt != NULL, ==, files[i].adt);
      if (i == 0)
        {
          /* 10x files carry no labels: join the published cell types. */
          g_autofree char *csv = scm_test_shared_path ("pbmc10k/labels_cell_type.csv");
          g_autoptr(GError) error = NULL;
          const ScmColumn *col;

          g_autoptr(GAsyncResult) stale = NULL, res = NULL, bad = NULL;

          /* The join runs in a GTask; a result for a dataset that was
           * replaced meanwhile is dropped (here: the same file set again,
           * which starts a new document generation). */
          scm_open_page_join_labels_async (page, csv, NULL, ui_store_result, &stale);
          scm_document_set_dataset (doc, scm_document_get_dataset (doc));
          g_assert_true (ui_wait_result (&stale, 60));
          g_assert_false (scm_open_page_join_labels_finish (page, stale, &error));
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_clear_error (&error);
          g_assert_null (scm_document_get_label_column (doc, "cell_type"));

          scm_open_page_join_labels_async (page, csv, NULL, ui_store_result, &res);
          g_assert_true (ui_wait_result (&res, 60));
          g_assert_true (scm_open_page_join_labels_finish (page, res, &error));
          g_assert_no_error (error);
          col = scm_document_get_label_column (doc, "cell_type");
          g_assert_nonnull (col);
          g_assert_cmpuint (col->n_categories, ==, 8);
          save_screenshot (GTK_WIDGET (window), "05-open-10x-h5");
          /* A file that is not a labels CSV is refused, as the dialog does
           * it: error page and a toast, both with the parser's message. */
          scm_open_page_join_labels_async (page, path, NULL, ui_store_result, &bad);
          g_assert_true (ui_wait_result (&bad, 60));
          g_assert_false (scm_open_page_join_labels_finish (page, bad, &error));
          g_assert_nonnull (error);
          g_test_message ("bad labels file: %s", error->message);
          g_assert_cmpstr (scm_open_page_get_state (page), ==, "summary");   /* the bare call shows nothing */
          scm_open_page_add_labels (page, path);
          g_assert_true (ui_wait_until (error_shown, page, 60));
          ui_spin (0.3);
          /* Once on the error page, once in the toast. */
          g_assert_cmpuint (ui_count_labels (GTK_WIDGET (window), error->message), ==, 2);
          save_screenshot (GTK_WIDGET (window), "06-open-bad-labels");
        }
      /* Let the background work finish before closing: the Explore
       * state's feature task warns when cancelled mid-way. */
      g_assert_true (ui_wait_until (analysis_done, window, 240));
      ui_spin (1.0);
      destroy_window (window);
    }
}

/* A protein-only file (no RNA): the analysis uses CLR proteins directly. */
static void
test_protein_only (void)
{
  g_autofree char *path = scm_test_shared_path ("malt10k_protein_only/malt10k_protein_only.h5ad");
  g_autoptr(GFile) file = NULL;
  ScmWindow *window;
  ScmDocument *doc;
  gint64 n = 0;

  if (path == NULL)
    return;
  window = new_window ();
  doc = scm_window_get_document (window);
  g_object_set_data (G_OBJECT (window), "test-open-page",
                     find_child_of_type (GTK_WIDGET (window), SCM_TYPE_OPEN_PAGE));
  file = g_file_new_for_path (path);
  scm_window_open_file (window, file);
  g_assert_true (ui_wait_until (summary_shown, window, 60));
  g_assert_null (scm_document_get_dataset (doc)->rna);
  g_assert_true (ui_wait_until (analysis_done, window, 240));
  g_assert_cmpstr (scm_document_get_representation_name (doc), ==, "X_adt_clr");
  g_assert_nonnull (scm_document_get_umap (doc, &n));
  g_assert_cmpint (n, ==, 6838);
  save_screenshot (GTK_WIDGET (window), "03-open-protein-only");
  show_page (window, "explore");
  save_screenshot (GTK_WIDGET (window), "04-explore-protein-only");
  destroy_window (window);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  /* Screenshots show settled states, not cross-fades. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  /* What GtkApplication does for the app: icons from our resources. */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/io/github/scmmae/Studio/icons");
  g_test_add_func ("/ui/window/empty", test_empty_window);
  g_test_add_func ("/ui/window/bad-file", test_bad_file);
  g_test_add_func ("/ui/window/about-and-shortcuts", test_about_and_shortcuts);
  g_test_add_func ("/ui/window/formats", test_formats);
  g_test_add_func ("/ui/window/protein-only", test_protein_only);
  g_test_add_func ("/ui/window/demo-and-train", test_demo_and_train);
  return g_test_run ();
}
