/* scm-qc-plot.c: QC histogram drawing and the ScmQcPlot widget. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "scm-page-util.h"
#include "scm-qc-plot.h"

#define MARGIN_LEFT   52.0
#define MARGIN_RIGHT  14.0
#define MARGIN_TOP    26.0
#define MARGIN_BOTTOM 30.0
#define HANDLE_GRAB   10.0

void
scm_qc_plot_get_area (double width, double height, ScmPlotArea *area)
{
  area->x = MARGIN_LEFT;
  area->y = MARGIN_TOP;
  area->width = MAX (1.0, width - MARGIN_LEFT - MARGIN_RIGHT);
  area->height = MAX (1.0, height - MARGIN_TOP - MARGIN_BOTTOM);
}

double
scm_qc_plot_value_to_x (ScmQcModel *model, ScmQcMetric metric, double width, double value)
{
  const ScmHistogram *h = scm_qc_model_get_histogram (model, metric);
  ScmPlotArea a;
  double v;

  scm_qc_plot_get_area (width, 100, &a);
  if (h == NULL)
    return a.x;
  v = scm_histogram_axis_value (h, value);
  return a.x + (v - h->lo) / (h->hi - h->lo) * a.width;
}

double
scm_qc_plot_x_to_value (ScmQcModel *model, ScmQcMetric metric, double width, double x)
{
  const ScmHistogram *h = scm_qc_model_get_histogram (model, metric);
  ScmPlotArea a;
  double v;

  scm_qc_plot_get_area (width, 100, &a);
  if (h == NULL)
    return 0.0;
  v = h->lo + (x - a.x) / a.width * (h->hi - h->lo);
  v = CLAMP (v, h->lo, h->hi);
  return h->log_scale ? pow (10.0, v) - 1.0 : v;
}

/* Ticks on a log10(1+x) axis: decades, with 2 and 5 when the range is short. */
static guint
log_ticks (const ScmHistogram *h, double *values, guint max)
{
  double lo = pow (10.0, h->lo) - 1.0, hi = pow (10.0, h->hi) - 1.0;
  guint n = 0;
  gboolean fine = h->hi - h->lo < 2.5;   /* fewer than 2.5 decades */

  for (int e = 0; e <= 9 && n < max; e++)
    {
      const double mult[] = { 1, 2, 5 };
      for (guint m = 0; m < (fine ? 3u : 1u) && n < max; m++)
        {
          double v = mult[m] * pow (10.0, e);
          if (v >= lo && v <= hi)
            values[n++] = v;
        }
    }
  return n;
}

