/* scm-lasso.h: polygon selection of points (lasso, gates).
 *
 * A polygon is a closed ring of vertices (n, 2) in data coordinates; the
 * last vertex connects back to the first.  Inside means the even-odd rule
 * (a ray from the point crosses the boundary an odd number of times), which
 * also gives a sensible answer for self-crossing lasso strokes.  No GTK.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean scm_lasso_contains (const float *poly, int n_vertices, float x, float y);
/* mask[i] = 1 for points inside (only where `visible` is NULL or non-zero),
 * else 0; returns the number selected.  A bounding-box test skips most
 * points before the exact test. */
gint64   scm_lasso_select   (const float *poly, int n_vertices, const float *xy, gint64 n,
                             const guint8 *visible, guint8 *mask);
/* Polygon area (shoelace, absolute); strokes with ~zero area select nothing. */
double   scm_lasso_area     (const float *poly, int n_vertices);

G_END_DECLS
