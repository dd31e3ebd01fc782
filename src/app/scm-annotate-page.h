/* scm-annotate-page.h: the Annotate page of the main window (see scm-annotate-page.c). */
#pragma once

#include <adwaita.h>

#include "scm-document.h"

G_BEGIN_DECLS


#define SCM_TYPE_ANNOTATE_PAGE (scm_annotate_page_get_type ())
G_DECLARE_FINAL_TYPE (ScmAnnotatePage, scm_annotate_page, SCM, ANNOTATE_PAGE, AdwBin)

ScmAnnotatePage *scm_annotate_page_new          (void);
void         scm_annotate_page_set_document (ScmAnnotatePage *self, ScmDocument *document);

G_END_DECLS
