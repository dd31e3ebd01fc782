/* scm-markers-page.h: the Markers page of the main window (see scm-markers-page.c). */
#pragma once

#include <adwaita.h>

#include "scm-document.h"

G_BEGIN_DECLS


#define SCM_TYPE_MARKERS_PAGE (scm_markers_page_get_type ())
G_DECLARE_FINAL_TYPE (ScmMarkersPage, scm_markers_page, SCM, MARKERS_PAGE, AdwBin)

ScmMarkersPage *scm_markers_page_new          (void);
void         scm_markers_page_set_document (ScmMarkersPage *self, ScmDocument *document);

G_END_DECLS
