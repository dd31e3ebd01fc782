/* scm-scatter-view.c: gestures, tooltip and snapshot of the scatter plot. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "scm-lasso.h"
#include "scm-scatter-view.h"

#define MARGIN 12.0
#define HOVER_PIXELS 6.0

struct _ScmScatterView
{
  GtkWidget parent_instance;

  ScmScatterModel *model;
  gulong           model_handler;
  ScmScatterViewport vp;
  gboolean         vp_valid;
  char            *title;
  char            *x_label, *y_label;
  ScmScatterTool   tool;
  gboolean         interactive;
  gboolean         show_colorbar;
  float            radius;

  /* pixels: reused while the size is unchanged */
  cairo_surface_t *surface;

  /* gestures */
  double           drag_cx, drag_cy;
  gboolean         lassoing;
  GArray          *lasso;        /* float x, y pairs (data coords) */
  double           pointer_x, pointer_y;
  double           zoom_start;
  float           *gate;
  int              n_gate;

  ScmScatterTooltipFunc tooltip_func;
  gpointer         tooltip_data;
  GDestroyNotify   tooltip_destroy;
};

G_DEFINE_FINAL_TYPE (ScmScatterView, scm_scatter_view, GTK_TYPE_WIDGET)

enum { SIGNAL_LASSO_FINISHED, SIGNAL_SELECTION_MADE, SIGNAL_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const ScmScatterBounds *
bounds (ScmScatterView *self)
{
  static const ScmScatterBounds unit = { 0, 1, 0, 1 };
  return self->model ? scm_scatter_model_get_bounds (self->model) : &unit;
}

static void
ensure_viewport (ScmScatterView *self)
{
  if (!self->vp_valid)
    {
      scm_scatter_viewport_reset (&self->vp, bounds (self));
      self->vp_valid = TRUE;
    }
}

static void
widget_transform (ScmScatterView *self, ScmScatterTransform *t)
{
  ensure_viewport (self);
  scm_scatter_viewport_transform (&self->vp, bounds (self), gtk_widget_get_width (GTK_WIDGET (self)),
                                  gtk_widget_get_height (GTK_WIDGET (self)), MARGIN, t);
}

float
scm_scatter_view_get_effective_radius (ScmScatterView *self, int width, int height)
{
  if (self->radius > 0)
    return self->radius;
  gint64 n = self->model ? scm_scatter_model_get_n_points (self->model) : 1;
  return scm_scatter_auto_radius (n, self->vp.zoom, width, height);
}

static void
draw_text (cairo_t *cr, double x, double y, const char *text, double size, gboolean bold)
{
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
  cairo_move_to (cr, x, y);
  cairo_show_text (cr, text);
}

static void
draw_polygon (cairo_t *cr, const ScmScatterTransform *t, const float *p, int n, gboolean closed)
{
  if (n < 2)
    return;
  cairo_new_path (cr);
  for (int k = 0; k < n; k++)
    {
      double x = p[2 * k] * t->scale + t->tx, y = t->ty - p[2 * k + 1] * t->scale;
      if (k == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  if (closed)
    cairo_close_path (cr);
}

static void
scm_scatter_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  ScmScatterView *self = SCM_SCATTER_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  if (w <= 0 || h <= 0)
    return;
  int scale = gtk_widget_get_scale_factor (widget);
  int W = w * scale, H = h * scale;
  ensure_viewport (self);

  if (self->model)
    {
      if (!self->surface || cairo_image_surface_get_width (self->surface) != W ||
          cairo_image_surface_get_height (self->surface) != H)
        {
          g_clear_pointer (&self->surface, cairo_surface_destroy);
          self->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
        }
      float r = scm_scatter_view_get_effective_radius (self, w, h) * scale;
      scm_scatter_model_render_surface (self->model, self->surface, &self->vp, MARGIN * scale, r);
      /* CAIRO_FORMAT_ARGB32 is GDK_MEMORY_DEFAULT (premultiplied BGRA in
       * memory on little endian); our points are opaque. */
      GBytes *bytes = g_bytes_new (cairo_image_surface_get_data (self->surface),
                                   (gsize) cairo_image_surface_get_stride (self->surface) * H);
      GdkTexture *tex = gdk_memory_texture_new (W, H, GDK_MEMORY_DEFAULT, bytes,
                                                cairo_image_surface_get_stride (self->surface));
      gtk_snapshot_append_texture (snapshot, tex, &GRAPHENE_RECT_INIT (0, 0, w, h));
      g_object_unref (tex);
      g_bytes_unref (bytes);
    }

  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  ScmScatterTransform t;
  widget_transform (self, &t);
  /* Frame */
  cairo_set_source_rgba (cr, 0, 0, 0, 0.15);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, 0.5, 0.5, w - 1, h - 1);
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 0.13, 0.13, 0.13);
  if (self->title)
    draw_text (cr, 8, 17, self->title, w < 260 ? 11 : 13, TRUE);
  if (self->x_label)
    draw_text (cr, w / 2.0 - 20, h - 4, self->x_label, 11, FALSE);
  if (self->y_label)
    {
      cairo_save (cr);
      cairo_translate (cr, 12, h / 2.0 + 20);
      cairo_rotate (cr, -G_PI / 2);
      draw_text (cr, 0, 0, self->y_label, 11, FALSE);
      cairo_restore (cr);
    }
  if (self->model && self->show_colorbar &&
      scm_scatter_model_get_color_mode (self->model) == SCM_SCATTER_COLOR_CONTINUOUS && h > 120)
    {
      float vmin, vmax;
      scm_scatter_model_get_value_range (self->model, &vmin, &vmax);
      double bh = MIN (180.0, h * 0.45);
      scm_colormap_draw_bar (cr, w - 56, h - bh - 12, 50, bh,
                             scm_scatter_model_get_colormap (self->model), vmin, vmax, NULL);
    }
  if (self->gate && self->n_gate >= 3)
    {
      draw_polygon (cr, &t, self->gate, self->n_gate, TRUE);
      cairo_set_source_rgba (cr, 0.85, 0.1, 0.1, 0.08);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 0.85, 0.1, 0.1);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }
  if (self->lassoing && self->lasso->len >= 4)
    {
      draw_polygon (cr, &t, (float *) self->lasso->data, self->lasso->len / 2, FALSE);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      double dash[] = { 4, 3 };
      cairo_set_dash (cr, dash, 2, 0);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
}

