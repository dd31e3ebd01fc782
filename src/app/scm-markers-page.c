/* scm-markers-page.c: the Markers page (stub: real content lands in later commits). */
#include "config.h"

#include <glib/gi18n.h>

#include "scm-markers-page.h"

struct _ScmMarkersPage
{
  AdwBin       parent_instance;
  ScmDocument *document;   /* weak: the window owns the document */
};

G_DEFINE_FINAL_TYPE (ScmMarkersPage, scm_markers_page, ADW_TYPE_BIN)

static void
scm_markers_page_class_init (ScmMarkersPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/scmmae/Studio/ui/scm-markers-page.ui");
}

static void
scm_markers_page_init (ScmMarkersPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ScmMarkersPage *
scm_markers_page_new (void)
{
  return g_object_new (SCM_TYPE_MARKERS_PAGE, NULL);
}

void
scm_markers_page_set_document (ScmMarkersPage *self, ScmDocument *document)
{
  g_return_if_fail (SCM_IS_MARKERS_PAGE (self));
  self->document = document;
}
