/* scm-window.c: the main window (see scm-window.h).
 *
 * Owns the document, the current load (one GTask, its cancellable) and the
 * analysis runner that computes the PCA baseline, kNN, Leiden and UMAP
 * after each load.  Pages talk to the window through actions
 * (win.open-path, win.page) so they stay independent of each other.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "scm-analysis-runner.h"
#include "scm-annotate-page.h"
#include "scm-explore-page.h"
#include "scm-loader.h"
#include "scm-markers-page.h"
#include "scm-open-page.h"
#include "scm-train-page.h"
#include "scm-window.h"

struct _ScmWindow
{
  AdwApplicationWindow parent_instance;

  ScmDocument        *document;
  ScmAnalysisRunner  *runner;
  GCancellable       *load_cancellable;
  char               *loading_title;   /* title to give the document once loaded */
  guint               loading : 1;

  /* template widgets */
  AdwToastOverlay    *toast_overlay;
  AdwViewStack       *stack;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar *switcher_bar;
  GtkSpinner         *spinner;
  ScmOpenPage        *open_page;
  ScmTrainPage       *train_page;
  ScmExplorePage     *explore_page;
  ScmMarkersPage     *markers_page;
  ScmAnnotatePage    *annotate_page;
};

G_DEFINE_FINAL_TYPE (ScmWindow, scm_window, ADW_TYPE_APPLICATION_WINDOW)

ScmDocument *
scm_window_get_document (ScmWindow *self)
{
  g_return_val_if_fail (SCM_IS_WINDOW (self), NULL);
  return self->document;
}

gboolean
scm_window_has_dataset (ScmWindow *self)
{
  g_return_val_if_fail (SCM_IS_WINDOW (self), FALSE);
  return self->loading || scm_document_has_dataset (self->document);
}

gboolean
scm_window_is_loading (ScmWindow *self)
{
  g_return_val_if_fail (SCM_IS_WINDOW (self), FALSE);
  return self->loading || scm_analysis_runner_is_running (self->runner);
}

void
scm_window_add_toast (ScmWindow *self, const char *message)
{
  AdwToast *toast;

  g_return_if_fail (SCM_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
scm_window_show_page (ScmWindow *self, const char *name)
{
  g_return_if_fail (SCM_IS_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->stack, name);
}

const char *
scm_window_get_page (ScmWindow *self)
{
  g_return_val_if_fail (SCM_IS_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->stack);
}

static void
update_title (ScmWindow *self)
{
  const char *title = scm_document_get_title (self->document);
  g_autofree char *window_title = NULL;

  adw_view_switcher_title_set_subtitle (self->switcher_title, title ? title : "");
  /* Task switchers show the window title: name the dataset there too. */
  window_title = title ? g_strdup_printf (_("%s — scMMAE Studio"), title) : g_strdup (_("scMMAE Studio"));
  gtk_window_set_title (GTK_WINDOW (self), window_title);
}

static void
load_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ScmWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScmQcModel) qc = NULL;
  g_autoptr(ScmDataset) ds = NULL;
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));

  ds = scm_loader_load_finish (result, &qc, &error);

  /* A newer load (or closing the window) superseded this one. */
  if (cancellable != self->load_cancellable || g_cancellable_is_cancelled (cancellable))
    return;

  self->loading = FALSE;
  g_clear_object (&self->load_cancellable);

  if (ds == NULL)
    {
      scm_open_page_set_error (self->open_page, _("Could not open the dataset"), error->message);
      scm_window_add_toast (self, _("Could not open the dataset"));
      g_clear_pointer (&self->loading_title, g_free);
      return;
    }

  /* QC model first, so the Open page does not compute its own. */
  scm_open_page_set_qc_model (self->open_page, qc);
  scm_document_set_dataset (self->document, ds);
  if (self->loading_title != NULL)
    scm_document_set_title (self->document, self->loading_title);
  g_clear_pointer (&self->loading_title, g_free);
  update_title (self);

  if (ds->path != NULL)
    {
      g_autofree char *uri = g_filename_to_uri (ds->path, NULL, NULL);
      if (uri != NULL && !g_str_has_prefix (ds->path, PKGDATADIR) &&
          !g_str_has_prefix (ds->path, SCM_SOURCE_DIR "/data/demo"))
        gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
    }

  scm_analysis_runner_start (self->runner);
}

