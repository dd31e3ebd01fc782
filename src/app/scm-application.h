/* scm-application.h: the AdwApplication of scMMAE Studio.
 *
 * Owns application-wide actions (open, open-demo, quit, about, shortcuts)
 * and the command line `scmmae-studio [FILE...] [--demo]`.  Each file opens
 * in its own window; everything per-dataset lives in ScmWindow.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SCM_TYPE_APPLICATION (scm_application_get_type ())
G_DECLARE_FINAL_TYPE (ScmApplication, scm_application, SCM, APPLICATION, AdwApplication)

ScmApplication *scm_application_new (void);

/* Path of the bundled demo dataset: $SCMMAE_DEMO_DATA, else the installed
 * copy under PKGDATADIR, else the source tree (uninstalled runs).  Newly
 * allocated; NULL when none exists. */
char           *scm_application_find_demo_path (void);

/* The GSettings for window state, or NULL when the schema is not installed
 * (an uninstalled run without a compiled schema): callers then skip saving. */
GSettings      *scm_application_get_settings (ScmApplication *self);

/* Presents the About window (transient for parent, may be NULL); returns it. */
GtkWindow      *scm_application_show_about (GtkWindow *parent);

G_END_DECLS
