/* scm-scatter-view.h: interactive scatter plot widget (UMAP, biaxial gates).
 *
 * Shows an ScmScatterModel: scroll or pinch to zoom at the pointer, drag to
 * pan, Shift+drag (or the lasso tool) to draw a polygon that selects the
 * visible points inside it, hover for a tooltip about the nearest cell.  The
 * points are drawn by the fast renderer into a texture; the title, axis
 * labels, colour bar, lasso and gate outlines are drawn over it with cairo.
 */
#pragma once

#include <gtk/gtk.h>

#include "scm-scatter-model.h"

G_BEGIN_DECLS

typedef enum {
  SCM_SCATTER_TOOL_PAN,
  SCM_SCATTER_TOOL_LASSO,
} ScmScatterTool;

/* Tooltip text for point i (newly allocated, NULL for none). */
typedef char *(*ScmScatterTooltipFunc) (gint64 index, gpointer user_data);

#define SCM_TYPE_SCATTER_VIEW (scm_scatter_view_get_type ())
G_DECLARE_FINAL_TYPE (ScmScatterView, scm_scatter_view, SCM, SCATTER_VIEW, GtkWidget)

ScmScatterView  *scm_scatter_view_new            (void);
void             scm_scatter_view_set_model      (ScmScatterView *self, ScmScatterModel *model);
ScmScatterModel *scm_scatter_view_get_model      (ScmScatterView *self);
void             scm_scatter_view_set_title      (ScmScatterView *self, const char *title);
void             scm_scatter_view_set_axis_labels (ScmScatterView *self, const char *x,
                                                   const char *y);
void             scm_scatter_view_set_tool       (ScmScatterView *self, ScmScatterTool tool);
/* FALSE: no pan/zoom/lasso (small multiples); a click emits "activated". */
void             scm_scatter_view_set_interactive (ScmScatterView *self, gboolean interactive);
void             scm_scatter_view_set_show_colorbar (ScmScatterView *self, gboolean show);
/* 0 = automatic from the number of points. */
void             scm_scatter_view_set_point_radius (ScmScatterView *self, float radius);
void             scm_scatter_view_reset_view     (ScmScatterView *self);
void             scm_scatter_view_set_tooltip_func (ScmScatterView *self,
                                                    ScmScatterTooltipFunc func,
                                                    gpointer user_data, GDestroyNotify destroy);
/* A polygon (n, 2) in data coordinates drawn as an outline (a gate); NULL clears. */
void             scm_scatter_view_set_gate       (ScmScatterView *self, const float *poly, int n);
/* The gate outline shown (n_out vertices), or NULL. */
const float     *scm_scatter_view_get_gate       (ScmScatterView *self, int *n_out);
/* Programmatic lasso (tests, gates restored from a session): selects the
 * visible points inside poly (n, 2) exactly as a drawn stroke would. */
void             scm_scatter_view_apply_lasso    (ScmScatterView *self, const float *poly, int nv);
/* What the hover tooltip shows at widget coordinates (x, y): markup from
 * the tooltip func for the nearest point, or NULL where none is near. */
char            *scm_scatter_view_get_tooltip_markup (ScmScatterView *self, double x, double y);
/* Where point i is drawn, in widget coordinates; FALSE when it is not. */
gboolean         scm_scatter_view_get_point_position (ScmScatterView *self, gint64 i,
                                                      double *x, double *y);
const ScmScatterViewport *scm_scatter_view_get_viewport (ScmScatterView *self);
float            scm_scatter_view_get_effective_radius (ScmScatterView *self, int width,
                                                        int height);

/* Signals:
 *   "lasso-finished" (gpointer polygon float[n*2], gint n): emitted after a
 *       lasso stroke with enough area, before "selection-made".
 *   "selection-made" (gpointer mask guint8[n_points], gint64 count): the
 *       visible points inside the lasso (mask valid during emission).
 *   "activated": a click on a non-interactive view. */

G_END_DECLS
