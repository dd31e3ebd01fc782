/* scm-chart-util.h: small pure helpers shared by the Cairo charts.
 *
 * Nice axis ticks (1, 2, 2.5, 5 x 10^k steps, the classic "nice numbers"
 * rule from Heckbert, Graphics Gems 1990), compact number labels, and
 * the chart colours.  No GTK: tests draw charts into image surfaces.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

#define SCM_MAX_TICKS 16

typedef struct {
  double lo, hi;                  /* axis range after rounding outward to the step */
  double step;
  guint  n;                       /* ticks in [lo, hi] */
  double values[SCM_MAX_TICKS];
} ScmTicks;

/* Ticks covering [min, max] with about `target` intervals (2..10).
 * Degenerate ranges (min == max, NaN) get a unit range around min. */
void   scm_ticks_compute  (ScmTicks *t, double min, double max, guint target);
/* Label for value v on an axis with this step: "0.25", "1.5k", "12k", "2M". */
void   scm_ticks_format   (const ScmTicks *t, double v, char *buf, gsize size);

typedef struct { double r, g, b, a; } ScmRgba;

typedef struct {
  ScmRgba fg;        /* text, axes */
  ScmRgba grid;
  ScmRgba bg;        /* plot background; a = 0 for none */
  ScmRgba accent;    /* bars, first series */
  ScmRgba dim;       /* filtered-out region */
  gboolean dark;
} ScmChartStyle;

void   scm_chart_style_init (ScmChartStyle *s, gboolean dark);
/* Series colours (colour-blind safe, Okabe–Ito order). */
ScmRgba scm_chart_series_color (guint i);
static inline void
scm_cairo_set_rgba (cairo_t *cr, const ScmRgba *c)
{
  cairo_set_source_rgba (cr, c->r, c->g, c->b, c->a);
}

/* Draws text with Pango at (x, y); xalign/yalign in [0,1] position the text
 * box relative to the point.  Font size in points at 96 dpi. */
void   scm_chart_text (cairo_t *cr, const char *text, double x, double y,
                       double xalign, double yalign, double size, gboolean bold);

/* Width in pixels of text drawn by scm_chart_text with the same size/weight. */
double scm_chart_text_width (cairo_t *cr, const char *text, double size, gboolean bold);

G_END_DECLS
