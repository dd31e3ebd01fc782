/* scm-loss-chart.c: drawing of the loss curves and the ScmLossChart widget. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>

#include "scm-loss-chart.h"
#include "scm-page-util.h"

#define MARGIN_LEFT   58.0
#define MARGIN_RIGHT  18.0
#define MARGIN_RIGHT_AXIS 50.0
#define MARGIN_TOP    30.0
#define MARGIN_BOTTOM 40.0

static gboolean
has_right_axis (ScmLossModel *model)
{
  for (guint i = 0; i < scm_loss_model_get_n_series (model); i++)
    if (scm_loss_model_get_series_axis (model, i) == SCM_LOSS_AXIS_RIGHT)
      return TRUE;
  return FALSE;
}

void
scm_loss_chart_get_area (ScmLossModel *model, double width, double height, ScmLossArea *area)
{
  double right = model != NULL && has_right_axis (model) ? MARGIN_RIGHT_AXIS : MARGIN_RIGHT;

  area->x = MARGIN_LEFT;
  area->y = MARGIN_TOP;
  area->width = MAX (1.0, width - MARGIN_LEFT - right);
  area->height = MAX (1.0, height - MARGIN_TOP - MARGIN_BOTTOM);
}

double
scm_loss_chart_x_at (ScmLossModel *model, double width, double height, double px)
{
  ScmLossArea a;
  ScmTicks xt;

  scm_loss_chart_get_area (model, width, height, &a);
  scm_ticks_compute (&xt, 0, scm_loss_model_get_x_max (model), 6);
  return xt.lo + (px - a.x) / a.width * (xt.hi - xt.lo);
}

static void
y_ticks (ScmLossModel *model, ScmTicks *t)
{
  double lo, hi;

  if (!scm_loss_model_get_y_range (model, SCM_LOSS_AXIS_LEFT, &lo, &hi))
    {
      lo = 0.0;
      hi = 1.0;
    }
  /* Losses are >= 0; start at 0 unless the curve sits far above it, so the
   * eye reads relative progress correctly. */
  if (lo >= 0 && lo < 0.5 * hi)
    lo = 0.0;
  scm_ticks_compute (t, lo, hi, 5);
}

