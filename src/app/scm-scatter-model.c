/* scm-scatter-model.c: colour, visibility and selection compiled into draw arrays. */
#include "scm-scatter-model.h"

#include <math.h>
#include <string.h>

#include "scm-scatter-index.h"

struct _ScmScatterModel
{
  GObject parent_instance;

  gint64  n;
  float  *xy;             /* (n, 2) */
  ScmScatterBounds bounds;

  ScmScatterColorMode mode;
  char   *title;
  gint32 *codes;          /* (n) categorical, -1 missing */
  char  **categories;     /* (n_categories) */
  guint   n_categories;
  gint64 *cat_counts;     /* (n_categories) */
  guint8 *cat_visible;    /* (n_categories) */
  float  *values;         /* (n) continuous */
  float   vmin, vmax;
  ScmColormapKind colormap;

  guint8 *selection;      /* (n) or NULL */
  gint64  n_selected;
  guint8 *visible;        /* (n) */

  guint32 *base_color;    /* (n) colour before selection fading */
  gint64  *order;         /* (n) base draw order */
  /* compiled */
  float   *draw_xy;       /* (n_draw, 2) */
  guint32 *draw_argb;     /* (n_draw) */
  gint64   n_draw;

  ScmScatterIndex *index; /* lazily rebuilt; NULL = stale */
};

