/* scm-scatter-render.h: drawing many points straight into an ARGB32 buffer.
 *
 * The scatter view redraws on every pan/zoom frame, so the per-frame work is
 * one pass over packed (x, y) + colour arrays prepared once per data change
 * by ScmScatterModel: transform, then stamp a precomputed disc of pixels.
 * No sorting, no allocation, no cairo path per point.  Points are opaque and
 * later points cover earlier ones (the model orders them).
 *
 * scm_scatter_render_naive() is the obvious cairo_arc version kept beside it
 * as the reference the tests compare against (STYLE.md: naive + fast).
 * No GTK here: tests and exports render without a display.
 */
#pragma once

#include <glib.h>
#include <cairo.h>

G_BEGIN_DECLS

/* Data -> pixel: px = x * scale + tx,  py = ty - y * scale (y axis up). */
typedef struct {
  double scale;
  double tx, ty;
} ScmScatterTransform;

/* What the user controls: the data point at the centre of the view and a
 * zoom factor relative to "fit the whole data range". */
typedef struct {
  double cx, cy;
  double zoom;
} ScmScatterViewport;

typedef struct {
  float xmin, xmax, ymin, ymax;
} ScmScatterBounds;

/* Bounds of the finite points of xy (n, 2); FALSE if none. */
gboolean scm_scatter_bounds_compute (const float *xy, gint64 n, ScmScatterBounds *b);
/* Viewport that shows all of b (zoom 1, centred). */
void     scm_scatter_viewport_reset (ScmScatterViewport *vp, const ScmScatterBounds *b);
/* Transform for a width x height canvas with `margin` pixels kept free. */
void     scm_scatter_viewport_transform (const ScmScatterViewport *vp, const ScmScatterBounds *b,
                                         int width, int height, double margin,
                                         ScmScatterTransform *t);
/* Pixel -> data, the inverse of the transform. */
void     scm_scatter_transform_invert (const ScmScatterTransform *t, double px, double py,
                                       double *x, double *y);
/* Zooms by `factor` keeping the data point under pixel (px, py) fixed. */
void     scm_scatter_viewport_zoom_at (ScmScatterViewport *vp, const ScmScatterBounds *b,
                                       int width, int height, double margin,
                                       double px, double py, double factor);

/* A point size that keeps dense plots readable: like scanpy's 120000 / n in
 * area, clamped to [0.8, 6] pixels of radius, grown with zoom. */
float    scm_scatter_auto_radius (gint64 n_points, double zoom, int width, int height);

/* Fast path.  pixels: ARGB32 rows of `stride` bytes (cairo image surface
 * data); the caller fills the background.  xy (n, 2), argb (n). */
void     scm_scatter_render (guint8 *pixels, int width, int height, int stride,
                             const float *xy, const guint32 *argb, gint64 n,
                             const ScmScatterTransform *t, float radius);
/* Reference: one cairo_arc + fill per point. */
void     scm_scatter_render_naive (cairo_t *cr, const float *xy, const guint32 *argb, gint64 n,
                                   const ScmScatterTransform *t, float radius);

G_END_DECLS
