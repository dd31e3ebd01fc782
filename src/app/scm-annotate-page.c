/* scm-annotate-page.c: the Annotate page (stub: real content lands in later commits). */
#include "config.h"

#include <glib/gi18n.h>

#include "scm-annotate-page.h"

struct _ScmAnnotatePage
{
  AdwBin       parent_instance;
  ScmDocument *document;   /* weak: the window owns the document */
};

G_DEFINE_FINAL_TYPE (ScmAnnotatePage, scm_annotate_page, ADW_TYPE_BIN)

static void
scm_annotate_page_class_init (ScmAnnotatePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/scmmae/Studio/ui/scm-annotate-page.ui");
}

static void
scm_annotate_page_init (ScmAnnotatePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ScmAnnotatePage *
scm_annotate_page_new (void)
{
  return g_object_new (SCM_TYPE_ANNOTATE_PAGE, NULL);
}

void
scm_annotate_page_set_document (ScmAnnotatePage *self, ScmDocument *document)
{
  g_return_if_fail (SCM_IS_ANNOTATE_PAGE (self));
  self->document = document;
}
