/* scm-explore-page.c: the Explore page (stub: real content lands in later commits). */
#include "config.h"

#include <glib/gi18n.h>

#include "scm-explore-page.h"

struct _ScmExplorePage
{
  AdwBin       parent_instance;
  ScmDocument *document;   /* weak: the window owns the document */
};

G_DEFINE_FINAL_TYPE (ScmExplorePage, scm_explore_page, ADW_TYPE_BIN)

static void
scm_explore_page_class_init (ScmExplorePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/scmmae/Studio/ui/scm-explore-page.ui");
}

static void
scm_explore_page_init (ScmExplorePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ScmExplorePage *
scm_explore_page_new (void)
{
  return g_object_new (SCM_TYPE_EXPLORE_PAGE, NULL);
}

void
scm_explore_page_set_document (ScmExplorePage *self, ScmDocument *document)
{
  g_return_if_fail (SCM_IS_EXPLORE_PAGE (self));
  self->document = document;
}
