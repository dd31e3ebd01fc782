/* scm-markers-page.h: the Markers page: Wilcoxon markers per group (genes
 * or proteins), or of the selection, in a sortable table with a dot plot
 * and a volcano plot; activating a gene colours the embedding by it. */
#pragma once

#include <adwaita.h>

#include "scm-document.h"

G_BEGIN_DECLS

#define SCM_TYPE_MARKERS_PAGE (scm_markers_page_get_type ())
G_DECLARE_FINAL_TYPE (ScmMarkersPage, scm_markers_page, SCM, MARKERS_PAGE, AdwBin)

typedef enum {
  SCM_MARKERS_EACH_VS_REST,
  SCM_MARKERS_SELECTION_VS_REST,
  SCM_MARKERS_SELECTION_VS_REMEMBERED,
} ScmMarkersCompare;

ScmMarkersPage *scm_markers_page_new          (void);
void            scm_markers_page_set_document (ScmMarkersPage *self, ScmDocument *document);

/* Tests and scripting. */
void            scm_markers_page_configure    (ScmMarkersPage *self, gboolean proteins,
                                               const char *group_column,
                                               ScmMarkersCompare compare);
void            scm_markers_page_remember_selection (ScmMarkersPage *self);
gboolean        scm_markers_page_is_busy      (ScmMarkersPage *self);
/* The table as shown (sorted): a GListModel of ScmMarkersRow. */
GListModel     *scm_markers_page_get_rows     (ScmMarkersPage *self);
/* Top gene of a group by score, or NULL. */
const char     *scm_markers_page_top_gene     (ScmMarkersPage *self, const char *group);
/* Same as clicking a column header: 0 group, 1 gene, 2 log2 FC, 3 in
 * group, 4 elsewhere, 5 adjusted p. */
void            scm_markers_page_sort_by_column (ScmMarkersPage *self, guint column,
                                                 GtkSortType order);
/* Same as activating row `position` in the table. */
void            scm_markers_page_activate_row (ScmMarkersPage *self, guint position);

G_END_DECLS
