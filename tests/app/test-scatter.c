/* test-scatter.c: fast scatter renderer vs the cairo_arc reference, the
 * viewport maths, the hit-testing grid vs a linear scan, and the model's
 * compiled draw arrays (suite app, no display). */
#include <math.h>

#include "scm-scatter-index.h"
#include "scm-scatter-model.h"
#include "scm-scatter-render.h"

static float *
random_points (gint64 n, guint64 seed, float lo, float hi)
{
  float *xy = g_new (float, 2 * n);
  GRand *r = g_rand_new_with_seed ((guint32) seed);
  for (gint64 i = 0; i < 2 * n; i++)
    xy[i] = (float) g_rand_double_range (r, lo, hi);
  g_rand_free (r);
  return xy;
}

static cairo_surface_t *
white_surface (int w, int h)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (s);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

/* Renders the same points both ways and reports how many pixels agree on
 * coverage and on exact colour. */
static void
compare_paths (float radius, gint64 n, double *coverage_agree, double *color_agree,
               gint64 *covered)
{
  const int W = 320, H = 240;
  float *xy = random_points (n, 7 + (guint64) (radius * 10), -1.2f, 1.2f); /* some off-canvas */
  guint32 *argb = g_new (guint32, n);
  for (gint64 i = 0; i < n; i++)
    argb[i] = 0xff000000u | (guint32) ((i * 2654435761u) & 0x00ffffffu);
  ScmScatterBounds b = { -1, 1, -1, 1 };
  ScmScatterViewport vp;
  ScmScatterTransform t;
  scm_scatter_viewport_reset (&vp, &b);
  scm_scatter_viewport_transform (&vp, &b, W, H, 10, &t);

  cairo_surface_t *fast = white_surface (W, H), *ref = white_surface (W, H);
  scm_scatter_render (cairo_image_surface_get_data (fast), W, H,
                      cairo_image_surface_get_stride (fast), xy, argb, n, &t, radius);
  cairo_surface_mark_dirty (fast);
  cairo_t *cr = cairo_create (ref);
  scm_scatter_render_naive (cr, xy, argb, n, &t, radius);
  cairo_destroy (cr);
  cairo_surface_flush (ref);

  gint64 same_cov = 0, same_col = 0, cov = 0;
  int stride = cairo_image_surface_get_stride (fast) / 4;
  const guint32 *pf = (const guint32 *) cairo_image_surface_get_data (fast);
  const guint32 *pr = (const guint32 *) cairo_image_surface_get_data (ref);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        guint32 a = pf[y * stride + x], c = pr[y * stride + x];
        gboolean ca = a != 0xffffffffu, cc = c != 0xffffffffu;
        same_cov += ca == cc;
        same_col += a == c;
        cov += cc;
      }
  *coverage_agree = (double) same_cov / (W * H);
  *color_agree = (double) same_col / (W * H);
  *covered = cov;
  if (g_test_verbose ())
    g_test_message ("radius %.1f: coverage agree %.4f, colour agree %.4f, covered %" G_GINT64_FORMAT,
                    radius, *coverage_agree, *color_agree, cov);
  cairo_surface_destroy (fast);
  cairo_surface_destroy (ref);
  g_free (xy);
  g_free (argb);
}

static void
test_render_vs_naive (void)
{
  const float radii[] = { 0.8f, 1.5f, 2.5f, 4.0f };
  for (guint k = 0; k < G_N_ELEMENTS (radii); k++)
    {
      double cov, col;
      gint64 covered;
      compare_paths (radii[k], 1500, &cov, &col, &covered);
      g_assert_cmpint (covered, >, 1000);
      /* Disc rasterisation differs only on the rim pixels. */
      g_assert_cmpfloat (cov, >=, 0.97);
      g_assert_cmpfloat (col, >=, 0.95);
    }
}

static void
test_render_clips_edges (void)
{
  /* Points right on and beyond every edge must neither crash nor wrap. */
  const int W = 50, H = 40;
  cairo_surface_t *s = white_surface (W, H);
  float xy[] = { 0, 0, 1, 1, -0.01f, 0.5f, 1.01f, 0.5f, 0.5f, -0.01f, 0.5f, 1.01f,
                 NAN, 0.5f, 50, 50, -50, -50 };
  guint32 argb[9];
  for (int i = 0; i < 9; i++)
    argb[i] = 0xff000000u;
  ScmScatterTransform t = { .scale = W, .tx = 0, .ty = H };
  scm_scatter_render (cairo_image_surface_get_data (s), W, H, cairo_image_surface_get_stride (s),
                      xy, argb, 9, &t, 3.0f);
  cairo_surface_mark_dirty (s);
  const guint32 *p = (const guint32 *) cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s) / 4;
  /* (0, 0) maps to the bottom-left pixel. */
  g_assert_cmphex (p[(H - 1) * stride + 0], ==, 0xff000000u);
  /* The middle of the canvas stays white. */
  g_assert_cmphex (p[(H / 2) * stride + W / 4], ==, 0xffffffffu);
  cairo_surface_destroy (s);
}

