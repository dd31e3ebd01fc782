/* scm-markers-row.h: one row of the marker table (a gene in one group),
 * with properties so GtkColumnView can sort by any column. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SCM_TYPE_MARKERS_ROW (scm_markers_row_get_type ())
G_DECLARE_FINAL_TYPE (ScmMarkersRow, scm_markers_row, SCM, MARKERS_ROW, GObject)

ScmMarkersRow *scm_markers_row_new (const char *group, gint32 group_index, const char *gene,
                                    const char *color_key, double logfc, double pct_in,
                                    double pct_out, double padj, double score);
const char *scm_markers_row_get_group     (ScmMarkersRow *self);
gint32      scm_markers_row_get_group_index (ScmMarkersRow *self);
const char *scm_markers_row_get_gene      (ScmMarkersRow *self);
/* What to colour the embedding by ("CD8A", "CD8a (protein)"). */
const char *scm_markers_row_get_color_key (ScmMarkersRow *self);
double      scm_markers_row_get_logfc     (ScmMarkersRow *self);
double      scm_markers_row_get_pct_in    (ScmMarkersRow *self);
double      scm_markers_row_get_pct_out   (ScmMarkersRow *self);
double      scm_markers_row_get_padj      (ScmMarkersRow *self);
double      scm_markers_row_get_score     (ScmMarkersRow *self);

G_END_DECLS
