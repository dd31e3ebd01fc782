/* test-ui-explore-common.c: see the header. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "io/scm-io.h"
#include "scm-test-util.h"
#include "stats/scm-analyze.h"
#include "test-ui-explore-common.h"

ScmDataset *
ui_fixture_dataset (void)
{
  g_autofree char *cache = g_build_filename (g_test_get_dir (G_TEST_BUILT), "pbmc10k-analysed.h5ad", NULL);
  GError *error = NULL;
  if (g_file_test (cache, G_FILE_TEST_EXISTS))
    {
      ScmDataset *ds = scm_dataset_read (cache, NULL, &error);
      if (ds && scm_dataset_get_obsm (ds, "X_umap") && scm_dataset_get_obs (ds, "leiden"))
        return ds;
      g_clear_error (&error);
      g_clear_pointer (&ds, scm_dataset_unref);
    }
  g_autofree char *path = scm_test_shared_path ("pbmc10k/pbmc10k.h5ad");
  if (!path)
    return NULL;
  ScmDataset *ds = scm_dataset_read (path, NULL, &error);
  g_assert_no_error (error);
  ScmAnalyzeOptions o;
  scm_analyze_options_init (&o);
  o.markers = FALSE;
  ScmAnalyzeReport rep;
  g_assert_true (scm_analyze_run (ds, &o, &rep, &error));
  g_assert_no_error (error);
  /* Atomic write: tests running in parallel may race to create it. */
  g_assert_true (scm_h5ad_write (ds, cache, &error));
  g_assert_no_error (error);
  return ds;
}

ScmDocument *
ui_fixture_document (ScmDataset *ds)
{
  ScmDocument *doc = scm_document_new ();
  scm_document_set_dataset (doc, ds);
  GError *error = NULL;
  const ScmMatrix *pca = scm_dataset_get_obsm (ds, "X_pca");
  g_assert_nonnull (pca);
  ScmMatrix *rep = scm_matrix_new ("X_pca", pca->n_rows, pca->n_cols, &error);
  memcpy (rep->data, pca->data, sizeof (float) * pca->n_rows * pca->n_cols);
  g_assert_true (scm_document_set_representation (doc, 0, rep));
  const ScmMatrix *umap = scm_dataset_get_obsm (ds, "X_umap");
  g_assert_true (scm_document_set_umap (doc, 0, umap->data, umap->n_rows, NULL));
  const ScmColumn *leiden = scm_dataset_get_obs (ds, "leiden");
  g_assert_nonnull (leiden);
  g_assert_cmpint (leiden->kind, ==, SCM_COLUMN_CATEGORICAL);
  g_assert_true (scm_document_set_clusters (doc, 0, leiden->codes, leiden->n, leiden->n_categories, 1.0));
  return doc;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
ui_wait_until (gboolean (*cond) (gpointer), gpointer data, double seconds)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add ((guint) (seconds * 1000), timeout_cb, &expired);
  while ((!cond || !cond (data)) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return cond ? cond (data) : TRUE;
}

void
ui_spin (double seconds)
{
  ui_wait_until (NULL, NULL, seconds);
}

char *
ui_screenshot (GtkWidget *widget, const char *name)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_assert_cmpint (w, >, 0);
  GdkPaintable *paintable = gtk_widget_paintable_new (widget);
  /* No node until the frame clock has drawn the widget; on a loaded
   * machine (or under ASan) that takes a while. */
  GskRenderNode *node = NULL;
  for (int attempt = 0; node == NULL && attempt < 100; attempt++)
    {
      ui_spin (attempt == 0 ? 0.05 : 0.1);
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  GdkTexture *texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_autofree char *dir = g_build_filename (g_test_get_dir (G_TEST_BUILT), "ui-screens", NULL);
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  char *path = g_build_filename (dir, file, NULL);
  g_mkdir_with_parents (dir, 0755);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  g_object_unref (texture);
  gsk_render_node_unref (node);
  g_object_unref (paintable);
  return path;
}

GtkWindow *
ui_window_with (GtkWidget *child, int width, int height)
{
  GtkWindow *win = GTK_WINDOW (adw_window_new ());
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_vexpand (child, TRUE);
  gtk_box_append (GTK_BOX (box), child);
  adw_window_set_content (ADW_WINDOW (win), box);
  gtk_window_set_default_size (win, width, height);
  gtk_window_present (win);
  ui_spin (0.5);
  return win;
}

void
ui_close_window (GtkWindow *window)
{
  g_object_ref (window);
  gtk_window_destroy (window);
  ui_spin (0.2);
  g_assert_finalize_object (window);
}

void
ui_store_result (GObject *source, GAsyncResult *result, gpointer slot)
{
  GAsyncResult **out = slot;
  g_assert_null (*out);   /* a GTask completes exactly once */
  *out = g_object_ref (result);
}

static gboolean
result_arrived (gpointer slot)
{
  return *(GAsyncResult **) slot != NULL;
}

gboolean
ui_wait_result (GAsyncResult **slot, double seconds)
{
  return ui_wait_until (result_arrived, slot, seconds);
}

guint
ui_count_labels (GtkWidget *root, const char *needle)
{
  guint n = GTK_IS_LABEL (root) && gtk_widget_is_drawable (root) &&
            strstr (gtk_label_get_text (GTK_LABEL (root)), needle) != NULL;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += ui_count_labels (c, needle);
  return n;
}
