/* scm-colormap.c: continuous LUTs (matplotlib samples) and a categorical palette. */
#include "scm-colormap.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scm-colormap-tables.h"

/* matplotlib tab20 reordered as scanpy's default_20: saturated hues first,
 * then their light variants, so 8-10 clusters get clearly different colours. */
static const guint32 palette20[20] = {
  0x1f77b4, 0xff7f0e, 0x279e68, 0xd62728, 0xaa40fc, 0x8c564b, 0xe377c2, 0xb5bd61,
  0x17becf, 0xaec7e8, 0xffbb78, 0x98df8a, 0xff9896, 0xc5b0d5, 0xc49c94, 0xf7b6d2,
  0xdbdb8d, 0x9edae5, 0xad494a, 0x8c6d31,
};

static const guint32 *
lut_for (ScmColormapKind kind)
{
  return kind == SCM_COLORMAP_MAGMA ? scm_lut_magma : scm_lut_viridis;
}

guint32
scm_colormap_continuous (ScmColormapKind kind, float t)
{
  if (isnan (t))
    return SCM_COLOR_MISSING;
  if (t < 0.f)
    t = 0.f;
  if (t > 1.f)
    t = 1.f;
  int i = (int) lrintf (t * 255.f);
  return 0xff000000u | lut_for (kind)[i];
}

static guint32
hsv_to_argb (double h, double s, double v)
{
  double c = v * s, hp = fmod (h, 1.0) * 6.0, x = c * (1 - fabs (fmod (hp, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  if (hp < 1) { r = c; g = x; }
  else if (hp < 2) { r = x; g = c; }
  else if (hp < 3) { g = c; b = x; }
  else if (hp < 4) { g = x; b = c; }
  else if (hp < 5) { r = x; b = c; }
  else { r = c; b = x; }
  double m = v - c;
  return 0xff000000u | ((guint32) lrint ((r + m) * 255) << 16) |
         ((guint32) lrint ((g + m) * 255) << 8) | (guint32) lrint ((b + m) * 255);
}

guint32
scm_colormap_categorical (guint index)
{
  if (index < G_N_ELEMENTS (palette20))
    return 0xff000000u | palette20[index];
  /* Golden-angle hue steps, alternating value so adjacent indices differ. */
  guint k = index - 20;
  double h = fmod (0.07 + k * 0.618033988749895, 1.0);
  static const double vs[3] = { 0.92, 0.68, 0.48 };
  double s = ((k / 3) % 2) ? 0.45 : 0.8;
  return hsv_to_argb (h, s, vs[k % 3]);
}

void
scm_colormap_map_values (ScmColormapKind kind, const float *v, gint64 n, float vmin, float vmax,
                         guint32 *out)
{
  const guint32 *lut = lut_for (kind);
  float span = vmax - vmin;
  float k = span > 0.f ? 255.f / span : 0.f;
  for (gint64 i = 0; i < n; i++)
    {
      float x = v[i];
      if (isnan (x))
        {
          out[i] = SCM_COLOR_MISSING;
          continue;
        }
      float f = (x - vmin) * k;
      int j = f <= 0.f ? 0 : f >= 255.f ? 255 : (int) (f + 0.5f);
      out[i] = 0xff000000u | lut[j];
    }
}

static int
cmp_float (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

gboolean
scm_colormap_robust_range (const float *v, gint64 n, double q, float *vmin, float *vmax)
{
  *vmin = 0.f;
  *vmax = 1.f;
  float *tmp = g_try_new (float, MAX (n, 1));
  if (!tmp)
    return FALSE;
  gint64 m = 0;
  for (gint64 i = 0; i < n; i++)
    if (isfinite (v[i]))
      tmp[m++] = v[i];
  if (m == 0)
    {
      g_free (tmp);
      return FALSE;
    }
  qsort (tmp, m, sizeof (float), cmp_float);
  *vmin = tmp[0];
  gint64 qi = (gint64) floor (q * (double) (m - 1));
  *vmax = tmp[CLAMP (qi, 0, m - 1)];
  if (*vmax <= *vmin)
    *vmax = tmp[m - 1] > *vmin ? tmp[m - 1] : *vmin + 1.f;
  g_free (tmp);
  return TRUE;
}

guint32
scm_color_fade (guint32 argb, float amount)
{
  const float grey = 0xe4;
  guint32 r = (argb >> 16) & 0xff, g = (argb >> 8) & 0xff, b = argb & 0xff;
  r = (guint32) lrintf (r + (grey - r) * amount);
  g = (guint32) lrintf (g + (grey - g) * amount);
  b = (guint32) lrintf (b + (grey - b) * amount);
  return 0xff000000u | (r << 16) | (g << 8) | b;
}

void
scm_color_to_rgb (guint32 argb, double *r, double *g, double *b)
{
  *r = ((argb >> 16) & 0xff) / 255.0;
  *g = ((argb >> 8) & 0xff) / 255.0;
  *b = (argb & 0xff) / 255.0;
}

void
scm_colormap_draw_bar (cairo_t *cr, double x, double y, double w, double h,
                       ScmColormapKind kind, double vmin, double vmax, const char *title)
{
  double bar_w = MIN (14.0, w * 0.4);
  double top = y + (title ? 18.0 : 4.0), bottom = y + h - 8.0;
  if (bottom <= top)
    return;
  cairo_save (cr);
  cairo_pattern_t *pat = cairo_pattern_create_linear (0, bottom, 0, top);
  for (int i = 0; i <= 16; i++)
    {
      double r, g, b;
      scm_color_to_rgb (scm_colormap_continuous (kind, i / 16.f), &r, &g, &b);
      cairo_pattern_add_color_stop_rgb (pat, i / 16.0, r, g, b);
    }
  cairo_rectangle (cr, x, top, bar_w, bottom - top);
  cairo_set_source (cr, pat);
  cairo_fill_preserve (cr);
  cairo_pattern_destroy (pat);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.4);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);

  cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 10.0);
  char buf[32];
  snprintf (buf, sizeof buf, "%.3g", vmax);
  cairo_move_to (cr, x + bar_w + 4, top + 8);
  cairo_show_text (cr, buf);
  snprintf (buf, sizeof buf, "%.3g", (vmin + vmax) / 2);
  cairo_move_to (cr, x + bar_w + 4, (top + bottom) / 2 + 4);
  cairo_show_text (cr, buf);
  snprintf (buf, sizeof buf, "%.3g", vmin);
  cairo_move_to (cr, x + bar_w + 4, bottom);
  cairo_show_text (cr, buf);
  if (title)
    {
      cairo_set_font_size (cr, 11.0);
      cairo_move_to (cr, x, y + 12);
      cairo_show_text (cr, title);
    }
  cairo_restore (cr);
}