static void
start_load (ScmWindow *self, const char *path, const char *title)
{
  g_autofree char *basename = g_path_get_basename (path);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  scm_analysis_runner_cancel (self->runner);

  self->load_cancellable = g_cancellable_new ();
  self->loading = TRUE;
  g_free (self->loading_title);
  self->loading_title = g_strdup (title);

  scm_open_page_set_loading (self->open_page, title ? title : basename);
  scm_window_show_page (self, "open");
  scm_loader_load_async (path, self->load_cancellable, load_finished, g_object_ref (self));
}

void
scm_window_open_file (ScmWindow *self, GFile *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (SCM_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *msg = g_strdup_printf (_("%s is not a local file; copy it to this computer first"), uri);
      scm_open_page_set_error (self->open_page, _("Could not open the dataset"), msg);
      return;
    }
  start_load (self, path, NULL);
}

void
scm_window_open_demo (ScmWindow *self)
{
  g_autofree char *path = scm_application_find_demo_path ();

  g_return_if_fail (SCM_IS_WINDOW (self));

  if (path == NULL)
    {
      scm_open_page_set_error (self->open_page, _("Demo dataset not found"),
                               _("The bundled demo dataset is not installed. Set "
                                 "SCMMAE_DEMO_DATA to the path of pbmc10k-demo.h5ad."));
      return;
    }
  start_load (self, path, _("PBMC demo (CITE-seq)"));
}

static void
chooser_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  ScmWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file != NULL)
        scm_window_open_file (self, file);
    }
  g_object_unref (dialog);
}