static void
test_viewport (void)
{
  ScmScatterBounds b = { -5, 15, 0, 10 };
  ScmScatterViewport vp;
  ScmScatterTransform t;
  scm_scatter_viewport_reset (&vp, &b);
  scm_scatter_viewport_transform (&vp, &b, 800, 600, 20, &t);
  /* The data centre maps to the canvas centre, the full range fits. */
  g_assert_cmpfloat_with_epsilon (5 * t.scale + t.tx, 400, 1e-6);
  g_assert_cmpfloat_with_epsilon (t.ty - 5 * t.scale, 300, 1e-6);
  g_assert_cmpfloat (-5 * t.scale + t.tx, >=, 19.999);
  g_assert_cmpfloat (15 * t.scale + t.tx, <=, 780.001);
  double x, y;
  scm_scatter_transform_invert (&t, 123, 456, &x, &y);
  g_assert_cmpfloat_with_epsilon (x * t.scale + t.tx, 123, 1e-9);
  g_assert_cmpfloat_with_epsilon (t.ty - y * t.scale, 456, 1e-9);
  /* Zooming at a pixel keeps the data point under it fixed. */
  double x0, y0, x1, y1;
  scm_scatter_transform_invert (&t, 200, 150, &x0, &y0);
  scm_scatter_viewport_zoom_at (&vp, &b, 800, 600, 20, 200, 150, 2.5);
  scm_scatter_viewport_transform (&vp, &b, 800, 600, 20, &t);
  scm_scatter_transform_invert (&t, 200, 150, &x1, &y1);
  g_assert_cmpfloat_with_epsilon (x0, x1, 1e-9);
  g_assert_cmpfloat_with_epsilon (y0, y1, 1e-9);
  g_assert_cmpfloat_with_epsilon (vp.zoom, 2.5, 1e-12);
}

static void
test_index_vs_naive (void)
{
  const gint64 n = 20000;
  float *xy = random_points (n, 3, -10, 10);
  /* Clumps and duplicates, like a UMAP. */
  for (gint64 i = 0; i < n / 4; i++)
    {
      xy[2 * i] = xy[2 * i] * 0.01f + 3;
      xy[2 * i + 1] = xy[2 * i + 1] * 0.01f - 2;
    }
  xy[10] = xy[12];
  xy[11] = xy[13];
  xy[40] = NAN;
  guint8 *vis = g_new (guint8, n);
  for (gint64 i = 0; i < n; i++)
    vis[i] = (i % 5) != 0;
  g_autoptr (ScmScatterIndex) idx = scm_scatter_index_new (xy, n, vis);
  g_assert_nonnull (idx);
  GRand *r = g_rand_new_with_seed (11);
  for (int q = 0; q < 3000; q++)
    {
      float x = (float) g_rand_double_range (r, -11, 11);
      float y = (float) g_rand_double_range (r, -11, 11);
      if (q % 3 == 0)
        {
          gint64 j = g_rand_int_range (r, 0, (gint32) n);
          x = xy[2 * j];
          y = xy[2 * j + 1];
        }
      float d = (float) g_rand_double_range (r, 0.001, 1.5);
      g_assert_cmpint (scm_scatter_index_nearest (idx, x, y, d), ==,
                       scm_scatter_nearest_naive (xy, n, vis, x, y, d));
    }
  g_rand_free (r);
  /* Far away: nothing. */
  g_assert_cmpint (scm_scatter_index_nearest (idx, 1000, 1000, 1), ==, -1);
  g_free (vis);
  g_free (xy);
}

static void
on_changed (ScmScatterModel *m, int *count)
{
  (*count)++;
}