void
scm_qc_plot_draw (cairo_t *cr, double width, double height, ScmQcModel *model,
                  ScmQcMetric metric, const ScmChartStyle *style)
{
  const ScmHistogram *h = model ? scm_qc_model_get_histogram (model, metric) : NULL;
  ScmPlotArea a;
  ScmTicks yt;
  double lo_thr, hi_thr, x_lo, x_hi, bw;
  char buf[64];

  scm_qc_plot_get_area (width, height, &a);

  if (style->bg.a > 0)
    {
      scm_cairo_set_rgba (cr, &style->bg);
      cairo_paint (cr);
    }
  if (h == NULL)
    return;

  scm_cairo_set_rgba (cr, &style->fg);
  scm_chart_text (cr, scm_qc_model_get_metric_title (model, metric), a.x, 4, 0.0, 0.0, 9.5, TRUE);

  /* Y axis: cells per bin. */
  scm_ticks_compute (&yt, 0, MAX (1, h->max_count), 4);
  scm_chart_draw_y_grid (cr, &a, &yt, style);

  /* Bars: all cells light, cells passing every threshold in full colour,
   * so each plot shows what the other filters remove too. */
  bw = a.width / h->n_bins;
  {
    const gint64 *kept = scm_qc_model_get_kept_counts (model, metric);
    ScmRgba light = style->accent;
    light.a = 0.30;
    for (int pass = 0; pass < 2; pass++)
      {
        const gint64 *counts = pass == 0 ? h->counts : kept;
        if (counts == NULL)
          continue;
        scm_cairo_set_rgba (cr, pass == 0 ? &light : &style->accent);
        for (guint b = 0; b < h->n_bins; b++)
          {
            double bh = (double) counts[b] / yt.hi * a.height;
            if (counts[b] == 0)
              continue;
            cairo_rectangle (cr, a.x + b * bw + 0.5, a.y + a.height - bh, MAX (bw - 1.0, 1.0), bh);
          }
        cairo_fill (cr);
      }
  }

  /* X axis ticks (data values even on the log axis). */
  {
    double values[SCM_MAX_TICKS], xs[SCM_MAX_TICKS];
    char text[SCM_MAX_TICKS][32];
    const char *labels[SCM_MAX_TICKS];
    guint n;
    ScmTicks xt;

    if (h->log_scale)
      {
        n = log_ticks (h, values, SCM_MAX_TICKS);
        scm_ticks_compute (&xt, 0, pow (10.0, h->hi), 5);
      }
    else
      {
        scm_ticks_compute (&xt, h->lo, h->hi, 5);
        n = 0;
        for (guint i = 0; i < xt.n; i++)
          if (xt.values[i] >= h->lo - 1e-9 && xt.values[i] <= h->hi + 1e-9)
            values[n++] = xt.values[i];
      }
    for (guint i = 0; i < n; i++)
      {
        xs[i] = scm_qc_plot_value_to_x (model, metric, width, values[i]);
        if (h->log_scale)
          {
            ScmTicks one = { .step = values[i] >= 1e4 ? 1e3 : 1 };
            scm_ticks_format (&one, values[i], text[i], sizeof text[i]);
          }
        else
          scm_ticks_format (&xt, values[i], text[i], sizeof text[i]);
        labels[i] = text[i];
      }
    scm_chart_draw_x_axis (cr, &a, n, xs, labels, style);
  }

  /* Filtered-out regions dimmed, thresholds as lines with handles. */
  scm_qc_model_get_threshold (model, metric, &lo_thr, &hi_thr);
  x_lo = scm_qc_plot_value_to_x (model, metric, width, lo_thr);
  x_hi = scm_qc_plot_value_to_x (model, metric, width, hi_thr);
  x_lo = CLAMP (x_lo, a.x, a.x + a.width);
  x_hi = CLAMP (x_hi, a.x, a.x + a.width);
  scm_cairo_set_rgba (cr, &style->dim);
  cairo_rectangle (cr, a.x, a.y, x_lo - a.x, a.height);
  cairo_rectangle (cr, x_hi, a.y, a.x + a.width - x_hi, a.height);
  cairo_fill (cr);

  /* Threshold values, once moved away from the data range ends. */
  {
    double min, max;
    scm_qc_model_get_range (model, metric, &min, &max);
    scm_cairo_set_rgba (cr, &style->fg);
    if (lo_thr > min)
      {
        g_snprintf (buf, sizeof buf, "≥ %.*f", metric == SCM_QC_PCT_MITO ? 1 : 0, lo_thr);
        scm_chart_text (cr, buf, x_lo + 6, a.y + 2, 0.0, 0.0, 8, TRUE);
      }
    if (hi_thr < max)
      {
        g_snprintf (buf, sizeof buf, "≤ %.*f", metric == SCM_QC_PCT_MITO ? 1 : 0, hi_thr);
        scm_chart_text (cr, buf, x_hi - 6, a.y + 2, 1.0, 0.0, 8, TRUE);
      }
  }

  {
    const ScmRgba thr = { 0.88, 0.11, 0.14, 1 };  /* Adwaita red 3 */
    double xs[2] = { x_lo, x_hi };
    scm_cairo_set_rgba (cr, &thr);
    cairo_set_line_width (cr, 2.0);
    for (guint i = 0; i < 2; i++)
      {
        cairo_move_to (cr, round (xs[i]), a.y);
        cairo_line_to (cr, round (xs[i]), a.y + a.height);
        cairo_stroke (cr);
        cairo_rectangle (cr, round (xs[i]) - 4, a.y - 2, 8, 10);
        cairo_fill (cr);
      }
  }
}

