/* scm-colormap.h: colours for points: continuous maps and categorical palettes.
 *
 * Plain functions (no GTK) so the scatter model, the legend, the dot plot and
 * the tests share them.  Colours are 0xAARRGGBB with alpha 0xff, the layout
 * of a CAIRO_FORMAT_ARGB32 pixel, so a colour can be written straight into an
 * image surface.  Missing values (NaN, code -1) get SCM_COLOR_MISSING.
 */
#pragma once

#include <glib.h>
#include <cairo.h>

G_BEGIN_DECLS

#define SCM_COLOR_MISSING 0xffd3d3d3u   /* light grey, as scanpy's na_color */

typedef enum {
  SCM_COLORMAP_VIRIDIS,
  SCM_COLORMAP_MAGMA,
} ScmColormapKind;

/* t in [0, 1] (clamped; NaN gives SCM_COLOR_MISSING). */
guint32  scm_colormap_continuous   (ScmColormapKind kind, float t);
/* A distinct colour per category; the first 20 are a fixed palette, later
 * ones rotate the hue by the golden angle so neighbours stay different. */
guint32  scm_colormap_categorical  (guint index);
/* out[i] = colour of (v[i] - vmin) / (vmax - vmin).  Reference path beside
 * the LUT path: scm_colormap_continuous per value. */
void     scm_colormap_map_values   (ScmColormapKind kind, const float *v, gint64 n,
                                    float vmin, float vmax, guint32 *out);
/* [vmin, vmax] = [min, q-quantile] of the finite values (q = 0.99 shows
 * expression without one outlier washing out the map).  FALSE if no finite
 * value; then 0, 1. */
gboolean scm_colormap_robust_range (const float *v, gint64 n, double q,
                                    float *vmin, float *vmax);
/* Mixes a colour toward light grey by `amount` in [0, 1] (dims unselected points). */
guint32  scm_color_fade            (guint32 argb, float amount);
void     scm_color_to_rgb          (guint32 argb, double *r, double *g, double *b);

/* A vertical colour bar with min/max tick labels, for the Explore page and
 * exports.  Draws inside (x, y, w, h) in user units. */
void     scm_colormap_draw_bar     (cairo_t *cr, double x, double y, double w, double h,
                                    ScmColormapKind kind, double vmin, double vmax,
                                    const char *title);

G_END_DECLS
