/* scm-page-util.c: glue shared by the pages (see scm-page-util.h). */
#include "config.h"

#include <string.h>

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

/* The document is being finalized first.  Weak notifies run in its
 * dispose, after its own handlers were destroyed but before its data (the
 * state) is freed: let go of the state's handlers now, then forget both. */
static void
document_gone (gpointer data, GObject *where_the_document_was)
{
  ScmPageDocument *pd = data;
  for (guint i = 1; i < pd->n_handlers; i++)
    g_clear_signal_handler (&pd->handlers[i], pd->state);
  memset (pd, 0, sizeof *pd);
}

void
scm_page_document_clear (ScmPageDocument *pd)
{
  if (pd->document != NULL)
    {
      /* Handler 0 is on the document, the rest on its state. */
      g_clear_signal_handler (&pd->handlers[0], pd->document);
      for (guint i = 1; i < pd->n_handlers; i++)
        g_clear_signal_handler (&pd->handlers[i], pd->state);
      g_object_weak_unref (G_OBJECT (pd->document), document_gone, pd);
    }
  memset (pd, 0, sizeof *pd);
}

gboolean
scm_page_document_set (ScmPageDocument *pd, gpointer page, ScmDocument *document,
                       GCallback document_changed, const ScmPageSignal *signals, guint n_signals)
{
  g_return_val_if_fail (n_signals <= SCM_PAGE_MAX_SIGNALS, FALSE);

  if (pd->document == document && document != NULL)
    return FALSE;
  scm_page_document_clear (pd);
  if (document == NULL)
    return TRUE;
  pd->document = document;
  g_object_weak_ref (G_OBJECT (document), document_gone, pd);
  pd->state = scm_explore_state_get (document);
  pd->handlers[0] = g_signal_connect (document, "changed", document_changed, page);
  for (guint i = 0; i < n_signals; i++)
    pd->handlers[i + 1] = g_signal_connect_data (pd->state, signals[i].name, signals[i].callback, page,
                                                 NULL, signals[i].flags);
  pd->n_handlers = n_signals + 1;
  return TRUE;
}

gboolean
scm_widget_set_model (GtkWidget *widget, gpointer slot, gpointer model, GCallback changed)
{
  GObject **model_slot = slot;

  if (*model_slot == model)
    return FALSE;
  if (*model_slot != NULL)
    g_signal_handlers_disconnect_by_func (*model_slot, changed, widget);
  g_set_object (model_slot, model);
  if (model != NULL)
    g_signal_connect_swapped (model, "changed", changed, widget);
  gtk_widget_queue_draw (widget);
  return TRUE;
}
