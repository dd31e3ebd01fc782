/* scm-chart-axis.c: grid lines and axes for the Cairo charts (see header). */
#include "config.h"

#include <math.h>

#include "scm-chart-axis.h"

/* Lines sit on pixel centres (+0.5) so 1-pixel strokes stay crisp. */
static double
crisp (double v)
{
  return round (v) + 0.5;
}

double
scm_chart_axis_y (const ScmChartArea *a, const ScmTicks *t, double v)
{
  return a->y + a->height - (v - t->lo) / (t->hi - t->lo) * a->height;
}

void
scm_chart_draw_y_grid (cairo_t *cr, const ScmChartArea *a, const ScmTicks *t,
                       const ScmChartStyle *style)
{
  char buf[64];

  cairo_set_line_width (cr, 1.0);
  for (guint i = 0; i < t->n; i++)
    {
      double y = scm_chart_axis_y (a, t, t->values[i]);
      scm_cairo_set_rgba (cr, &style->grid);
      cairo_move_to (cr, a->x, crisp (y));
      cairo_line_to (cr, a->x + a->width, crisp (y));
      cairo_stroke (cr);
      scm_ticks_format (t, t->values[i], buf, sizeof buf);
      scm_cairo_set_rgba (cr, &style->fg);
      scm_chart_text (cr, buf, a->x - 6, y, 1.0, 0.5, 8, FALSE);
    }
}

void
scm_chart_draw_x_axis (cairo_t *cr, const ScmChartArea *a, guint n, const double *xs,
                       const char *const *labels, const ScmChartStyle *style)
{
  double base = a->y + a->height;

  cairo_set_line_width (cr, 1.0);
  scm_cairo_set_rgba (cr, &style->fg);
  cairo_move_to (cr, a->x, base + 0.5);
  cairo_line_to (cr, a->x + a->width, base + 0.5);
  cairo_stroke (cr);
  for (guint i = 0; i < n; i++)
    {
      cairo_move_to (cr, crisp (xs[i]), base);
      cairo_line_to (cr, crisp (xs[i]), base + 4);
      cairo_stroke (cr);
      scm_chart_text (cr, labels[i], xs[i], base + 6, 0.5, 0.0, 8, FALSE);
    }
}
