/* scm-loess.h: one-predictor LOESS, as used by Seurat v3 HVG selection.
 *
 * scanpy's flavor="seurat_v3" fits log10(variance) on log10(mean) with
 * skmisc.loess(span=0.3, degree=2), i.e. Cleveland, Grosse & Shyu's dloess
 * (the code behind R's loess()).  At each point x0 it takes the
 * q = floor(n * span) nearest points, tricube weights (1 - (d/h)^3)^3 with h
 * the q-th smallest distance (times span when span > 1), and fits a weighted
 * polynomial of the given degree in (x - x0); the fitted value is the
 * intercept.  That is dloess's surface="direct" (scm_loess_fit).
 * skmisc's default, surface="interpolate" (scm_loess_fit_interpolate),
 * evaluates the local fit (value and slope) only at the vertices of a k-d
 * tree whose cells hold at most floor(n * span * cell) points (cell = 0.2)
 * and blends cubically in between.  The two differ by up to ~1e-2 in
 * log10 variance, which moves ~5% of a 4000-gene HVG set, so Seurat v3
 * HVGs use the interpolated surface, as scanpy does.
 *
 * scm_loess_fit is the fast direct path (sorted sliding window, moment sums
 * over rescaled distances); scm_loess_fit_naive sorts every distance and
 * solves each local problem by Householder QR, as a reference for tests.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* fitted (n) = loess fit at each x[i].  span in (0, inf), degree 0..2.
 * Needs n >= degree + 1 distinct x values. */
gboolean scm_loess_fit       (const double *x, const double *y, gint64 n, double span,
                              int degree, double *fitted, GError **error);
/* skmisc/R default surface; cell = 0.2 there. */
gboolean scm_loess_fit_interpolate (const double *x, const double *y, gint64 n, double span,
                                    int degree, double cell, double *fitted, GError **error);
gboolean scm_loess_fit_naive (const double *x, const double *y, gint64 n, double span,
                              int degree, double *fitted, GError **error);

G_END_DECLS
