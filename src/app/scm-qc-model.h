/* scm-qc-model.h: per-cell quality-control metrics and filter thresholds.
 *
 * Computed once from a dataset (total counts, features detected, % of
 * counts from mitochondrial genes "MT-"/"mt-"), then the Open page moves
 * the thresholds and reads histograms and the number of cells kept.  The
 * model knows nothing about drawing: scm-qc-plot.h draws it.  Creation is
 * thread-safe (the loader builds it in its worker); everything else is
 * main-thread only.
 */
#pragma once

#include <gio/gio.h>

#include "scm-dataset.h"

G_BEGIN_DECLS

typedef enum {
  SCM_QC_TOTAL_COUNTS,
  SCM_QC_N_FEATURES,
  SCM_QC_PCT_MITO,
  SCM_QC_N_METRICS
} ScmQcMetric;

/* A histogram over [lo, hi) in n_bins equal bins; when log_scale the bins
 * are equal in log10(1 + x) and lo/hi are in that space too. */
typedef struct {
  guint    n_bins;
  double   lo;
  double   hi;
  gboolean log_scale;
  gint64  *counts;     /* (n_bins) */
  gint64   max_count;
} ScmHistogram;

void scm_histogram_clear (ScmHistogram *h);
/* Fills h from n values (NaN skipped).  Values equal to hi land in the last bin. */
void scm_histogram_compute (ScmHistogram *h, const float *values, gint64 n, guint n_bins,
                            gboolean log_scale);
/* Maps a data value to the histogram's axis space (log10(1+x) or x). */
double scm_histogram_axis_value (const ScmHistogram *h, double value);

#define SCM_TYPE_QC_MODEL (scm_qc_model_get_type ())
G_DECLARE_FINAL_TYPE (ScmQcModel, scm_qc_model, SCM, QC_MODEL, GObject)

ScmQcModel   *scm_qc_model_new_from_dataset (const ScmDataset *ds);
/* Takes ownership of the arrays (each n floats; pct_mito may be NULL). */
ScmQcModel   *scm_qc_model_new              (gint64 n, float *total_take, float *features_take,
                                             float *pct_mito_take);

gint64        scm_qc_model_get_n_cells      (ScmQcModel *self);
/* TRUE when the metrics come from proteins (a file without RNA). */
gboolean      scm_qc_model_is_protein       (ScmQcModel *self);
const float  *scm_qc_model_get_values       (ScmQcModel *self, ScmQcMetric metric);
/* FALSE when no mitochondrial genes exist (the % mito plot is then hidden). */
gboolean      scm_qc_model_has_metric       (ScmQcModel *self, ScmQcMetric metric);
const char   *scm_qc_model_get_metric_title (ScmQcModel *self, ScmQcMetric metric);
void          scm_qc_model_get_range        (ScmQcModel *self, ScmQcMetric metric,
                                             double *min, double *max);
const ScmHistogram *scm_qc_model_get_histogram (ScmQcModel *self, ScmQcMetric metric);
/* Per-bin counts (same bins as the histogram) of the cells passing ALL
 * thresholds, so each plot shows what the other filters remove. */
const gint64 *scm_qc_model_get_kept_counts (ScmQcModel *self, ScmQcMetric metric);

/* Cells are kept when lo <= value <= hi for every metric.  Emits "changed". */
void          scm_qc_model_set_threshold    (ScmQcModel *self, ScmQcMetric metric,
                                             double lo, double hi);
void          scm_qc_model_get_threshold    (ScmQcModel *self, ScmQcMetric metric,
                                             double *lo, double *hi);
void          scm_qc_model_reset_thresholds (ScmQcModel *self);
gint64        scm_qc_model_count_kept       (ScmQcModel *self);
/* keep[i] = 1 for cells passing; (n_cells) owned by the model. */
const guint8 *scm_qc_model_get_keep         (ScmQcModel *self);

G_END_DECLS
