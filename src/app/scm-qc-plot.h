/* scm-qc-plot.h: one QC histogram with draggable filter thresholds.
 *
 * ScmQcPlot draws one metric of an ScmQcModel: the histogram (log10 axis
 * for counts), the cells outside the thresholds dimmed, and two handles
 * the user drags to move the lower and upper threshold.  The drawing is
 * scm_qc_plot_draw(), a plain function over a cairo_t, so tests render it
 * into an image surface without a display.
 */
#pragma once

#include <gtk/gtk.h>

#include "scm-chart-axis.h"
#include "scm-qc-model.h"

G_BEGIN_DECLS

/* Plot area inside the widget: left/top margins and the inner size. */
typedef ScmChartArea ScmPlotArea;

void     scm_qc_plot_get_area   (double width, double height, ScmPlotArea *area);
/* Axis mapping for a metric drawn in a widget of this width. */
double   scm_qc_plot_value_to_x (ScmQcModel *model, ScmQcMetric metric, double width, double value);
double   scm_qc_plot_x_to_value (ScmQcModel *model, ScmQcMetric metric, double width, double x);
void     scm_qc_plot_draw       (cairo_t *cr, double width, double height, ScmQcModel *model,
                                 ScmQcMetric metric, const ScmChartStyle *style);

#define SCM_TYPE_QC_PLOT (scm_qc_plot_get_type ())
G_DECLARE_FINAL_TYPE (ScmQcPlot, scm_qc_plot, SCM, QC_PLOT, GtkWidget)

GtkWidget  *scm_qc_plot_new       (ScmQcModel *model, ScmQcMetric metric);
void        scm_qc_plot_set_model (ScmQcPlot *self, ScmQcModel *model);
ScmQcModel *scm_qc_plot_get_model (ScmQcPlot *self);

G_END_DECLS