void
scm_window_choose_file (ScmWindow *self)
{
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter;

  g_return_if_fail (SCM_IS_WINDOW (self));

  chooser = gtk_file_chooser_native_new (_("Open Dataset"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Single-cell datasets (.h5ad, .h5mu, .h5)"));
  gtk_file_filter_add_pattern (filter, "*.h5ad");
  gtk_file_filter_add_pattern (filter, "*.h5mu");
  gtk_file_filter_add_pattern (filter, "*.h5");
  gtk_file_filter_add_pattern (filter, "*.hdf5");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_path_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  ScmWindow *self = SCM_WINDOW (widget);
  g_autoptr(GFile) file = g_file_new_for_path (g_variant_get_string (param, NULL));
  scm_window_open_file (self, file);
}

static void
page_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  scm_window_show_page (SCM_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
reanalyse_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  ScmWindow *self = SCM_WINDOW (widget);
  scm_analysis_runner_start (self->runner);
}

static void
runner_notify (ScmWindow *self, const char *message, gboolean is_error)
{
  scm_window_add_toast (self, message);
}

static void
document_changed (ScmWindow *self, guint what, ScmDocument *document)
{
  if (what & SCM_DOCUMENT_CHANGE_DATASET)
    update_title (self);
}

static void
save_window_state (ScmWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GSettings *settings;
  int width, height;

  if (!SCM_IS_APPLICATION (app))
    return;
  settings = scm_application_get_settings (SCM_APPLICATION (app));
  if (settings == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set (settings, "window-size", "(ii)", width, height);
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
scm_window_close_request (GtkWindow *window)
{
  ScmWindow *self = SCM_WINDOW (window);

  save_window_state (self);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  scm_analysis_runner_cancel (self->runner);
  scm_train_page_cancel (self->train_page);
  return GTK_WINDOW_CLASS (scm_window_parent_class)->close_request (window);
}

static void
scm_window_constructed (GObject *object)
{
  ScmWindow *self = SCM_WINDOW (object);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  G_OBJECT_CLASS (scm_window_parent_class)->constructed (object);

  if (SCM_IS_APPLICATION (app))
    {
      GSettings *settings = scm_application_get_settings (SCM_APPLICATION (app));
      if (settings != NULL)
        {
          int width, height;
          g_settings_get (settings, "window-size", "(ii)", &width, &height);
          if (width > 0 && height > 0)
            gtk_window_set_default_size (GTK_WINDOW (self), width, height);
          if (g_settings_get_boolean (settings, "window-maximized"))
            gtk_window_maximize (GTK_WINDOW (self));
        }
    }
}

static void
scm_window_dispose (GObject *object)
{
  ScmWindow *self = SCM_WINDOW (object);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->runner != NULL)
    scm_analysis_runner_cancel (self->runner);
  g_clear_object (&self->runner);

  /* Detach every page's root child before the template goes: an AdwBin
   * whose root child is also a bound template child would otherwise have
   * it unparented twice (once by gtk_widget_dispose_template, once by
   * AdwBin's own dispose). */
  if (self->stack != NULL)
    {
      GtkWidget *pages[] = {
        GTK_WIDGET (self->open_page), GTK_WIDGET (self->train_page),
        GTK_WIDGET (self->explore_page), GTK_WIDGET (self->markers_page),
        GTK_WIDGET (self->annotate_page),
      };
      for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
        if (ADW_IS_BIN (pages[i]))
          adw_bin_set_child (ADW_BIN (pages[i]), NULL);
    }
  /* libadwaita 1.2: the switchers must let go of the stack before it is
   * disposed, else they unref its pages twice. */
  if (self->switcher_bar != NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  if (self->switcher_title != NULL)
    adw_view_switcher_title_set_stack (self->switcher_title, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCM_TYPE_WINDOW);

  G_OBJECT_CLASS (scm_window_parent_class)->dispose (object);
}

static void
scm_window_finalize (GObject *object)
{
  ScmWindow *self = SCM_WINDOW (object);

  g_clear_object (&self->document);
  g_free (self->loading_title);
  G_OBJECT_CLASS (scm_window_parent_class)->finalize (object);
}

static void
scm_window_class_init (ScmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = scm_window_constructed;
  object_class->dispose = scm_window_dispose;
  object_class->finalize = scm_window_finalize;
  window_class->close_request = scm_window_close_request;

  g_type_ensure (SCM_TYPE_OPEN_PAGE);
  g_type_ensure (SCM_TYPE_TRAIN_PAGE);
  g_type_ensure (SCM_TYPE_EXPLORE_PAGE);
  g_type_ensure (SCM_TYPE_MARKERS_PAGE);
  g_type_ensure (SCM_TYPE_ANNOTATE_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/scmmae/Studio/ui/scm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ScmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ScmWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ScmWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, ScmWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, ScmWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, ScmWindow, open_page);
  gtk_widget_class_bind_template_child (widget_class, ScmWindow, train_page);
  gtk_widget_class_bind_template_child (widget_class, ScmWindow, explore_page);
  gtk_widget_class_bind_template_child (widget_class, ScmWindow, markers_page);
  gtk_widget_class_bind_template_child (widget_class, ScmWindow, annotate_page);

  gtk_widget_class_install_action (widget_class, "win.open-path", "s", open_path_activated);
  gtk_widget_class_install_action (widget_class, "win.page", "s", page_activated);
  gtk_widget_class_install_action (widget_class, "win.reanalyse", NULL, reanalyse_activated);
}

static void
scm_window_init (ScmWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->document = scm_document_new ();
  self->runner = scm_analysis_runner_new (self->document);
  g_signal_connect_object (self->runner, "message", G_CALLBACK (runner_notify), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->document, "changed", G_CALLBACK (document_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->document, "notify::title", G_CALLBACK (update_title), self,
                           G_CONNECT_SWAPPED);
  g_object_bind_property (self->document, "busy", self->spinner, "spinning",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->document, "busy", self->spinner, "visible",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->document, "status-text", self->spinner, "tooltip-text",
                          G_BINDING_SYNC_CREATE);

  scm_open_page_set_document (self->open_page, self->document);
  scm_train_page_set_document (self->train_page, self->document);
  scm_explore_page_set_document (self->explore_page, self->document);
  scm_markers_page_set_document (self->markers_page, self->document);
  scm_annotate_page_set_document (self->annotate_page, self->document);

#ifdef SCM_DEVELOPMENT
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

ScmWindow *
scm_window_new (ScmApplication *app)
{
  return g_object_new (SCM_TYPE_WINDOW, "application", app, NULL);
}
