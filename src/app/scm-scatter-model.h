/* scm-scatter-model.h: what a scatter plot shows, prepared for fast drawing.
 *
 * Holds the positions (n, 2), how points are coloured (one colour, a
 * categorical column with a palette, or continuous values through a colour
 * map), which categories are hidden and which points are selected.  Every
 * change "compiles" packed draw arrays once: visible points in draw order
 * (random for categories so no cluster hides another, ascending value for
 * expression so positive cells stay on top, selection last) with one ARGB
 * colour each.  Per-frame drawing (scm-scatter-render.h) then only streams
 * those arrays.  Emits "changed" after each compile.  No GTK.
 */
#pragma once

#include <glib-object.h>
#include <cairo.h>

#include "scm-colormap.h"
#include "scm-scatter-render.h"

G_BEGIN_DECLS

typedef enum {
  SCM_SCATTER_COLOR_UNIFORM,
  SCM_SCATTER_COLOR_CATEGORICAL,
  SCM_SCATTER_COLOR_CONTINUOUS,
} ScmScatterColorMode;

#define SCM_TYPE_SCATTER_MODEL (scm_scatter_model_get_type ())
G_DECLARE_FINAL_TYPE (ScmScatterModel, scm_scatter_model, SCM, SCATTER_MODEL, GObject)

ScmScatterModel *scm_scatter_model_new            (void);

/* Positions (n, 2), copied.  Keeps the colouring when n is unchanged,
 * otherwise resets to uniform and clears the selection. */
gboolean     scm_scatter_model_set_positions      (ScmScatterModel *self, const float *xy, gint64 n);
gint64       scm_scatter_model_get_n_points       (ScmScatterModel *self);
const float *scm_scatter_model_get_positions      (ScmScatterModel *self);
const ScmScatterBounds *scm_scatter_model_get_bounds (ScmScatterModel *self);

/* Colouring.  `title` names what is shown ("leiden", "CD8A").  codes (n),
 * -1 = missing; categories (n_categories names) copied.  Values (n), NaN =
 * missing; range = [min, 99th percentile]. */
void         scm_scatter_model_set_uniform        (ScmScatterModel *self);
void         scm_scatter_model_set_categories     (ScmScatterModel *self, const char *title,
                                                   const gint32 *codes,
                                                   const char *const *categories,
                                                   guint n_categories);
void         scm_scatter_model_set_values         (ScmScatterModel *self, const char *title,
                                                   const float *values);
ScmScatterColorMode scm_scatter_model_get_color_mode (ScmScatterModel *self);
const char  *scm_scatter_model_get_title          (ScmScatterModel *self);
guint        scm_scatter_model_get_n_categories   (ScmScatterModel *self);
const char  *scm_scatter_model_get_category_name  (ScmScatterModel *self, guint cat);
guint32      scm_scatter_model_get_category_color (ScmScatterModel *self, guint cat);
gint64       scm_scatter_model_get_category_count (ScmScatterModel *self, guint cat);
void         scm_scatter_model_set_category_visible (ScmScatterModel *self, guint cat,
                                                     gboolean visible);
gboolean     scm_scatter_model_get_category_visible (ScmScatterModel *self, guint cat);
void         scm_scatter_model_get_value_range    (ScmScatterModel *self, float *vmin, float *vmax);
ScmColormapKind scm_scatter_model_get_colormap    (ScmScatterModel *self);
/* Category code (or -1) and value (or NaN) of point i. */
gint32       scm_scatter_model_get_point_code     (ScmScatterModel *self, gint64 i);
float        scm_scatter_model_get_point_value    (ScmScatterModel *self, gint64 i);

/* Selection mask (n), copied; NULL clears.  Unselected points are faded
 * while a selection exists. */
void         scm_scatter_model_set_selection      (ScmScatterModel *self, const guint8 *mask);
const guint8 *scm_scatter_model_get_selection     (ScmScatterModel *self, gint64 *n_selected);
/* Visibility from hidden categories (n), never NULL once positions are set. */
const guint8 *scm_scatter_model_get_visible       (ScmScatterModel *self);

/* Packed arrays for the renderer (valid until the next change). */
const float *scm_scatter_model_get_draw_arrays    (ScmScatterModel *self, const guint32 **argb,
                                                   gint64 *n_draw);
/* Nearest visible point within max_dist data units, or -1 (grid index,
 * rebuilt lazily after changes). */
gint64       scm_scatter_model_pick               (ScmScatterModel *self, float x, float y,
                                                   float max_dist);

/* Draws background + points into an ARGB32 image surface (fast path). */
void         scm_scatter_model_render_surface     (ScmScatterModel *self, cairo_surface_t *surface,
                                                   const ScmScatterViewport *vp, double margin,
                                                   float radius);
/* Draws the points with cairo paths (vector exports: SVG, PDF). */
void         scm_scatter_model_render_cairo       (ScmScatterModel *self, cairo_t *cr,
                                                   int width, int height,
                                                   const ScmScatterViewport *vp, double margin,
                                                   float radius);

G_END_DECLS
