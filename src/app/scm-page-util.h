/* scm-page-util.h: small pieces of glue that several pages share.
 *
 * Toasts go to the nearest AdwToastOverlay above a widget, so a page can
 * report an error without knowing the window class (tests that put a page
 * in a bare window simply get no toast).
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows message in the nearest toast overlay above widget; returns FALSE
 * (and shows nothing) when there is none. */
gboolean scm_page_add_toast (GtkWidget *widget, const char *message);

G_END_DECLS
