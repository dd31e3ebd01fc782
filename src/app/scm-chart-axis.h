/* scm-chart-axis.h: the axes the Cairo charts share (loss chart, QC
 * histograms): horizontal grid lines with value labels on the left, and an
 * x axis with a base line, tick marks and labels below the plot area.
 *
 * Plain functions on a cairo_t, no GTK: tests draw them into image
 * surfaces.  Where the x ticks go and what they say stays with each chart
 * (linear epochs, log-scaled counts), so the x axis takes pixel positions
 * and ready-made labels.
 */
#pragma once

#include "scm-chart-util.h"

G_BEGIN_DECLS

/* The plot area inside a chart, in pixels. */
typedef struct {
  double x, y, width, height;
} ScmChartArea;

/* Pixel row of value v on a y axis spanning [t->lo, t->hi] over the area. */
double scm_chart_axis_y (const ScmChartArea *a, const ScmTicks *t, double v);

/* One grid line across the area per tick of t (style->grid), each
 * labelled with its value just left of the area (style->fg). */
void   scm_chart_draw_y_grid (cairo_t *cr, const ScmChartArea *a, const ScmTicks *t,
                              const ScmChartStyle *style);

/* The x axis under the area (style->fg): a base line, then for each of the
 * n ticks a 4-pixel mark at column xs[i] and labels[i] centred below it. */
void   scm_chart_draw_x_axis (cairo_t *cr, const ScmChartArea *a, guint n, const double *xs,
                              const char *const *labels, const ScmChartStyle *style);

G_END_DECLS