G_DEFINE_FINAL_TYPE (ScmScatterModel, scm_scatter_model, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

#define UNIFORM_COLOR 0xff4a6fa5u

static void
clear_coloring (ScmScatterModel *self)
{
  g_clear_pointer (&self->codes, g_free);
  g_clear_pointer (&self->categories, g_strfreev);
  g_clear_pointer (&self->cat_counts, g_free);
  g_clear_pointer (&self->cat_visible, g_free);
  g_clear_pointer (&self->values, g_free);
  g_clear_pointer (&self->title, g_free);
  self->n_categories = 0;
  self->mode = SCM_SCATTER_COLOR_UNIFORM;
}

static void
scm_scatter_model_finalize (GObject *object)
{
  ScmScatterModel *self = SCM_SCATTER_MODEL (object);
  clear_coloring (self);
  g_free (self->xy);
  g_free (self->selection);
  g_free (self->visible);
  g_free (self->base_color);
  g_free (self->order);
  g_free (self->draw_xy);
  g_free (self->draw_argb);
  scm_scatter_index_free (self->index);
  G_OBJECT_CLASS (scm_scatter_model_parent_class)->finalize (object);
}

static void
scm_scatter_model_class_init (ScmScatterModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = scm_scatter_model_finalize;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
scm_scatter_model_init (ScmScatterModel *self)
{
  self->colormap = SCM_COLORMAP_VIRIDIS;
  self->bounds = (ScmScatterBounds) { 0, 1, 0, 1 };
}

ScmScatterModel *
scm_scatter_model_new (void)
{
  return g_object_new (SCM_TYPE_SCATTER_MODEL, NULL);
}

/* Fixed pseudo-random permutation (splitmix-style hash keys) so category
 * draw order is stable across redraws and runs. */
static guint64
mix64 (guint64 x)
{
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static int
cmp_by_key (gconstpointer a, gconstpointer b, gpointer data)
{
  const float *keys = data;
  gint64 i = *(const gint64 *) a, j = *(const gint64 *) b;
  float x = keys[i], y = keys[j];
  /* NaN (missing) first so it sits underneath. */
  gboolean nx = isnan (x), ny = isnan (y);
  if (nx != ny)
    return nx ? -1 : 1;
  if (x != y && !nx)
    return x < y ? -1 : 1;
  return (i > j) - (i < j);
}

/* Base colours and base order: run when the colouring changes. */
static void
build_base (ScmScatterModel *self)
{
  gint64 n = self->n;
  g_free (self->base_color);
  g_free (self->order);
  self->base_color = g_try_new (guint32, MAX (n, 1));
  self->order = g_try_new (gint64, MAX (n, 1));
  if (!self->base_color || !self->order)
    {
      g_clear_pointer (&self->base_color, g_free);
      g_clear_pointer (&self->order, g_free);
      return;
    }
  switch (self->mode)
    {
    case SCM_SCATTER_COLOR_UNIFORM:
      for (gint64 i = 0; i < n; i++)
        {
          self->base_color[i] = UNIFORM_COLOR;
          self->order[i] = i;
        }
      break;
    case SCM_SCATTER_COLOR_CATEGORICAL:
      {
        guint32 pal[1024];
        guint np = MIN (self->n_categories, G_N_ELEMENTS (pal));
        for (guint c = 0; c < np; c++)
          pal[c] = scm_colormap_categorical (c);
        for (gint64 i = 0; i < n; i++)
          {
            gint32 c = self->codes[i];
            self->base_color[i] = (c >= 0 && (guint) c < np) ? pal[c]
                                  : (c >= 0 ? scm_colormap_categorical (c) : SCM_COLOR_MISSING);
          }
        /* Missing values first (underneath), then the rest in a fixed
         * random order (Fisher-Yates driven by a hash of the index), O(n). */
        gint64 m = 0;
        for (gint64 i = 0; i < n; i++)
          if (self->codes[i] < 0)
            self->order[m++] = i;
        gint64 first = m;
        for (gint64 i = 0; i < n; i++)
          if (self->codes[i] >= 0)
            self->order[m++] = i;
        for (gint64 i = n - 1; i > first; i--)
          {
            gint64 j = first + (gint64) (mix64 ((guint64) i) % (guint64) (i - first + 1));
            gint64 tmp = self->order[i];
            self->order[i] = self->order[j];
            self->order[j] = tmp;
          }
      }
      break;
    case SCM_SCATTER_COLOR_CONTINUOUS:
      scm_colormap_map_values (self->colormap, self->values, n, self->vmin, self->vmax,
                               self->base_color);
      for (gint64 i = 0; i < n; i++)
        self->order[i] = i;
      g_qsort_with_data (self->order, (gint) n, sizeof (gint64), cmp_by_key, self->values);
      break;
    }
}

/* Visibility, selection fading and packing: run on every change. */
static void
compile (ScmScatterModel *self)
{
  gint64 n = self->n;
  scm_scatter_index_free (self->index);
  self->index = NULL;
  if (!self->base_color)
    build_base (self);
  g_free (self->visible);
  self->visible = g_try_new (guint8, MAX (n, 1));
  g_free (self->draw_xy);
  g_free (self->draw_argb);
  self->draw_xy = g_try_new (float, 2 * MAX (n, 1));
  self->draw_argb = g_try_new (guint32, MAX (n, 1));
  self->n_draw = 0;
  if (!self->visible || !self->draw_xy || !self->draw_argb || !self->base_color)
    {
      g_warning ("scatter: not enough memory for %" G_GINT64_FORMAT " points", n);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
      return;
    }
  for (gint64 i = 0; i < n; i++)
    {
      gboolean vis = TRUE;
      if (self->mode == SCM_SCATTER_COLOR_CATEGORICAL && self->codes[i] >= 0 &&
          (guint) self->codes[i] < self->n_categories)
        vis = self->cat_visible[self->codes[i]];
      self->visible[i] = vis;
    }
  gboolean fade = self->selection && self->n_selected > 0;
  /* Two passes so selected points are drawn last, on top. */
  for (int pass = 0; pass < (fade ? 2 : 1); pass++)
    for (gint64 k = 0; k < n; k++)
      {
        gint64 i = self->order[k];
        if (!self->visible[i])
          continue;
        gboolean sel = fade && self->selection[i];
        if (fade && (pass == 0) == sel)
          continue;
        self->draw_xy[2 * self->n_draw] = self->xy[2 * i];
        self->draw_xy[2 * self->n_draw + 1] = self->xy[2 * i + 1];
        self->draw_argb[self->n_draw] = (fade && !sel) ? scm_color_fade (self->base_color[i], 0.88f)
                                                        : self->base_color[i];
        self->n_draw++;
      }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

gboolean
scm_scatter_model_set_positions (ScmScatterModel *self, const float *xy, gint64 n)
{
  g_return_val_if_fail (SCM_IS_SCATTER_MODEL (self), FALSE);
  float *copy = g_try_new (float, 2 * MAX (n, 1));
  if (!copy)
    return FALSE;
  if (n > 0)
    memcpy (copy, xy, sizeof (float) * 2 * n);
  if (n != self->n)
    {
      clear_coloring (self);
      g_clear_pointer (&self->selection, g_free);
      self->n_selected = 0;
      g_clear_pointer (&self->base_color, g_free);
    }
  g_free (self->xy);
  self->xy = copy;
  self->n = n;
  scm_scatter_bounds_compute (xy, n, &self->bounds);
  compile (self);
  return TRUE;
}

gint64 scm_scatter_model_get_n_points (ScmScatterModel *self) { return self->n; }
const float *scm_scatter_model_get_positions (ScmScatterModel *self) { return self->xy; }
const ScmScatterBounds *scm_scatter_model_get_bounds (ScmScatterModel *self) { return &self->bounds; }

void
scm_scatter_model_set_uniform (ScmScatterModel *self)
{
  clear_coloring (self);
  g_clear_pointer (&self->base_color, g_free);
  compile (self);
}

void
scm_scatter_model_set_categories (ScmScatterModel *self, const char *title, const gint32 *codes,
                                  const char *const *categories, guint n_categories)
{
  g_return_if_fail (SCM_IS_SCATTER_MODEL (self));
  clear_coloring (self);
  self->mode = SCM_SCATTER_COLOR_CATEGORICAL;
  self->title = g_strdup (title);
  self->codes = g_try_new (gint32, MAX (self->n, 1));
  self->n_categories = n_categories;
  self->categories = g_new0 (char *, n_categories + 1);
  self->cat_counts = g_new0 (gint64, MAX (n_categories, 1));
  self->cat_visible = g_new (guint8, MAX (n_categories, 1));
  for (guint c = 0; c < n_categories; c++)
    {
      self->categories[c] = g_strdup (categories && categories[c] ? categories[c] : "");
      self->cat_visible[c] = 1;
    }
  if (!self->codes)
    {
      clear_coloring (self);
      g_clear_pointer (&self->base_color, g_free);
      compile (self);
      return;
    }
  for (gint64 i = 0; i < self->n; i++)
    {
      gint32 c = codes[i];
      if (c < 0 || (guint) c >= n_categories)
        c = -1;
      self->codes[i] = c;
      if (c >= 0)
        self->cat_counts[c]++;
    }
  g_clear_pointer (&self->base_color, g_free);
  compile (self);
}

void
scm_scatter_model_set_values (ScmScatterModel *self, const char *title, const float *values)
{
  g_return_if_fail (SCM_IS_SCATTER_MODEL (self));
  clear_coloring (self);
  self->values = g_try_new (float, MAX (self->n, 1));
  if (self->values)
    {
      memcpy (self->values, values, sizeof (float) * self->n);
      self->mode = SCM_SCATTER_COLOR_CONTINUOUS;
      self->title = g_strdup (title);
      scm_colormap_robust_range (self->values, self->n, 0.99, &self->vmin, &self->vmax);
    }
  g_clear_pointer (&self->base_color, g_free);
  compile (self);
}

ScmScatterColorMode scm_scatter_model_get_color_mode (ScmScatterModel *self) { return self->mode; }
const char *scm_scatter_model_get_title (ScmScatterModel *self) { return self->title; }
guint scm_scatter_model_get_n_categories (ScmScatterModel *self) { return self->n_categories; }

const char *
scm_scatter_model_get_category_name (ScmScatterModel *self, guint cat)
{
  return cat < self->n_categories ? self->categories[cat] : NULL;
}

guint32
scm_scatter_model_get_category_color (ScmScatterModel *self, guint cat)
{
  return scm_colormap_categorical (cat);
}

gint64
scm_scatter_model_get_category_count (ScmScatterModel *self, guint cat)
{
  return cat < self->n_categories ? self->cat_counts[cat] : 0;
}

void
scm_scatter_model_set_category_visible (ScmScatterModel *self, guint cat, gboolean visible)
{
  if (cat >= self->n_categories || self->cat_visible[cat] == !!visible)
    return;
  self->cat_visible[cat] = !!visible;
  compile (self);
}

gboolean
scm_scatter_model_get_category_visible (ScmScatterModel *self, guint cat)
{
  return cat < self->n_categories ? self->cat_visible[cat] : FALSE;
}

void
scm_scatter_model_get_value_range (ScmScatterModel *self, float *vmin, float *vmax)
{
  *vmin = self->vmin;
  *vmax = self->vmax;
}

ScmColormapKind scm_scatter_model_get_colormap (ScmScatterModel *self) { return self->colormap; }

gint32
scm_scatter_model_get_point_code (ScmScatterModel *self, gint64 i)
{
  return (self->codes && i >= 0 && i < self->n) ? self->codes[i] : -1;
}

float
scm_scatter_model_get_point_value (ScmScatterModel *self, gint64 i)
{
  return (self->values && i >= 0 && i < self->n) ? self->values[i] : NAN;
}

void
scm_scatter_model_set_selection (ScmScatterModel *self, const guint8 *mask)
{
  g_clear_pointer (&self->selection, g_free);
  self->n_selected = 0;
  if (mask && self->n > 0)
    {
      self->selection = g_try_new (guint8, self->n);
      if (self->selection)
        for (gint64 i = 0; i < self->n; i++)
          {
            self->selection[i] = mask[i] ? 1 : 0;
            self->n_selected += self->selection[i];
          }
    }
  compile (self);
}

const guint8 *
scm_scatter_model_get_selection (ScmScatterModel *self, gint64 *n_selected)
{
  if (n_selected)
    *n_selected = self->n_selected;
  return self->selection;
}

const guint8 *scm_scatter_model_get_visible (ScmScatterModel *self) { return self->visible; }

const float *
scm_scatter_model_get_draw_arrays (ScmScatterModel *self, const guint32 **argb, gint64 *n_draw)
{
  *argb = self->draw_argb;
  *n_draw = self->n_draw;
  return self->draw_xy;
}

gint64
scm_scatter_model_pick (ScmScatterModel *self, float x, float y, float max_dist)
{
  if (self->n == 0)
    return -1;
  if (!self->index)
    self->index = scm_scatter_index_new (self->xy, self->n, self->visible);
  if (!self->index)
    return scm_scatter_nearest_naive (self->xy, self->n, self->visible, x, y, max_dist);
  return scm_scatter_index_nearest (self->index, x, y, max_dist);
}

void
scm_scatter_model_render_surface (ScmScatterModel *self, cairo_surface_t *surface,
                                  const ScmScatterViewport *vp, double margin, float radius)
{
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  cairo_surface_flush (surface);
  guint8 *px = cairo_image_surface_get_data (surface);
  for (int y = 0; y < h; y++)
    {
      guint32 *row = (guint32 *) (px + (gsize) y * stride);
      for (int x = 0; x < w; x++)
        row[x] = 0xffffffffu;
    }
  ScmScatterTransform t;
  scm_scatter_viewport_transform (vp, &self->bounds, w, h, margin, &t);
  if (self->draw_xy)
    scm_scatter_render (px, w, h, stride, self->draw_xy, self->draw_argb, self->n_draw, &t,
                        radius);
  cairo_surface_mark_dirty (surface);
}

void
scm_scatter_model_render_cairo (ScmScatterModel *self, cairo_t *cr, int width, int height,
                                const ScmScatterViewport *vp, double margin, float radius)
{
  ScmScatterTransform t;
  scm_scatter_viewport_transform (vp, &self->bounds, width, height, margin, &t);
  if (self->draw_xy)
    scm_scatter_render_naive (cr, self->draw_xy, self->draw_argb, self->n_draw, &t, radius);
}
