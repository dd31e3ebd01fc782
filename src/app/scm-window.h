/* scm-window.h: one main window = one ScmDocument.
 *
 * An AdwViewStack of five pages (Open, Train, Explore, Markers, Annotate)
 * all sharing the window's document.  The window loads files (in a GTask,
 * scm-loader.h), starts the background analysis after a load
 * (scm-analysis-runner.h) and shows errors as toasts.
 */
#pragma once

#include <adwaita.h>

#include "scm-application.h"
#include "scm-document.h"

G_BEGIN_DECLS

#define SCM_TYPE_WINDOW (scm_window_get_type ())
G_DECLARE_FINAL_TYPE (ScmWindow, scm_window, SCM, WINDOW, AdwApplicationWindow)

ScmWindow   *scm_window_new           (ScmApplication *app);
ScmDocument *scm_window_get_document  (ScmWindow *self);
gboolean     scm_window_has_dataset   (ScmWindow *self);

/* Loads in the background; progress and errors show in the window. */
void         scm_window_open_file     (ScmWindow *self, GFile *file);
void         scm_window_open_demo     (ScmWindow *self);
/* Shows the file chooser (GtkFileChooserNative). */
void         scm_window_choose_file   (ScmWindow *self);

void         scm_window_add_toast     (ScmWindow *self, const char *message);
/* "open", "train", "explore", "markers", "annotate". */
void         scm_window_show_page     (ScmWindow *self, const char *name);
const char  *scm_window_get_page     (ScmWindow *self);

/* For tests: TRUE while a load or the post-load analysis is running. */
gboolean     scm_window_is_loading    (ScmWindow *self);

G_END_DECLS
