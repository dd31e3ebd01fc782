/* bench-scatter.c: one full scatter redraw at 1200 x 800, fast path vs the
 * cairo_arc reference, for 100k and 1M points (target: 1M <= 16 ms).
 *
 * Points are drawn from a mixture of Gaussian blobs, like a UMAP, with one
 * categorical colour each; the model compile (done once per data change,
 * not per frame) is timed separately.  Prints scm_blas_describe() so
 * numbers from different machines are not compared blindly (the renderer
 * does not use BLAS; the line just identifies the CPU class). */
#include <math.h>
#include <stdio.h>

#include "util/scm-blas.h"
#include "scm-scatter-model.h"
#include "scm-scatter-render.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

int
main (int argc, char **argv)
{
  const int W = 1200, H = 800;
  const gint64 sizes[] = { 100000, 1000000 };
  printf ("bench-scatter: %s\n", scm_blas_describe ());
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gint64 n = sizes[s];
      float *xy = g_new (float, 2 * n);
      gint32 *codes = g_new (gint32, n);
      GRand *r = g_rand_new_with_seed (42);
      for (gint64 i = 0; i < n; i++)
        {
          int c = g_rand_int_range (r, 0, 12);
          double cx = 10 * cos (c * 0.52), cy = 10 * sin (c * 0.52) * (c % 3 + 1) / 2;
          /* Box-Muller for a blob of sd ~1.2. */
          double u1 = g_rand_double_range (r, 1e-12, 1), u2 = g_rand_double (r);
          double rad = sqrt (-2 * log (u1)) * 1.2;
          xy[2 * i] = (float) (cx + rad * cos (2 * G_PI * u2));
          xy[2 * i + 1] = (float) (cy + rad * sin (2 * G_PI * u2));
          codes[i] = c;
        }
      g_rand_free (r);
      const char *cats[12] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11" };
      ScmScatterModel *m = scm_scatter_model_new ();
      double t0 = now_ms ();
      scm_scatter_model_set_positions (m, xy, n);
      scm_scatter_model_set_categories (m, "cluster", codes, cats, 12);
      double t_compile = now_ms () - t0;

      cairo_surface_t *surf = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
      ScmScatterViewport vp;
      scm_scatter_viewport_reset (&vp, scm_scatter_model_get_bounds (m));
      float radius = scm_scatter_auto_radius (n, 1.0, W, H);
      const float radii[] = { radius, 2.0f };
      for (guint k = 0; k < G_N_ELEMENTS (radii); k++)
        {
          /* Warm up, then best and median of 15 frames with a moving pan so
           * every frame really changes the transform. */
          double times[15];
          scm_scatter_model_render_surface (m, surf, &vp, 10, radii[k]);
          for (int f = 0; f < 15; f++)
            {
              vp.cx += 0.01;
              double a = now_ms ();
              scm_scatter_model_render_surface (m, surf, &vp, 10, radii[k]);
              times[f] = now_ms () - a;
            }
          for (int i = 0; i < 15; i++)
            for (int j = i + 1; j < 15; j++)
              if (times[j] < times[i])
                {
                  double tmp = times[i];
                  times[i] = times[j];
                  times[j] = tmp;
                }
          printf ("fast   n=%8" G_GINT64_FORMAT " %dx%d radius=%.2f  full redraw: best %.2f ms, "
                  "median %.2f ms  (compile once: %.1f ms)\n",
                  n, W, H, radii[k], times[0], times[7], t_compile);
        }
      /* The naive cairo_arc path: one frame is enough to make the point. */
      {
        cairo_t *cr = cairo_create (surf);
        double a = now_ms ();
        scm_scatter_model_render_cairo (m, cr, W, H, &vp, 10, 2.0f);
        cairo_surface_flush (surf);
        printf ("naive  n=%8" G_GINT64_FORMAT " %dx%d radius=2.00  cairo_arc redraw: %.1f ms\n", n,
                W, H, now_ms () - a);
        cairo_destroy (cr);
      }
      cairo_surface_destroy (surf);
      g_object_unref (m);
      g_free (xy);
      g_free (codes);
    }
  return 0;
}
