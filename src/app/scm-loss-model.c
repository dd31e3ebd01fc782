/* scm-loss-model.c: series storage for the loss chart (see scm-loss-model.h). */
#include "config.h"

#include <math.h>

#include "scm-loss-model.h"

typedef struct {
  char        *name;
  ScmLossAxis  axis;
  GArray      *x;    /* double */
  GArray      *y;    /* double */
} Series;

struct _ScmLossModel
{
  GObject  parent_instance;
  Series   series[SCM_LOSS_MAX_SERIES];
  guint    n_series;
  double   x_max;
};

G_DEFINE_FINAL_TYPE (ScmLossModel, scm_loss_model, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
clear_series (ScmLossModel *self)
{
  for (guint i = 0; i < self->n_series; i++)
    {
      g_clear_pointer (&self->series[i].name, g_free);
      g_clear_pointer (&self->series[i].x, g_array_unref);
      g_clear_pointer (&self->series[i].y, g_array_unref);
    }
  self->n_series = 0;
}

static void
scm_loss_model_finalize (GObject *object)
{
  clear_series (SCM_LOSS_MODEL (object));
  G_OBJECT_CLASS (scm_loss_model_parent_class)->finalize (object);
}

static void
scm_loss_model_class_init (ScmLossModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = scm_loss_model_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
scm_loss_model_init (ScmLossModel *self)
{
  self->x_max = 1.0;
}

ScmLossModel *
scm_loss_model_new (void)
{
  return g_object_new (SCM_TYPE_LOSS_MODEL, NULL);
}

void
scm_loss_model_reset (ScmLossModel *self, double x_max)
{
  g_return_if_fail (SCM_IS_LOSS_MODEL (self));
  clear_series (self);
  self->x_max = x_max > 0 ? x_max : 1.0;
  g_signal_emit (self, signals[CHANGED], 0);
}

int
scm_loss_model_add_series (ScmLossModel *self, const char *name, ScmLossAxis axis)
{
  Series *s;

  g_return_val_if_fail (SCM_IS_LOSS_MODEL (self), -1);
  if (self->n_series >= SCM_LOSS_MAX_SERIES)
    return -1;
  s = &self->series[self->n_series];
  s->name = g_strdup (name);
  s->axis = axis;
  s->x = g_array_new (FALSE, FALSE, sizeof (double));
  s->y = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_emit (self, signals[CHANGED], 0);
  return (int) self->n_series++;
}

guint
scm_loss_model_get_n_series (ScmLossModel *self)
{
  g_return_val_if_fail (SCM_IS_LOSS_MODEL (self), 0);
  return self->n_series;
}

const char *
scm_loss_model_get_series_name (ScmLossModel *self, guint series)
{
  g_return_val_if_fail (SCM_IS_LOSS_MODEL (self), NULL);
  g_return_val_if_fail (series < self->n_series, NULL);
  return self->series[series].name;
}

ScmLossAxis
scm_loss_model_get_series_axis (ScmLossModel *self, guint series)
{
  g_return_val_if_fail (SCM_IS_LOSS_MODEL (self), SCM_LOSS_AXIS_LEFT);
  g_return_val_if_fail (series < self->n_series, SCM_LOSS_AXIS_LEFT);
  return self->series[series].axis;
}

void
scm_loss_model_append (ScmLossModel *self, guint series, double x, double y)
{
  Series *s;

  g_return_if_fail (SCM_IS_LOSS_MODEL (self));
  g_return_if_fail (series < self->n_series);

  if (!isfinite (x) || !isfinite (y))
    return;
  s = &self->series[series];
  /* Keep x sorted so nearest-point lookup can bisect; a resumed job may
   * repeat an epoch, which replaces the tail instead. */
  while (s->x->len > 0 && g_array_index (s->x, double, s->x->len - 1) >= x)
    {
      g_array_set_size (s->x, s->x->len - 1);
      g_array_set_size (s->y, s->y->len - 1);
    }
  g_array_append_val (s->x, x);
  g_array_append_val (s->y, y);
  if (x > self->x_max)
    self->x_max = x;
  g_signal_emit (self, signals[CHANGED], 0);
}

guint
scm_loss_model_get_n_points (ScmLossModel *self, guint series)
{
  g_return_val_if_fail (SCM_IS_LOSS_MODEL (self), 0);
  return series < self->n_series ? self->series[series].x->len : 0;
}

guint
scm_loss_model_get_total_points (ScmLossModel *self)
{
  guint n = 0;
  g_return_val_if_fail (SCM_IS_LOSS_MODEL (self), 0);
  for (guint i = 0; i < self->n_series; i++)
    n += self->series[i].x->len;
  return n;
}

const double *
scm_loss_model_get_x (ScmLossModel *self, guint series)
{
  g_return_val_if_fail (SCM_IS_LOSS_MODEL (self), NULL);
  g_return_val_if_fail (series < self->n_series, NULL);
  return (const double *) self->series[series].x->data;
}

const double *
scm_loss_model_get_y (ScmLossModel *self, guint series)
{
  g_return_val_if_fail (SCM_IS_LOSS_MODEL (self), NULL);
  g_return_val_if_fail (series < self->n_series, NULL);
  return (const double *) self->series[series].y->data;
}

double
scm_loss_model_get_x_max (ScmLossModel *self)
{
  g_return_val_if_fail (SCM_IS_LOSS_MODEL (self), 1.0);
  return self->x_max;
}

void
scm_loss_model_set_x_max (ScmLossModel *self, double x_max)
{
  g_return_if_fail (SCM_IS_LOSS_MODEL (self));
  if (x_max > 0 && x_max != self->x_max)
    {
      self->x_max = x_max;
      g_signal_emit (self, signals[CHANGED], 0);
    }
}

gboolean
scm_loss_model_get_y_range (ScmLossModel *self, ScmLossAxis axis, double *min, double *max)
{
  double lo = INFINITY, hi = -INFINITY;

  g_return_val_if_fail (SCM_IS_LOSS_MODEL (self), FALSE);

  for (guint i = 0; i < self->n_series; i++)
    {
      const Series *s = &self->series[i];
      if (s->axis != axis)
        continue;
      for (guint k = 0; k < s->y->len; k++)
        {
          double v = g_array_index (s->y, double, k);
          lo = MIN (lo, v);
          hi = MAX (hi, v);
        }
    }
  if (min != NULL)
    *min = lo;
  if (max != NULL)
    *max = hi;
  return lo <= hi;
}

int
scm_loss_model_nearest (ScmLossModel *self, guint series, double x)
{
  const Series *s;
  guint lo = 0, hi;

  g_return_val_if_fail (SCM_IS_LOSS_MODEL (self), -1);
  if (series >= self->n_series || self->series[series].x->len == 0)
    return -1;
  s = &self->series[series];
  hi = s->x->len - 1;
  /* Bisect for the last point with x_i <= x, then compare with the next. */
  if (x <= g_array_index (s->x, double, 0))
    return 0;
  if (x >= g_array_index (s->x, double, hi))
    return (int) hi;
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (s->x, double, mid) <= x)
        lo = mid;
      else
        hi = mid;
    }
  return x - g_array_index (s->x, double, lo) <= g_array_index (s->x, double, hi) - x
         ? (int) lo : (int) hi;
}
