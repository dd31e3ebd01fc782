/* scm-explore-page.h: the Explore page of the main window (see scm-explore-page.c). */
#pragma once

#include <adwaita.h>

#include "scm-document.h"

G_BEGIN_DECLS


#define SCM_TYPE_EXPLORE_PAGE (scm_explore_page_get_type ())
G_DECLARE_FINAL_TYPE (ScmExplorePage, scm_explore_page, SCM, EXPLORE_PAGE, AdwBin)

ScmExplorePage *scm_explore_page_new          (void);
void         scm_explore_page_set_document (ScmExplorePage *self, ScmDocument *document);

G_END_DECLS
