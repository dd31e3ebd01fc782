/* scm-application.c: application actions, command line and settings.
 *
 * The command line is handled in the primary instance (HANDLES_COMMAND_LINE)
 * so that `scmmae-studio --demo` or `scmmae-studio file.h5ad` typed while
 * the app runs opens a window in the running instance.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "scm-application.h"
#include "scm-window.h"

#define SCM_SCHEMA_ID "io.github.scmmae.Studio"

struct _ScmApplication
{
  AdwApplication parent_instance;
  GSettings     *settings;
};

G_DEFINE_FINAL_TYPE (ScmApplication, scm_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "demo", 'd', 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the bundled PBMC demo dataset"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, N_("[FILE…]") },
  { NULL }
};

char *
scm_application_find_demo_path (void)
{
  const char *env = g_getenv ("SCMMAE_DEMO_DATA");
  const char *candidates[] = {
    PKGDATADIR "/demo/pbmc10k-demo.h5ad",
    SCM_SOURCE_DIR "/data/demo/pbmc10k-demo.h5ad",
  };

  if (env != NULL && *env != '\0')
    return g_file_test (env, G_FILE_TEST_IS_REGULAR) ? g_strdup (env) : NULL;
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
      return g_strdup (candidates[i]);
  return NULL;
}

GSettings *
scm_application_get_settings (ScmApplication *self)
{
  g_return_val_if_fail (SCM_IS_APPLICATION (self), NULL);
  return self->settings;
}

static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchemaSource) build_source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCM_SCHEMA_ID, TRUE);
#ifdef SCM_BUILD_SCHEMA_DIR
  /* Uninstalled run from the build tree: use the schema compiled there. */
  if (schema == NULL)
    {
      build_source = g_settings_schema_source_new_from_directory (SCM_BUILD_SCHEMA_DIR, source,
                                                                   FALSE, NULL);
      if (build_source != NULL)
        schema = g_settings_schema_source_lookup (build_source, SCM_SCHEMA_ID, FALSE);
    }
#endif
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s not found; window state will not be saved", SCM_SCHEMA_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static ScmWindow *
new_window (ScmApplication *self)
{
  ScmWindow *window = scm_window_new (self);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* Reuse the active window when it has nothing loaded yet. */
static ScmWindow *
window_for_open (ScmApplication *self)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (SCM_IS_WINDOW (active) && !scm_window_has_dataset (SCM_WINDOW (active)))
    {
      gtk_window_present (active);
      return SCM_WINDOW (active);
    }
  return new_window (self);
}

static void
scm_application_activate (GApplication *app)
{
  ScmApplication *self = SCM_APPLICATION (app);
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (active != NULL)
    gtk_window_present (active);
  else
    new_window (self);
}

static void
scm_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  ScmApplication *self = SCM_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    scm_window_open_file (window_for_open (self), files[i]);
}

static int
scm_application_command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  ScmApplication *self = SCM_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  g_autofree const char **files = NULL;
  gboolean demo = FALSE;
  gboolean opened = FALSE;

  g_variant_dict_lookup (options, "demo", "b", &demo);
  g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&ay", &files);

  if (files != NULL)
    for (guint i = 0; files[i] != NULL; i++)
      {
        g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (cmdline, files[i]);
        scm_window_open_file (window_for_open (self), file);
        opened = TRUE;
      }

  if (demo)
    {
      scm_window_open_demo (window_for_open (self));
      opened = TRUE;
    }

  if (!opened)
    g_application_activate (app);
  return 0;
}

static int
scm_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("scmmae-studio %s\n", PACKAGE_VERSION);
      return 0;
    }
  return -1;
}

static void
open_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ScmApplication *self = user_data;
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (!SCM_IS_WINDOW (active))
    active = GTK_WINDOW (new_window (self));
  scm_window_choose_file (SCM_WINDOW (active));
}

static void
open_demo_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  scm_window_open_demo (window_for_open (SCM_APPLICATION (user_data)));
}

static void
new_window_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  new_window (SCM_APPLICATION (user_data));
}

static void
quit_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Close windows so each saves its state and cancels its jobs. */
  GList *copy = g_list_copy (windows);
  for (GList *it = copy; it != NULL; it = it->next)
    gtk_window_destroy (it->data);
  g_list_free (copy);
  g_application_quit (app);
}

GtkWindow *
scm_application_show_about (GtkWindow *parent)
{
  const char *developers[] = { "scMMAE Studio contributors", NULL };
  AdwAboutWindow *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", parent != NULL,
                        "application-name", _("scMMAE Studio"),
                        "application-icon", APP_ID,
                        "developer-name", _("scMMAE Studio contributors"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Multimodal masked autoencoders for single-cell "
                                      "RNA and protein data: load, quality-check, train, "
                                      "explore and annotate on your own computer."),
                        "website", "https://github.com/scmmae/studio",
                        "issue-url", "https://github.com/scmmae/studio/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "copyright", "© 2026 scMMAE Studio contributors",
                        NULL);
  adw_about_window_add_legal_section (about, _("Demo dataset"),
                                      NULL, GTK_LICENSE_CUSTOM,
                                      _("A subset of the 10x Genomics PBMC 10k CITE-seq data "
                                        "(cells filtered by totalVI) with cell-type labels "
                                        "from BREMSC (GPL-3) and WNN clusters from scMMAE."));
  gtk_window_present (GTK_WINDOW (about));
  return GTK_WINDOW (about);
}

static void
about_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  scm_application_show_about (gtk_application_get_active_window (GTK_APPLICATION (user_data)));
}

static const GActionEntry app_actions[] = {
  { "open", open_activated },
  { "open-demo", open_demo_activated },
  { "new-window", new_window_activated },
  { "quit", quit_activated },
  { "about", about_activated },
};

static void
scm_application_startup (GApplication *app)
{
  ScmApplication *self = SCM_APPLICATION (app);
  static const char *open_accels[] = { "<Control>o", NULL };
  static const char *new_accels[] = { "<Control>n", NULL };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };
  static const char *page_accels[][2] = {
    { "<Alt>1", NULL }, { "<Alt>2", NULL }, { "<Alt>3", NULL }, { "<Alt>4", NULL }, { "<Alt>5", NULL },
  };
  static const char *page_names[] = { "open", "train", "explore", "markers", "annotate" };

  G_APPLICATION_CLASS (scm_application_parent_class)->startup (app);

  self->settings = load_settings ();

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.open", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.new-window", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay",
                                         help_accels);
  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    {
      g_autofree char *detailed = g_strdup_printf ("win.page::%s", page_names[i]);
      gtk_application_set_accels_for_action (GTK_APPLICATION (app), detailed, page_accels[i]);
    }
}

static void
scm_application_shutdown (GApplication *app)
{
  ScmApplication *self = SCM_APPLICATION (app);

  G_APPLICATION_CLASS (scm_application_parent_class)->shutdown (app);
  g_clear_object (&self->settings);
}

static void
scm_application_class_init (ScmApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = scm_application_startup;
  app_class->shutdown = scm_application_shutdown;
  app_class->activate = scm_application_activate;
  app_class->open = scm_application_open;
  app_class->command_line = scm_application_command_line;
  app_class->handle_local_options = scm_application_handle_local_options;
}

static void
scm_application_init (ScmApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
    _("Open single-cell datasets (.h5ad, .h5mu, 10x .h5), train scMMAE and explore cells."));
}

ScmApplication *
scm_application_new (void)
{
  return g_object_new (SCM_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", "/io/github/scmmae/Studio",
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_HANDLES_COMMAND_LINE,
                       NULL);
}