/* ---- the widget ---- */

struct _ScmQcPlot
{
  GtkWidget    parent_instance;
  ScmQcModel  *model;
  ScmQcMetric  metric;
  int          dragging;      /* 0 none, 1 lower, 2 upper */
  double       drag_start_x;
};

G_DEFINE_FINAL_TYPE (ScmQcPlot, scm_qc_plot, GTK_TYPE_WIDGET)

static gboolean
is_dark (GtkWidget *widget)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

static void
scm_qc_plot_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  ScmQcPlot *self = SCM_QC_PLOT (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  ScmChartStyle style;
  cairo_t *cr;

  if (self->model == NULL || w <= 0 || h <= 0)
    return;
  scm_chart_style_init (&style, is_dark (widget));
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  scm_qc_plot_draw (cr, w, h, self->model, self->metric, &style);
  cairo_destroy (cr);
}

static void
drag_begin (GtkGestureDrag *gesture, double x, double y, ScmQcPlot *self)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double lo, hi, x_lo, x_hi;

  self->dragging = 0;
  if (self->model == NULL)
    return;
  scm_qc_model_get_threshold (self->model, self->metric, &lo, &hi);
  x_lo = scm_qc_plot_value_to_x (self->model, self->metric, width, lo);
  x_hi = scm_qc_plot_value_to_x (self->model, self->metric, width, hi);
  if (fabs (x - x_lo) <= HANDLE_GRAB && fabs (x - x_lo) <= fabs (x - x_hi))
    self->dragging = 1;
  else if (fabs (x - x_hi) <= HANDLE_GRAB)
    self->dragging = 2;
  self->drag_start_x = x;
  if (self->dragging == 0)
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
  else
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
drag_update (GtkGestureDrag *gesture, double dx, double dy, ScmQcPlot *self)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double lo, hi, v;

  if (self->dragging == 0 || self->model == NULL)
    return;
  v = scm_qc_plot_x_to_value (self->model, self->metric, width, self->drag_start_x + dx);
  scm_qc_model_get_threshold (self->model, self->metric, &lo, &hi);
  if (self->dragging == 1)
    scm_qc_model_set_threshold (self->model, self->metric, MIN (v, hi), hi);
  else
    scm_qc_model_set_threshold (self->model, self->metric, lo, MAX (v, lo));
}

static void
model_changed (ScmQcPlot *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
scm_qc_plot_set_model (ScmQcPlot *self, ScmQcModel *model)
{
  g_return_if_fail (SCM_IS_QC_PLOT (self));
  scm_widget_set_model (GTK_WIDGET (self), &self->model, model, G_CALLBACK (model_changed));
}

ScmQcModel *
scm_qc_plot_get_model (ScmQcPlot *self)
{
  g_return_val_if_fail (SCM_IS_QC_PLOT (self), NULL);
  return self->model;
}

static void
scm_qc_plot_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                     int *minimum, int *natural, int *min_baseline, int *nat_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 220;
      *natural = 320;
    }
  else
    {
      *minimum = 150;
      *natural = 180;
    }
}

static void
scm_qc_plot_dispose (GObject *object)
{
  ScmQcPlot *self = SCM_QC_PLOT (object);

  scm_qc_plot_set_model (self, NULL);
  G_OBJECT_CLASS (scm_qc_plot_parent_class)->dispose (object);
}

static void
scm_qc_plot_class_init (ScmQcPlotClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = scm_qc_plot_dispose;
  widget_class->snapshot = scm_qc_plot_snapshot;
  widget_class->measure = scm_qc_plot_measure;
  gtk_widget_class_set_css_name (widget_class, "qcplot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
scm_qc_plot_init (ScmQcPlot *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "col-resize");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), _("Drag the red handles to set the filter thresholds"));
}

GtkWidget *
scm_qc_plot_new (ScmQcModel *model, ScmQcMetric metric)
{
  ScmQcPlot *self = g_object_new (SCM_TYPE_QC_PLOT, NULL);
  self->metric = metric;
  scm_qc_plot_set_model (self, model);
  return GTK_WIDGET (self);
}