static void
model_changed (ScmScatterModel *model, ScmScatterView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- gestures ---- */

static void
drag_begin (GtkGestureDrag *gesture, double x, double y, ScmScatterView *self)
{
  if (!self->interactive || !self->model)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  ensure_viewport (self);
  self->lassoing = self->tool == SCM_SCATTER_TOOL_LASSO || (mods & GDK_SHIFT_MASK);
  self->drag_cx = self->vp.cx;
  self->drag_cy = self->vp.cy;
  g_array_set_size (self->lasso, 0);
  if (self->lassoing)
    {
      ScmScatterTransform t;
      double dx, dy;
      widget_transform (self, &t);
      scm_scatter_transform_invert (&t, x, y, &dx, &dy);
      float p[2] = { (float) dx, (float) dy };
      g_array_append_vals (self->lasso, p, 2);
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
drag_update (GtkGestureDrag *gesture, double ox, double oy, ScmScatterView *self)
{
  double sx, sy;
  gtk_gesture_drag_get_start_point (gesture, &sx, &sy);
  ScmScatterTransform t;
  widget_transform (self, &t);
  if (self->lassoing)
    {
      double dx, dy;
      scm_scatter_transform_invert (&t, sx + ox, sy + oy, &dx, &dy);
      float p[2] = { (float) dx, (float) dy };
      g_array_append_vals (self->lasso, p, 2);
    }
  else
    {
      self->vp.cx = self->drag_cx - ox / t.scale;
      self->vp.cy = self->drag_cy + oy / t.scale;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
scm_scatter_view_apply_lasso (ScmScatterView *self, const float *poly, int nv)
{
  if (!self->model)
    return;
  gint64 n = scm_scatter_model_get_n_points (self->model);
  g_signal_emit (self, signals[SIGNAL_LASSO_FINISHED], 0, (gpointer) poly, nv);
  guint8 *mask = g_try_malloc0 (MAX (n, 1));
  if (!mask)
    return;
  gint64 count = scm_lasso_select (poly, nv, scm_scatter_model_get_positions (self->model), n,
                                   scm_scatter_model_get_visible (self->model), mask);
  g_signal_emit (self, signals[SIGNAL_SELECTION_MADE], 0, mask, count);
  g_free (mask);
}

static void
drag_end (GtkGestureDrag *gesture, double ox, double oy, ScmScatterView *self)
{
  if (!self->lassoing)
    return;
  self->lassoing = FALSE;
  int nv = self->lasso->len / 2;
  const float *poly = (const float *) self->lasso->data;
  ScmScatterTransform t;
  widget_transform (self, &t);
  /* Ignore clicks and scribbles: at least ~40 square pixels of area. */
  if (nv >= 3 && scm_lasso_area (poly, nv) * t.scale * t.scale > 40.0)
    scm_scatter_view_apply_lasso (self, poly, nv);
  g_array_set_size (self->lasso, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
scroll (GtkEventControllerScroll *ctl, double dx, double dy, ScmScatterView *self)
{
  if (!self->interactive || !self->model)
    return FALSE;
  double factor = pow (1.15, -dy);
  scm_scatter_viewport_zoom_at (&self->vp, bounds (self), gtk_widget_get_width (GTK_WIDGET (self)),
                                gtk_widget_get_height (GTK_WIDGET (self)), MARGIN, self->pointer_x,
                                self->pointer_y, factor);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
motion (GtkEventControllerMotion *ctl, double x, double y, ScmScatterView *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
}

static void
zoom_begin (GtkGesture *gesture, GdkEventSequence *seq, ScmScatterView *self)
{
  ensure_viewport (self);
  self->zoom_start = self->vp.zoom;
}

static void
zoom_changed (GtkGestureZoom *gesture, double scale, ScmScatterView *self)
{
  if (!self->interactive)
    return;
  double cx, cy;
  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    {
      cx = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      cy = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  double target = self->zoom_start * scale;
  scm_scatter_viewport_zoom_at (&self->vp, bounds (self), gtk_widget_get_width (GTK_WIDGET (self)),
                                gtk_widget_get_height (GTK_WIDGET (self)), MARGIN, cx, cy,
                                target / self->vp.zoom);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
click_released (GtkGestureClick *gesture, int n_press, double x, double y, ScmScatterView *self)
{
  if (!self->interactive)
    g_signal_emit (self, signals[SIGNAL_ACTIVATED], 0);
}

char *
scm_scatter_view_get_tooltip_markup (ScmScatterView *self, double x, double y)
{
  g_return_val_if_fail (SCM_IS_SCATTER_VIEW (self), NULL);
  if (!self->model)
    return NULL;
  ScmScatterTransform t;
  double dx, dy;
  widget_transform (self, &t);
  scm_scatter_transform_invert (&t, x, y, &dx, &dy);
  gint64 i = scm_scatter_model_pick (self->model, (float) dx, (float) dy,
                                     (float) (HOVER_PIXELS / t.scale));
  if (i < 0)
    return NULL;
  if (self->tooltip_func)
    return self->tooltip_func (i, self->tooltip_data);
  return g_strdup_printf (_("Cell %" G_GINT64_FORMAT), i + 1);
}

gboolean
scm_scatter_view_get_point_position (ScmScatterView *self, gint64 i, double *x, double *y)
{
  g_return_val_if_fail (SCM_IS_SCATTER_VIEW (self), FALSE);
  if (!self->model || i < 0 || i >= scm_scatter_model_get_n_points (self->model) ||
      gtk_widget_get_width (GTK_WIDGET (self)) <= 0)
    return FALSE;
  const float *xy = scm_scatter_model_get_positions (self->model);
  ScmScatterTransform t;
  widget_transform (self, &t);
  /* The renderer's mapping (scm-scatter-render.h): y axis up. */
  *x = xy[2 * i] * t.scale + t.tx;
  *y = t.ty - xy[2 * i + 1] * t.scale;
  return isfinite (*x) && isfinite (*y);
}

static gboolean
query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip)
{
  ScmScatterView *self = SCM_SCATTER_VIEW (widget);
  if (keyboard || self->lassoing)
    return FALSE;
  g_autofree char *text = scm_scatter_view_get_tooltip_markup (self, x, y);
  if (!text)
    return FALSE;
  gtk_tooltip_set_markup (tooltip, text);
  /* Keep the tooltip per point: moving to another point updates it. */
  GdkRectangle r = { x - 3, y - 3, 6, 6 };
  gtk_tooltip_set_tip_area (tooltip, &r);
  return TRUE;
}

static void
scm_scatter_view_dispose (GObject *object)
{
  ScmScatterView *self = SCM_SCATTER_VIEW (object);
  scm_scatter_view_set_model (self, NULL);
  if (self->tooltip_destroy && self->tooltip_data)
    self->tooltip_destroy (self->tooltip_data);
  self->tooltip_destroy = NULL;
  self->tooltip_data = NULL;
  G_OBJECT_CLASS (scm_scatter_view_parent_class)->dispose (object);
}

static void
scm_scatter_view_finalize (GObject *object)
{
  ScmScatterView *self = SCM_SCATTER_VIEW (object);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_array_unref (self->lasso);
  g_free (self->title);
  g_free (self->x_label);
  g_free (self->y_label);
  g_free (self->gate);
  G_OBJECT_CLASS (scm_scatter_view_parent_class)->finalize (object);
}

static void
scm_scatter_view_measure (GtkWidget *widget, GtkOrientation o, int for_size, int *min, int *nat,
                          int *min_base, int *nat_base)
{
  *min = 80;
  *nat = 400;
}

static void
scm_scatter_view_class_init (ScmScatterViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = scm_scatter_view_dispose;
  object_class->finalize = scm_scatter_view_finalize;
  widget_class->snapshot = scm_scatter_view_snapshot;
  widget_class->measure = scm_scatter_view_measure;
  widget_class->query_tooltip = query_tooltip;
  gtk_widget_class_set_css_name (widget_class, "scatterview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);

  signals[SIGNAL_LASSO_FINISHED] =
    g_signal_new ("lasso-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_INT);
  signals[SIGNAL_SELECTION_MADE] =
    g_signal_new ("selection-made", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_INT64);
  signals[SIGNAL_ACTIVATED] =
    g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
scm_scatter_view_init (ScmScatterView *self)
{
  self->interactive = TRUE;
  self->show_colorbar = TRUE;
  self->lasso = g_array_new (FALSE, FALSE, sizeof (float));
  self->vp.zoom = 1.0;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);

  GtkGesture *drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  GtkEventController *sc = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (sc, "scroll", G_CALLBACK (scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), sc);

  GtkEventController *mo = gtk_event_controller_motion_new ();
  g_signal_connect (mo, "motion", G_CALLBACK (motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), mo);

  GtkGesture *zoom = gtk_gesture_zoom_new ();
  g_signal_connect (zoom, "begin", G_CALLBACK (zoom_begin), self);
  g_signal_connect (zoom, "scale-changed", G_CALLBACK (zoom_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (zoom));

  GtkGesture *click = gtk_gesture_click_new ();
  g_signal_connect (click, "released", G_CALLBACK (click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

ScmScatterView *
scm_scatter_view_new (void)
{
  return g_object_new (SCM_TYPE_SCATTER_VIEW, NULL);
}

void
scm_scatter_view_set_model (ScmScatterView *self, ScmScatterModel *model)
{
  if (self->model == model)
    return;
  if (self->model)
    {
      g_clear_signal_handler (&self->model_handler, self->model);
      g_clear_object (&self->model);
    }
  if (model)
    {
      self->model = g_object_ref (model);
      self->model_handler = g_signal_connect (model, "changed", G_CALLBACK (model_changed), self);
    }
  self->vp_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

ScmScatterModel *scm_scatter_view_get_model (ScmScatterView *self) { return self->model; }

void
scm_scatter_view_set_title (ScmScatterView *self, const char *title)
{
  g_free (self->title);
  self->title = g_strdup (title);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
scm_scatter_view_set_axis_labels (ScmScatterView *self, const char *x, const char *y)
{
  g_free (self->x_label);
  g_free (self->y_label);
  self->x_label = g_strdup (x);
  self->y_label = g_strdup (y);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void scm_scatter_view_set_tool (ScmScatterView *self, ScmScatterTool tool) { self->tool = tool; }

void
scm_scatter_view_set_interactive (ScmScatterView *self, gboolean interactive)
{
  self->interactive = interactive;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), interactive ? NULL : "pointer");
}

void
scm_scatter_view_set_show_colorbar (ScmScatterView *self, gboolean show)
{
  self->show_colorbar = show;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
scm_scatter_view_set_point_radius (ScmScatterView *self, float radius)
{
  self->radius = radius;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
scm_scatter_view_reset_view (ScmScatterView *self)
{
  self->vp_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
scm_scatter_view_set_tooltip_func (ScmScatterView *self, ScmScatterTooltipFunc func,
                                   gpointer user_data, GDestroyNotify destroy)
{
  if (self->tooltip_destroy && self->tooltip_data)
    self->tooltip_destroy (self->tooltip_data);
  self->tooltip_func = func;
  self->tooltip_data = user_data;
  self->tooltip_destroy = destroy;
}

void
scm_scatter_view_set_gate (ScmScatterView *self, const float *poly, int n)
{
  g_clear_pointer (&self->gate, g_free);
  self->n_gate = 0;
  if (poly && n >= 3)
    {
      self->gate = g_memdup2 (poly, sizeof (float) * 2 * n);
      self->n_gate = n;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const float *
scm_scatter_view_get_gate (ScmScatterView *self, int *n_out)
{
  g_return_val_if_fail (SCM_IS_SCATTER_VIEW (self), NULL);
  if (n_out)
    *n_out = self->n_gate;
  return self->gate;
}

const ScmScatterViewport *
scm_scatter_view_get_viewport (ScmScatterView *self)
{
  ensure_viewport (self);
  return &self->vp;
}
