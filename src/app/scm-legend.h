/* scm-legend.h: the category legend beside a scatter plot.
 *
 * One row per category of the model: a colour swatch, the name and the
 * number of cells; unticking a row hides that category in every view of
 * the model.  Empty for continuous colouring (the plot draws a colour bar).
 */
#pragma once

#include <gtk/gtk.h>

#include "scm-scatter-model.h"

G_BEGIN_DECLS

#define SCM_TYPE_LEGEND (scm_legend_get_type ())
G_DECLARE_FINAL_TYPE (ScmLegend, scm_legend, SCM, LEGEND, GtkWidget)

ScmLegend *scm_legend_new       (void);
void       scm_legend_set_model (ScmLegend *self, ScmScatterModel *model);
/* Number of category rows currently shown (tests). */
guint      scm_legend_get_n_rows (ScmLegend *self);
/* Draws the legend of a model with cairo (exports). Returns the height used. */
double     scm_legend_draw      (ScmScatterModel *model, cairo_t *cr, double x, double y,
                                 double max_height);

G_END_DECLS
