/* test-scatter-plots.c: the Markers page's plain cairo plots (dot plot,
 * volcano) drawn into image surfaces: they draw where the data says and
 * survive degenerate input (suite app, no display). */
#include <math.h>

#include "scm-colormap.h"
#include "scm-dotplot.h"
#include "scm-volcano.h"

static cairo_surface_t *
surface (int w, int h)
{
  return cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
}

static guint32
pixel (cairo_surface_t *s, int x, int y)
{
  cairo_surface_flush (s);
  return ((guint32 *) cairo_image_surface_get_data (s))[y * cairo_image_surface_get_stride (s) / 4 + x];
}

static gint64
count_color (cairo_surface_t *s, gboolean (*pred) (guint32))
{
  cairo_surface_flush (s);
  gint64 n = 0;
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      n += pred (pixel (s, x, y));
  return n;
}

static gboolean
is_red (guint32 c)
{
  return ((c >> 16) & 0xff) > 180 && ((c >> 8) & 0xff) < 80 && (c & 0xff) < 80;
}

static gboolean
is_blue (guint32 c)
{
  return ((c >> 16) & 0xff) < 60 && (c & 0xff) > 150;
}

static gboolean
is_yellow (guint32 c)
{
  return ((c >> 16) & 0xff) > 200 && ((c >> 8) & 0xff) > 200 && (c & 0xff) < 90;
}

static void
test_volcano (void)
{
  /* 3 up-regulated significant, 2 down, the rest not significant. */
  enum { N = 200 };
  double lfc[N], padj[N];
  const char *names[N];
  for (int i = 0; i < N; i++)
    {
      lfc[i] = ((i % 7) - 3) * 0.2;
      padj[i] = 0.5;
      names[i] = "g";
    }
  lfc[0] = 4; padj[0] = 1e-50; names[0] = "UP1";
  lfc[1] = 3; padj[1] = 1e-30; names[1] = "UP2";
  lfc[2] = 2; padj[2] = 0;     names[2] = "UP3";   /* p underflow: top of the axis */
  lfc[3] = -3; padj[3] = 1e-20; names[3] = "DOWN1";
  lfc[4] = -2; padj[4] = 1e-10; names[4] = "DOWN2";
  lfc[5] = NAN; padj[5] = NAN;
  ScmVolcanoData d = { .n = N, .logfc = lfc, .padj = padj, .names = names, .title = "B vs rest" };
  cairo_surface_t *s = surface (500, 400);
  cairo_t *cr = cairo_create (s);
  scm_volcano_draw (cr, 500, 400, &d);
  cairo_destroy (cr);
  gint64 red = count_color (s, is_red), blue = count_color (s, is_blue);
  g_assert_cmpint (red, >, 3 * 10);
  g_assert_cmpint (blue, >, 2 * 10);
  /* Up genes are right of the centre, down genes left. */
  gint64 red_left = 0;
  for (int y = 0; y < 400; y++)
    for (int x = 0; x < 250; x++)
      red_left += is_red (pixel (s, x, y));
  g_assert_cmpint (red_left, ==, 0);
  g_assert_cmpfloat (scm_volcano_y (0, 300), ==, 300);
  g_assert_cmpfloat_with_epsilon (scm_volcano_y (1e-5, 300), 5, 1e-12);
  cairo_surface_destroy (s);
  /* Degenerate: nothing, tiny area. */
  s = surface (10, 10);
  cr = cairo_create (s);
  scm_volcano_draw (cr, 10, 10, &d);
  ScmVolcanoData empty = { 0 };
  scm_volcano_draw (cr, 10, 10, &empty);
  scm_volcano_draw (cr, 10, 10, NULL);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

static void
test_dotplot (void)
{
  /* 2 groups x 2 genes: group 0 has gene 0 high in all cells, group 1
   * has gene 1 high; the off-diagonal is barely detected. */
  const char *groups[] = { "B", "T" };
  const char *genes[] = { "MS4A1", "CD3E" };
  const double mean[] = { 3.0, 0.1, 0.0, 2.5 };
  const double frac[] = { 1.0, 0.05, 0.0, 0.9 };
  ScmDotplotData d = { .n_groups = 2, .n_genes = 2, .groups = groups, .genes = genes,
                       .mean = mean, .frac = frac };
  cairo_surface_t *s = surface (400, 300);
  cairo_t *cr = cairo_create (s);
  scm_dotplot_draw (cr, 400, 300, &d);
  cairo_destroy (cr);
  /* Two big bright (top of viridis) dots on the diagonal. */
  gint64 yellow = count_color (s, is_yellow);
  g_assert_cmpint (yellow, >, 2 * 100);
  /* The largest yellow blob in the left half is above the one in the right half. */
  double yl = 0, yr = 0;
  gint64 nl = 0, nr = 0;
  for (int y = 0; y < 300; y++)
    for (int x = 0; x < 400; x++)
      if (is_yellow (pixel (s, x, y)))
        {
          if (x < 250)
            yl += y, nl++;
          else
            yr += y, nr++;
        }
  g_assert_cmpint (nl, >, 0);
  g_assert_cmpint (nr, >, 0);
  g_assert_cmpfloat (yl / nl, <, yr / nr);
  cairo_surface_destroy (s);
  s = surface (5, 5);
  cr = cairo_create (s);
  scm_dotplot_draw (cr, 5, 5, &d);
  scm_dotplot_draw (cr, 5, 5, NULL);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/plots/volcano", test_volcano);
  g_test_add_func ("/app/plots/dotplot", test_dotplot);
  return g_test_run ();
}
