/* scm-chart-util.c: ticks, labels, colours and text for the charts. */
#include "config.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>

#include "scm-chart-util.h"

static double
nice_number (double x, gboolean round_it)
{
  double e = floor (log10 (x));
  double f = x / pow (10.0, e);
  double nf;

  if (round_it)
    nf = f < 1.5 ? 1.0 : f < 2.25 ? 2.0 : f < 3.5 ? 2.5 : f < 7.5 ? 5.0 : 10.0;
  else
    nf = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 2.5 ? 2.5 : f <= 5.0 ? 5.0 : 10.0;
  return nf * pow (10.0, e);
}

void
scm_ticks_compute (ScmTicks *t, double min, double max, guint target)
{
  double range, step;

  memset (t, 0, sizeof *t);
  target = CLAMP (target, 2, 10);
  if (!isfinite (min) || !isfinite (max))
    {
      min = 0.0;
      max = 1.0;
    }
  if (min > max)
    {
      double tmp = min;
      min = max;
      max = tmp;
    }
  if (max - min < 1e-12 * MAX (1.0, fabs (max)))
    {
      double pad = fabs (min) > 0 ? fabs (min) * 0.5 : 0.5;
      min -= pad;
      max += pad;
    }

  range = nice_number (max - min, FALSE);
  step = nice_number (range / target, TRUE);
  t->step = step;
  t->lo = floor (min / step) * step;
  t->hi = ceil (max / step) * step;
  /* Guard the loop against rounding: at most SCM_MAX_TICKS values. */
  for (guint i = 0; i < SCM_MAX_TICKS; i++)
    {
      double v = t->lo + i * step;
      if (v > t->hi + step * 1e-6)
        break;
      if (fabs (v) < step * 1e-9)
        v = 0.0;
      t->values[t->n++] = v;
    }
}

void
scm_ticks_format (const ScmTicks *t, double v, char *buf, gsize size)
{
  double a = fabs (v);
  int decimals;

  if (a >= 1e6 && t->step >= 1e5)
    {
      double m = v / 1e6;
      decimals = t->step >= 1e6 ? 0 : 1;
      snprintf (buf, size, "%.*fM", decimals, m);
      return;
    }
  if (a >= 1e4 && t->step >= 1e3)
    {
      double k = v / 1e3;
      decimals = fmod (t->step, 1e3) == 0 ? 0 : 1;
      snprintf (buf, size, "%.*fk", decimals, k);
      return;
    }
  /* Enough decimals to write the step exactly (0.25 needs 2, 2.5 needs 1). */
  decimals = 0;
  while (decimals < 6)
    {
      double scaled = t->step * pow (10.0, decimals);
      if (fabs (scaled - round (scaled)) < 1e-6 * MAX (1.0, scaled))
        break;
      decimals++;
    }
  snprintf (buf, size, "%.*f", decimals, v);
}

void
scm_chart_style_init (ScmChartStyle *s, gboolean dark)
{
  memset (s, 0, sizeof *s);
  s->dark = dark;
  if (dark)
    {
      s->fg = (ScmRgba) { 1, 1, 1, 0.85 };
      s->grid = (ScmRgba) { 1, 1, 1, 0.10 };
      s->accent = (ScmRgba) { 0.47, 0.68, 0.93, 1 };
      s->dim = (ScmRgba) { 0, 0, 0, 0.35 };
    }
  else
    {
      s->fg = (ScmRgba) { 0, 0, 0, 0.80 };
      s->grid = (ScmRgba) { 0, 0, 0, 0.10 };
      s->accent = (ScmRgba) { 0.21, 0.52, 0.89, 1 };  /* Adwaita blue 3 */
      s->dim = (ScmRgba) { 1, 1, 1, 0.65 };
    }
  s->bg = (ScmRgba) { 0, 0, 0, 0 };
}

ScmRgba
scm_chart_series_color (guint i)
{
  static const ScmRgba okabe_ito[] = {
    { 0.000, 0.447, 0.698, 1 },  /* blue */
    { 0.835, 0.369, 0.000, 1 },  /* vermillion */
    { 0.000, 0.620, 0.451, 1 },  /* bluish green */
    { 0.800, 0.475, 0.655, 1 },  /* reddish purple */
    { 0.902, 0.624, 0.000, 1 },  /* orange */
    { 0.337, 0.706, 0.914, 1 },  /* sky blue */
  };
  return okabe_ito[i % G_N_ELEMENTS (okabe_ito)];
}

static PangoLayout *
chart_layout (cairo_t *cr, const char *text, double size, gboolean bold)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_new ();

  pango_font_description_set_family (font, "Sans");
  pango_font_description_set_absolute_size (font, size * PANGO_SCALE * 96.0 / 72.0);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_font_description_free (font);
  return layout;
}

void
scm_chart_text (cairo_t *cr, const char *text, double x, double y, double xalign,
                double yalign, double size, gboolean bold)
{
  PangoLayout *layout = chart_layout (cr, text, size, bold);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - xalign * w, y - yalign * h);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

double
scm_chart_text_width (cairo_t *cr, const char *text, double size, gboolean bold)
{
  PangoLayout *layout = chart_layout (cr, text, size, bold);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  g_object_unref (layout);
  return w;
}
