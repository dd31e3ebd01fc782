/* scm-scatter-render.c: per-frame point drawing (see the header for why). */
#include "scm-scatter-render.h"

#include <math.h>

gboolean
scm_scatter_bounds_compute (const float *xy, gint64 n, ScmScatterBounds *b)
{
  gboolean any = FALSE;
  b->xmin = b->ymin = 0.f;
  b->xmax = b->ymax = 1.f;
  for (gint64 i = 0; i < n; i++)
    {
      float x = xy[2 * i], y = xy[2 * i + 1];
      if (!isfinite (x) || !isfinite (y))
        continue;
      if (!any)
        {
          b->xmin = b->xmax = x;
          b->ymin = b->ymax = y;
          any = TRUE;
          continue;
        }
      b->xmin = MIN (b->xmin, x);
      b->xmax = MAX (b->xmax, x);
      b->ymin = MIN (b->ymin, y);
      b->ymax = MAX (b->ymax, y);
    }
  /* A single point or a line still needs a non-zero extent. */
  if (b->xmax - b->xmin < 1e-6f)
    {
      b->xmin -= 0.5f;
      b->xmax += 0.5f;
    }
  if (b->ymax - b->ymin < 1e-6f)
    {
      b->ymin -= 0.5f;
      b->ymax += 0.5f;
    }
  return any;
}

void
scm_scatter_viewport_reset (ScmScatterViewport *vp, const ScmScatterBounds *b)
{
  vp->cx = 0.5 * ((double) b->xmin + b->xmax);
  vp->cy = 0.5 * ((double) b->ymin + b->ymax);
  vp->zoom = 1.0;
}

void
scm_scatter_viewport_transform (const ScmScatterViewport *vp, const ScmScatterBounds *b,
                                int width, int height, double margin, ScmScatterTransform *t)
{
  double w = MAX (1.0, width - 2 * margin), h = MAX (1.0, height - 2 * margin);
  double fit = MIN (w / ((double) b->xmax - b->xmin), h / ((double) b->ymax - b->ymin));
  t->scale = fit * vp->zoom;
  t->tx = 0.5 * width - vp->cx * t->scale;
  t->ty = 0.5 * height + vp->cy * t->scale;
}

void
scm_scatter_transform_invert (const ScmScatterTransform *t, double px, double py,
                              double *x, double *y)
{
  *x = (px - t->tx) / t->scale;
  *y = (t->ty - py) / t->scale;
}

void
scm_scatter_viewport_zoom_at (ScmScatterViewport *vp, const ScmScatterBounds *b, int width,
                              int height, double margin, double px, double py, double factor)
{
  ScmScatterTransform t;
  double x, y;
  scm_scatter_viewport_transform (vp, b, width, height, margin, &t);
  scm_scatter_transform_invert (&t, px, py, &x, &y);
  vp->zoom = CLAMP (vp->zoom * factor, 0.2, 500.0);
  /* Keep (x, y) under the pointer: solve px = x*s + w/2 - cx*s for cx. */
  scm_scatter_viewport_transform (vp, b, width, height, margin, &t);
  vp->cx = x - (px - 0.5 * width) / t.scale;
  vp->cy = y + (py - 0.5 * height) / t.scale;
}

float
scm_scatter_auto_radius (gint64 n_points, double zoom, int width, int height)
{
  /* Area per point in a 1000x1000 view: scanpy uses s = 120000 / n points^2. */
  double area = (double) width * height / 1e6;
  double r = sqrt (120000.0 / MAX (n_points, 1) * area / G_PI) * 0.9;
  r *= sqrt (MAX (zoom, 1.0));
  return (float) CLAMP (r, 0.8, 6.0);
}

/* Offsets of the pixels covered by a disc of radius r centred on a pixel. */
#define MAX_STAMP 256
typedef struct {
  int n;
  int ext;                /* max |dx|, |dy| */
  int dx[MAX_STAMP], dy[MAX_STAMP];
} Stamp;

static void
stamp_init (Stamp *s, float radius)
{
  int ext = (int) ceilf (radius - 0.5f);
  ext = CLAMP (ext, 0, 7);
  float r2 = radius * radius;
  s->n = 0;
  s->ext = ext;
  for (int dy = -ext; dy <= ext; dy++)
    for (int dx = -ext; dx <= ext; dx++)
      /* A pixel is in when its centre lies inside the circle (+0.25 px of
       * slack rounds small discs to plus-shapes rather than single dots). */
      if (dx * dx + dy * dy <= r2 + 0.25f && s->n < MAX_STAMP)
        {
          s->dx[s->n] = dx;
          s->dy[s->n] = dy;
          s->n++;
        }
}

void
scm_scatter_render (guint8 *pixels, int width, int height, int stride, const float *xy,
                    const guint32 *argb, gint64 n, const ScmScatterTransform *t, float radius)
{
  Stamp s;
  stamp_init (&s, radius);
  int off[MAX_STAMP];
  int stride_px = stride / 4;
  for (int k = 0; k < s.n; k++)
    off[k] = s.dy[k] * stride_px + s.dx[k];
  const float sc = (float) t->scale, tx = (float) t->tx, ty = (float) t->ty;
  const int ext = s.ext, ns = s.n;
  guint32 *base = (guint32 *) pixels;
  /* Inner rectangle where the whole stamp fits: no per-pixel clipping. */
  const float lo_x = (float) ext, hi_x = (float) (width - 1 - ext);
  const float lo_y = (float) ext, hi_y = (float) (height - 1 - ext);

  for (gint64 i = 0; i < n; i++)
    {
      /* Pixel centres sit at integer + 0.5: floor maps the point to the
       * pixel that contains it, as cairo's fill rule does. */
      float fx = xy[2 * i] * sc + tx;
      float fy = ty - xy[2 * i + 1] * sc;
      if (!(fx >= lo_x && fx < hi_x + 1.f && fy >= lo_y && fy < hi_y + 1.f))
        {
          /* Near or beyond the edge (NaN lands here too). */
          if (!(fx > -ext - 1 && fx < width + ext + 1 && fy > -ext - 1 && fy < height + ext + 1))
            continue;
          int cx = (int) floorf (fx), cy = (int) floorf (fy);
          for (int k = 0; k < ns; k++)
            {
              int px = cx + s.dx[k], py = cy + s.dy[k];
              if (px >= 0 && px < width && py >= 0 && py < height)
                base[(gint64) py * stride_px + px] = argb[i];
            }
          continue;
        }
      guint32 *p = base + (gint64) (int) fy * stride_px + (int) fx;
      const guint32 c = argb[i];
      for (int k = 0; k < ns; k++)
        p[off[k]] = c;
    }
}

void
scm_scatter_render_naive (cairo_t *cr, const float *xy, const guint32 *argb, gint64 n,
                          const ScmScatterTransform *t, float radius)
{
  cairo_save (cr);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  for (gint64 i = 0; i < n; i++)
    {
      double px = xy[2 * i] * t->scale + t->tx;
      double py = t->ty - xy[2 * i + 1] * t->scale;
      if (!isfinite (px) || !isfinite (py))
        continue;
      /* Snap the centre to the pixel centre, as the fast path does. */
      px = floor (px) + 0.5;
      py = floor (py) + 0.5;
      cairo_set_source_rgb (cr, ((argb[i] >> 16) & 0xff) / 255.0, ((argb[i] >> 8) & 0xff) / 255.0,
                            (argb[i] & 0xff) / 255.0);
      cairo_new_path (cr);
      cairo_arc (cr, px, py, MAX (radius, 0.5f), 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_restore (cr);
}