void
scm_loss_chart_draw (cairo_t *cr, double width, double height, ScmLossModel *model,
                     const ScmChartStyle *style, double hover_x)
{
  ScmLossArea a;
  ScmTicks xt, yt;
  gboolean right = has_right_axis (model);
  guint n_series = scm_loss_model_get_n_series (model);
  char buf[64];
  double legend_x;

#define MAP_X(v) (a.x + ((v) - xt.lo) / (xt.hi - xt.lo) * a.width)
#define MAP_Y(v) (a.y + a.height - ((v) - yt.lo) / (yt.hi - yt.lo) * a.height)
#define MAP_R(v) (a.y + a.height - (v) * a.height)

  scm_loss_chart_get_area (model, width, height, &a);
  if (style->bg.a > 0)
    {
      scm_cairo_set_rgba (cr, &style->bg);
      cairo_paint (cr);
    }

  scm_ticks_compute (&xt, 0, scm_loss_model_get_x_max (model), 6);
  y_ticks (model, &yt);
  cairo_set_line_width (cr, 1.0);

  /* Epoch markers: a faint line per epoch when they are not too dense. */
  if (scm_loss_model_get_x_max (model) <= a.width / 6)
    {
      ScmRgba marker = style->grid;
      marker.a *= 0.5;
      scm_cairo_set_rgba (cr, &marker);
      for (int e = 1; e <= (int) scm_loss_model_get_x_max (model); e++)
        {
          double x = round (MAP_X (e)) + 0.5;
          cairo_move_to (cr, x, a.y);
          cairo_line_to (cr, x, a.y + a.height);
        }
      cairo_stroke (cr);
    }

  scm_chart_draw_y_grid (cr, &a, &yt, style);
  scm_cairo_set_rgba (cr, &style->fg);
  cairo_save (cr);
  cairo_translate (cr, 12, a.y + a.height / 2);
  cairo_rotate (cr, -G_PI / 2);
  scm_chart_text (cr, _("Loss"), 0, 0, 0.5, 0.5, 8.5, FALSE);
  cairo_restore (cr);

  if (right)
    {
      for (guint i = 0; i <= 4; i++)
        {
          double v = i / 4.0;
          snprintf (buf, sizeof buf, "%d%%", (int) (v * 100));
          scm_chart_text (cr, buf, a.x + a.width + 6, MAP_R (v), 0.0, 0.5, 8, FALSE);
        }
    }

  /* X axis: epochs. */
  {
    double xs[SCM_MAX_TICKS];
    char text[SCM_MAX_TICKS][32];
    const char *labels[SCM_MAX_TICKS];
    for (guint i = 0; i < xt.n; i++)
      {
        xs[i] = MAP_X (xt.values[i]);
        scm_ticks_format (&xt, xt.values[i], text[i], sizeof text[i]);
        labels[i] = text[i];
      }
    scm_chart_draw_x_axis (cr, &a, xt.n, xs, labels, style);
  }
  scm_chart_text (cr, _("Epoch"), a.x + a.width / 2, height - 4, 0.5, 1.0, 8.5, FALSE);

  /* Curves: clip to the plot area, round joins. */
  cairo_save (cr);
  cairo_rectangle (cr, a.x, a.y - 2, a.width, a.height + 4);
  cairo_clip (cr);
  cairo_set_line_width (cr, 2.0);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint s = 0; s < n_series; s++)
    {
      ScmRgba c = scm_chart_series_color (s);
      guint n = scm_loss_model_get_n_points (model, s);
      const double *xs = scm_loss_model_get_x (model, s);
      const double *ys = scm_loss_model_get_y (model, s);
      gboolean r = scm_loss_model_get_series_axis (model, s) == SCM_LOSS_AXIS_RIGHT;

      if (n == 0)
        continue;
      /* Per-batch series (many points per epoch) are noisy: draw them thin
       * and lighter so the per-epoch curves carry the trend. */
      if (n > 4 * MAX (1.0, scm_loss_model_get_x_max (model)))
        {
          c.a = 0.55;
          cairo_set_line_width (cr, 1.2);
        }
      else
        cairo_set_line_width (cr, 2.0);
      scm_cairo_set_rgba (cr, &c);
      if (r)
        {
          static const double dash[] = { 6.0, 3.0 };
          cairo_set_dash (cr, dash, 2, 0);
        }
      for (guint k = 0; k < n; k++)
        {
          double px = MAP_X (xs[k]), py = r ? MAP_R (ys[k]) : MAP_Y (ys[k]);
          if (k == 0)
            cairo_move_to (cr, px, py);
          else
            cairo_line_to (cr, px, py);
        }
      if (n == 1)
        {
          double px = MAP_X (xs[0]), py = r ? MAP_R (ys[0]) : MAP_Y (ys[0]);
          cairo_new_path (cr);
          cairo_arc (cr, px, py, 3, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      else
        cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  cairo_restore (cr);

  /* Legend above the plot, in one row; entries that do not fit in the
   * width shrink their gap first, then the text is clipped at the edge. */
  {
    double total = 0, gap = 18;
    for (guint s = 0; s < n_series; s++)
      total += 23 + scm_chart_text_width (cr, scm_loss_model_get_series_name (model, s), 8.5, FALSE);
    if (n_series > 1 && a.x + total + gap * (n_series - 1) > width - 4)
      gap = MAX (6, (width - 4 - a.x - total) / (n_series - 1));
    legend_x = a.x;
    cairo_save (cr);
    cairo_rectangle (cr, 0, 0, width, a.y);
    cairo_clip (cr);
    for (guint s = 0; s < n_series; s++)
      {
        ScmRgba c = scm_chart_series_color (s);
        const char *name = scm_loss_model_get_series_name (model, s);

        scm_cairo_set_rgba (cr, &c);
        cairo_set_line_width (cr, 3.0);
        if (scm_loss_model_get_series_axis (model, s) == SCM_LOSS_AXIS_RIGHT)
          {
            static const double dash[] = { 4.0, 2.0 };
            cairo_set_dash (cr, dash, 2, 0);
          }
        cairo_move_to (cr, legend_x, 12);
        cairo_line_to (cr, legend_x + 18, 12);
        cairo_stroke (cr);
        cairo_set_dash (cr, NULL, 0, 0);
        scm_cairo_set_rgba (cr, &style->fg);
        scm_chart_text (cr, name, legend_x + 23, 12, 0.0, 0.5, 8.5, FALSE);
        legend_x += 23 + scm_chart_text_width (cr, name, 8.5, FALSE) + gap;
      }
    cairo_restore (cr);
  }

  if (n_series > 0 && scm_loss_model_get_total_points (model) == 0)
    {
      scm_cairo_set_rgba (cr, &style->fg);
      scm_chart_text (cr, _("Waiting for the first batches…"), a.x + a.width / 2,
                      a.y + a.height / 2, 0.5, 0.5, 10, FALSE);
    }

  /* Hover: guide line, dots on the nearest points, a read-out box. */
  if (!isnan (hover_x) && scm_loss_model_get_total_points (model) > 0)
    {
      GString *text = g_string_new (NULL);
      double gx = -1;

      for (guint s = 0; s < n_series; s++)
        {
          int k = scm_loss_model_nearest (model, s, hover_x);
          gboolean r = scm_loss_model_get_series_axis (model, s) == SCM_LOSS_AXIS_RIGHT;
          double px, py, xv, yv;
          ScmRgba c = scm_chart_series_color (s);

          if (k < 0)
            continue;
          xv = scm_loss_model_get_x (model, s)[k];
          yv = scm_loss_model_get_y (model, s)[k];
          px = MAP_X (xv);
          py = r ? MAP_R (yv) : MAP_Y (yv);
          if (gx < 0)
            {
              gx = px;
              g_string_append_printf (text, _("Epoch %.2f"), xv);
            }
          scm_cairo_set_rgba (cr, &c);
          cairo_arc (cr, px, py, 4, 0, 2 * G_PI);
          cairo_fill (cr);
          if (r)
            g_string_append_printf (text, "\n%s: %.1f%%", scm_loss_model_get_series_name (model, s),
                                    yv * 100);
          else
            g_string_append_printf (text, "\n%s: %.4g", scm_loss_model_get_series_name (model, s), yv);
        }
      if (gx >= 0)
        {
          PangoLayout *layout = pango_cairo_create_layout (cr);
          PangoFontDescription *font = pango_font_description_from_string ("Sans 8");
          int tw, th;
          double bx, by = a.y + 6;

          scm_cairo_set_rgba (cr, &style->fg);
          cairo_set_line_width (cr, 1.0);
          cairo_move_to (cr, round (gx) + 0.5, a.y);
          cairo_line_to (cr, round (gx) + 0.5, a.y + a.height);
          cairo_stroke (cr);

          pango_layout_set_font_description (layout, font);
          pango_layout_set_text (layout, text->str, -1);
          pango_layout_get_pixel_size (layout, &tw, &th);
          bx = gx + 10 + tw + 12 < a.x + a.width ? gx + 10 : gx - 10 - tw - 12;
          cairo_set_source_rgba (cr, style->dark ? 0.15 : 1, style->dark ? 0.15 : 1,
                                 style->dark ? 0.15 : 1, 0.92);
          cairo_rectangle (cr, bx, by, tw + 12, th + 8);
          cairo_fill_preserve (cr);
          scm_cairo_set_rgba (cr, &style->grid);
          cairo_stroke (cr);
          scm_cairo_set_rgba (cr, &style->fg);
          cairo_move_to (cr, bx + 6, by + 4);
          pango_cairo_show_layout (cr, layout);
          pango_font_description_free (font);
          g_object_unref (layout);
        }
      g_string_free (text, TRUE);
    }
#undef MAP_X
#undef MAP_Y
#undef MAP_R
}

/* ---- the widget ---- */

struct _ScmLossChart
{
  GtkWidget     parent_instance;
  ScmLossModel *model;
  double        hover_px;   /* NAN when the pointer is outside */
  guint         tick_id;    /* pending redraw on the next frame */
};

G_DEFINE_FINAL_TYPE (ScmLossChart, scm_loss_chart, GTK_TYPE_WIDGET)

static void
scm_loss_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  ScmLossChart *self = SCM_LOSS_CHART (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  ScmChartStyle style;
  cairo_t *cr;
  double hover = NAN;

  if (self->model == NULL || w <= 0 || h <= 0)
    return;
  scm_chart_style_init (&style, adw_style_manager_get_dark (adw_style_manager_get_default ()));
  if (!isnan (self->hover_px))
    hover = scm_loss_chart_x_at (self->model, w, h, self->hover_px);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  scm_loss_chart_draw (cr, w, h, self->model, &style, hover);
  cairo_destroy (cr);
}

static gboolean
redraw_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  ScmLossChart *self = SCM_LOSS_CHART (widget);
  self->tick_id = 0;
  gtk_widget_queue_draw (widget);
  return G_SOURCE_REMOVE;
}

/* Many appends between two frames cost one redraw. */
static void
model_changed (ScmLossChart *self)
{
  if (self->tick_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), redraw_tick, NULL, NULL);
  else if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion (GtkEventControllerMotion *ctl, double x, double y, ScmLossChart *self)
{
  self->hover_px = x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
leave (GtkEventControllerMotion *ctl, ScmLossChart *self)
{
  self->hover_px = NAN;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
scm_loss_chart_set_model (ScmLossChart *self, ScmLossModel *model)
{
  g_return_if_fail (SCM_IS_LOSS_CHART (self));
  scm_widget_set_model (GTK_WIDGET (self), &self->model, model, G_CALLBACK (model_changed));
}

ScmLossModel *
scm_loss_chart_get_model (ScmLossChart *self)
{
  g_return_val_if_fail (SCM_IS_LOSS_CHART (self), NULL);
  return self->model;
}

static void
scm_loss_chart_unmap (GtkWidget *widget)
{
  ScmLossChart *self = SCM_LOSS_CHART (widget);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->tick_id);
      self->tick_id = 0;
    }
  GTK_WIDGET_CLASS (scm_loss_chart_parent_class)->unmap (widget);
}

static void
scm_loss_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                        int *minimum, int *natural, int *min_baseline, int *nat_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 300 : 200;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 320;
}

static void
scm_loss_chart_dispose (GObject *object)
{
  scm_loss_chart_set_model (SCM_LOSS_CHART (object), NULL);
  G_OBJECT_CLASS (scm_loss_chart_parent_class)->dispose (object);
}

static void
scm_loss_chart_class_init (ScmLossChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = scm_loss_chart_dispose;
  widget_class->snapshot = scm_loss_chart_snapshot;
  widget_class->measure = scm_loss_chart_measure;
  widget_class->unmap = scm_loss_chart_unmap;
  gtk_widget_class_set_css_name (widget_class, "losschart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
scm_loss_chart_init (ScmLossChart *self)
{
  GtkEventController *ctl = gtk_event_controller_motion_new ();

  self->hover_px = NAN;
  g_signal_connect (ctl, "motion", G_CALLBACK (motion), self);
  g_signal_connect (ctl, "leave", G_CALLBACK (leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), ctl);
}

GtkWidget *
scm_loss_chart_new (void)
{
  return g_object_new (SCM_TYPE_LOSS_CHART, NULL);
}
