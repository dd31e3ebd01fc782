/* scm-loss-model.h: the data behind the live loss chart.
 *
 * A few named series of (epoch, value) points, x ascending, each on the
 * left axis (losses) or the right axis (accuracy in [0, 1]); the planned
 * number of epochs fixes the x range so the chart does not rescale while
 * training.  Main thread only; "changed" after every edit (the chart
 * redraws at most once per frame anyway).
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SCM_LOSS_MAX_SERIES 4

typedef enum {
  SCM_LOSS_AXIS_LEFT,    /* loss */
  SCM_LOSS_AXIS_RIGHT,   /* accuracy, 0..1 */
} ScmLossAxis;

#define SCM_TYPE_LOSS_MODEL (scm_loss_model_get_type ())
G_DECLARE_FINAL_TYPE (ScmLossModel, scm_loss_model, SCM, LOSS_MODEL, GObject)

ScmLossModel *scm_loss_model_new          (void);
/* Removes all series and points. */
void          scm_loss_model_reset        (ScmLossModel *self, double x_max);
/* Returns the series index (or -1 when SCM_LOSS_MAX_SERIES are in use). */
int           scm_loss_model_add_series   (ScmLossModel *self, const char *name, ScmLossAxis axis);
guint         scm_loss_model_get_n_series (ScmLossModel *self);
const char   *scm_loss_model_get_series_name (ScmLossModel *self, guint series);
ScmLossAxis   scm_loss_model_get_series_axis (ScmLossModel *self, guint series);
/* Points must come with non-decreasing x per series; non-finite y ignored. */
void          scm_loss_model_append       (ScmLossModel *self, guint series, double x, double y);
guint         scm_loss_model_get_n_points (ScmLossModel *self, guint series);
/* (n) x and y arrays of a series; owned by the model. */
const double *scm_loss_model_get_x        (ScmLossModel *self, guint series);
const double *scm_loss_model_get_y        (ScmLossModel *self, guint series);
guint         scm_loss_model_get_total_points (ScmLossModel *self);
double        scm_loss_model_get_x_max    (ScmLossModel *self);
void          scm_loss_model_set_x_max    (ScmLossModel *self, double x_max);
/* Range of all finite values on an axis; FALSE when it has none. */
gboolean      scm_loss_model_get_y_range  (ScmLossModel *self, ScmLossAxis axis,
                                           double *min, double *max);
/* Index of the point of `series` whose x is nearest to x, or -1 if empty. */
int           scm_loss_model_nearest      (ScmLossModel *self, guint series, double x);

G_END_DECLS