static void
test_model_compile (void)
{
  const gint64 n = 1000;
  float *xy = random_points (n, 5, 0, 1);
  gint32 *codes = g_new (gint32, n);
  for (gint64 i = 0; i < n; i++)
    codes[i] = (gint32) (i % 4) - (i == 7 ? 4 : 0);  /* cell 7 missing */
  const char *cats[] = { "T", "B", "NK", "Mono" };
  ScmScatterModel *m = scm_scatter_model_new ();
  int changes = 0;
  g_signal_connect (m, "changed", G_CALLBACK (on_changed), &changes);
  g_assert_true (scm_scatter_model_set_positions (m, xy, n));
  scm_scatter_model_set_categories (m, "cell_type", codes, cats, 4);
  g_assert_cmpint (changes, ==, 2);
  const guint32 *argb;
  gint64 n_draw;
  const float *dxy = scm_scatter_model_get_draw_arrays (m, &argb, &n_draw);
  g_assert_cmpint (n_draw, ==, n);
  /* The missing cell is drawn first (underneath), in grey. */
  g_assert_cmphex (argb[0], ==, SCM_COLOR_MISSING);
  g_assert_cmpfloat (dxy[0], ==, xy[14]);
  g_assert_cmpint (scm_scatter_model_get_category_count (m, 1), ==, 250);
  g_assert_cmpint (scm_scatter_model_get_category_count (m, 3), ==, 249);

  /* Hiding a category removes its points from drawing and from picking. */
  scm_scatter_model_set_category_visible (m, 0, FALSE);
  dxy = scm_scatter_model_get_draw_arrays (m, &argb, &n_draw);
  g_assert_cmpint (n_draw, ==, 750);
  for (gint64 k = 0; k < n_draw; k++)
    g_assert_cmphex (argb[k], !=, scm_colormap_categorical (0));
  g_assert_cmpint (scm_scatter_model_pick (m, xy[0], xy[1], 1e-6f), !=, 0);
  g_assert_cmpint (scm_scatter_model_pick (m, xy[2], xy[3], 1e-6f), ==, 1);
  scm_scatter_model_set_category_visible (m, 0, TRUE);

  /* Selection: selected points last and unfaded, others faded. */
  guint8 *sel = g_new0 (guint8, n);
  sel[3] = sel[500] = 1;
  scm_scatter_model_set_selection (m, sel);
  dxy = scm_scatter_model_get_draw_arrays (m, &argb, &n_draw);
  gint64 n_sel;
  scm_scatter_model_get_selection (m, &n_sel);
  g_assert_cmpint (n_sel, ==, 2);
  guint32 c3 = scm_colormap_categorical (codes[3]), c500 = scm_colormap_categorical (codes[500]);
  g_assert_true ((argb[n_draw - 1] == c3 && argb[n_draw - 2] == c500) ||
                 (argb[n_draw - 1] == c500 && argb[n_draw - 2] == c3));
  g_assert_cmphex (argb[n_draw - 3], !=, scm_colormap_categorical (codes[n - 1]));

  /* Continuous: ascending value order, highest expression drawn last. */
  float *v = g_new (float, n);
  for (gint64 i = 0; i < n; i++)
    v[i] = (float) ((i * 37) % 101);
  scm_scatter_model_set_selection (m, NULL);
  scm_scatter_model_set_values (m, "CD8A", v);
  dxy = scm_scatter_model_get_draw_arrays (m, &argb, &n_draw);
  g_assert_cmpint (scm_scatter_model_get_color_mode (m), ==, SCM_SCATTER_COLOR_CONTINUOUS);
  g_assert_cmphex (argb[n_draw - 1], ==, scm_colormap_continuous (SCM_COLORMAP_VIRIDIS, 1.f));
  g_assert_cmphex (argb[0], ==, scm_colormap_continuous (SCM_COLORMAP_VIRIDIS, 0.f));
  g_assert_cmpfloat (scm_scatter_model_get_point_value (m, 1), ==, 37.f);

  /* Surface rendering puts coloured pixels on a white background. */
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 200, 150);
  ScmScatterViewport vp;
  scm_scatter_viewport_reset (&vp, scm_scatter_model_get_bounds (m));
  scm_scatter_model_render_surface (m, s, &vp, 8, 2.0f);
  const guint32 *p = (const guint32 *) cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s) / 4, coloured = 0;
  for (int y = 0; y < 150; y++)
    for (int x = 0; x < 200; x++)
      coloured += p[y * stride + x] != 0xffffffffu;
  g_assert_cmpint (coloured, >, 2000);
  g_assert_cmphex (p[0], ==, 0xffffffffu);
  cairo_surface_destroy (s);

  g_assert_finalize_object (m);
  g_free (v);
  g_free (sel);
  g_free (codes);
  g_free (xy);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/scatter/render-vs-naive", test_render_vs_naive);
  g_test_add_func ("/app/scatter/render-clips-edges", test_render_clips_edges);
  g_test_add_func ("/app/scatter/viewport", test_viewport);
  g_test_add_func ("/app/scatter/index-vs-naive", test_index_vs_naive);
  g_test_add_func ("/app/scatter/model-compile", test_model_compile);
  return g_test_run ();
}
