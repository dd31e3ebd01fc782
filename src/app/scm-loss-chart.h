/* scm-loss-chart.h: live training curves.
 *
 * Draws an ScmLossModel: losses on the left axis, accuracy (0-100 %) on
 * the right, epochs along x with a faint marker at every epoch, a legend,
 * and on hover a vertical guide with the nearest point of each series
 * read out.  scm_loss_chart_draw() is a plain function over a cairo_t
 * (tests render it without a display); the widget redraws on the next
 * frame after the model changes, never more often.
 */
#pragma once

#include <gtk/gtk.h>

#include "scm-chart-axis.h"
#include "scm-loss-model.h"

G_BEGIN_DECLS

typedef ScmChartArea ScmLossArea;

void   scm_loss_chart_get_area (ScmLossModel *model, double width, double height, ScmLossArea *area);
/* Data x (epochs) at pixel px, for hover. */
double scm_loss_chart_x_at     (ScmLossModel *model, double width, double height, double px);
/* hover_x: epoch under the pointer, or NAN for none. */
void   scm_loss_chart_draw     (cairo_t *cr, double width, double height, ScmLossModel *model,
                                const ScmChartStyle *style, double hover_x);

#define SCM_TYPE_LOSS_CHART (scm_loss_chart_get_type ())
G_DECLARE_FINAL_TYPE (ScmLossChart, scm_loss_chart, SCM, LOSS_CHART, GtkWidget)

GtkWidget    *scm_loss_chart_new       (void);
void          scm_loss_chart_set_model (ScmLossChart *self, ScmLossModel *model);
ScmLossModel *scm_loss_chart_get_model (ScmLossChart *self);

G_END_DECLS
