/* scm-page-util.c: glue shared by the pages (see scm-page-util.h). */
#include "config.h"

#include "scm-page-util.h"

gboolean
scm_page_add_toast (GtkWidget *widget, const char *message)
{
  GtkWidget *overlay;
  AdwToast *toast;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    return FALSE;
  toast = adw_toast_new (message);
  /* Errors carry a file name and a reason: long enough to read both. */
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  return TRUE;
}
