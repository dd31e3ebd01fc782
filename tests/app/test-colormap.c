/* test-colormap.c: colour maps and palettes (suite app, no display). */
#include <math.h>

#include "scm-colormap.h"

static void
test_viridis_ends (void)
{
  /* matplotlib viridis: dark purple at 0, yellow at 1. */
  g_assert_cmphex (scm_colormap_continuous (SCM_COLORMAP_VIRIDIS, 0.f), ==, 0xff440154u);
  g_assert_cmphex (scm_colormap_continuous (SCM_COLORMAP_VIRIDIS, 1.f), ==, 0xfffde725u);
  /* Clamped outside [0, 1], grey for NaN. */
  g_assert_cmphex (scm_colormap_continuous (SCM_COLORMAP_VIRIDIS, -3.f), ==, 0xff440154u);
  g_assert_cmphex (scm_colormap_continuous (SCM_COLORMAP_VIRIDIS, 7.f), ==, 0xfffde725u);
  g_assert_cmphex (scm_colormap_continuous (SCM_COLORMAP_VIRIDIS, NAN), ==, SCM_COLOR_MISSING);
}

static double
luminance (guint32 c)
{
  return 0.2126 * ((c >> 16) & 0xff) + 0.7152 * ((c >> 8) & 0xff) + 0.0722 * (c & 0xff);
}

static void
test_monotone_lightness (void)
{
  /* Perceptually uniform maps get lighter with the value: a biologist reads
   * brighter as "more".  Check luminance never drops by more than rounding. */
  for (int k = 0; k < 2; k++)
    {
      double prev = -1;
      for (int i = 0; i <= 255; i++)
        {
          double l = luminance (scm_colormap_continuous (k, i / 255.f));
          g_assert_cmpfloat (l, >=, prev - 1.0);
          prev = l;
        }
    }
}

static void
test_lut_matches_reference (void)
{
  float v[1000];
  guint32 fast[1000];
  for (int i = 0; i < 1000; i++)
    v[i] = (i == 17) ? NAN : -2.f + 7.f * i / 999.f;
  scm_colormap_map_values (SCM_COLORMAP_VIRIDIS, v, 1000, -1.f, 4.f, fast);
  for (int i = 0; i < 1000; i++)
    g_assert_cmphex (fast[i], ==, scm_colormap_continuous (SCM_COLORMAP_VIRIDIS, (v[i] + 1.f) / 5.f));
}

static void
test_categorical_distinct (void)
{
  /* The first 60 categories must be pairwise distinguishable and opaque. */
  for (guint i = 0; i < 60; i++)
    {
      guint32 a = scm_colormap_categorical (i);
      g_assert_cmphex (a >> 24, ==, 0xff);
      for (guint j = 0; j < i; j++)
        {
          guint32 b = scm_colormap_categorical (j);
          int dr = (int) ((a >> 16) & 0xff) - (int) ((b >> 16) & 0xff);
          int dg = (int) ((a >> 8) & 0xff) - (int) ((b >> 8) & 0xff);
          int db = (int) (a & 0xff) - (int) (b & 0xff);
          g_assert_cmpint (dr * dr + dg * dg + db * db, >, 100);
        }
    }
}

static void
test_robust_range (void)
{
  float v[1000];
  for (int i = 0; i < 1000; i++)
    v[i] = (float) (i % 100);
  v[5] = 1e6f;       /* one outlier must not set the top of the map */
  v[6] = NAN;
  float lo, hi;
  g_assert_true (scm_colormap_robust_range (v, 1000, 0.99, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0.f);
  g_assert_cmpfloat (hi, <=, 99.f);
  g_assert_cmpfloat (hi, >=, 97.f);
  float nan_only[3] = { NAN, NAN, NAN };
  g_assert_false (scm_colormap_robust_range (nan_only, 3, 0.99, &lo, &hi));
  /* All equal: still a non-empty range. */
  float flat[4] = { 2, 2, 2, 2 };
  g_assert_true (scm_colormap_robust_range (flat, 4, 0.99, &lo, &hi));
  g_assert_cmpfloat (hi, >, lo);
}

static void
test_fade (void)
{
  guint32 red = 0xffff0000u;
  g_assert_cmphex (scm_color_fade (red, 0.f), ==, red);
  guint32 f = scm_color_fade (red, 1.f);
  g_assert_cmphex (f, ==, 0xffe4e4e4u);
}

static void
test_colorbar_draws (void)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 60, 200);
  cairo_t *cr = cairo_create (s);
  scm_colormap_draw_bar (cr, 0, 0, 60, 200, SCM_COLORMAP_VIRIDIS, 0, 3.5, "CD8A");
  cairo_destroy (cr);
  cairo_surface_flush (s);
  /* Bottom of the bar is the low end (dark), top the high end (yellow). */
  guint32 *px = (guint32 *) cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s) / 4;
  guint32 lo = px[188 * stride + 5], hi = px[22 * stride + 5];
  g_assert_cmpfloat (luminance (hi), >, luminance (lo) + 100);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/colormap/viridis-ends", test_viridis_ends);
  g_test_add_func ("/app/colormap/monotone-lightness", test_monotone_lightness);
  g_test_add_func ("/app/colormap/lut-vs-reference", test_lut_matches_reference);
  g_test_add_func ("/app/colormap/categorical-distinct", test_categorical_distinct);
  g_test_add_func ("/app/colormap/robust-range", test_robust_range);
  g_test_add_func ("/app/colormap/fade", test_fade);
  g_test_add_func ("/app/colormap/colorbar", test_colorbar_draws);
  return g_test_run ();
}
