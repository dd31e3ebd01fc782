/* scm-qc-model.c: QC metrics, histograms and thresholds (see scm-qc-model.h). */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "scm-qc-model.h"

#define SCM_QC_N_BINS 60

struct _ScmQcModel
{
  GObject      parent_instance;

  gint64       n;
  float       *values[SCM_QC_N_METRICS];   /* (n) each, NULL when absent */
  double       min[SCM_QC_N_METRICS];
  double       max[SCM_QC_N_METRICS];
  double       lo[SCM_QC_N_METRICS];
  double       hi[SCM_QC_N_METRICS];
  ScmHistogram hist[SCM_QC_N_METRICS];
  guint8      *keep;                        /* (n) */
  guint8      *bin[SCM_QC_N_METRICS];       /* (n) histogram bin of each cell, 255 = NaN */
  gint64      *kept_counts[SCM_QC_N_METRICS]; /* (n_bins) */
  gint64       n_kept;
  gboolean     is_protein;                  /* metrics from ADT (no RNA) */
};

G_DEFINE_FINAL_TYPE (ScmQcModel, scm_qc_model, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

void
scm_histogram_clear (ScmHistogram *h)
{
  g_clear_pointer (&h->counts, g_free);
  memset (h, 0, sizeof *h);
}

double
scm_histogram_axis_value (const ScmHistogram *h, double value)
{
  return h->log_scale ? log10 (1.0 + MAX (value, 0.0)) : value;
}

void
scm_histogram_compute (ScmHistogram *h, const float *values, gint64 n, guint n_bins,
                       gboolean log_scale)
{
  double lo = INFINITY, hi = -INFINITY;

  scm_histogram_clear (h);
  h->n_bins = MAX (n_bins, 1);
  h->log_scale = log_scale;
  h->counts = g_new0 (gint64, h->n_bins);

  for (gint64 i = 0; i < n; i++)
    {
      double v;
      if (isnan (values[i]))
        continue;
      v = scm_histogram_axis_value (h, values[i]);
      lo = MIN (lo, v);
      hi = MAX (hi, v);
    }
  if (!(lo <= hi))
    {
      h->lo = 0.0;
      h->hi = 1.0;
      return;
    }
  if (hi - lo < 1e-9)
    {
      /* All values equal: a unit-wide range centred on them. */
      lo -= 0.5;
      hi += 0.5;
    }
  h->lo = lo;
  h->hi = hi;

  for (gint64 i = 0; i < n; i++)
    {
      double v;
      gint64 b;
      if (isnan (values[i]))
        continue;
      v = scm_histogram_axis_value (h, values[i]);
      b = (gint64) floor ((v - lo) / (hi - lo) * h->n_bins);
      b = CLAMP (b, 0, (gint64) h->n_bins - 1);
      h->counts[b]++;
    }
  for (guint b = 0; b < h->n_bins; b++)
    h->max_count = MAX (h->max_count, h->counts[b]);
}

static void
scm_qc_model_finalize (GObject *object)
{
  ScmQcModel *self = SCM_QC_MODEL (object);

  for (guint m = 0; m < SCM_QC_N_METRICS; m++)
    {
      g_free (self->values[m]);
      g_free (self->bin[m]);
      g_free (self->kept_counts[m]);
      scm_histogram_clear (&self->hist[m]);
    }
  g_free (self->keep);
  G_OBJECT_CLASS (scm_qc_model_parent_class)->finalize (object);
}

static void
scm_qc_model_class_init (ScmQcModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = scm_qc_model_finalize;

  /**
   * ScmQcModel::changed: thresholds (and so the kept cells) changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
scm_qc_model_init (ScmQcModel *self)
{
}

static void
update_keep (ScmQcModel *self)
{
  gint64 kept = 0;

  for (gint64 i = 0; i < self->n; i++)
    {
      gboolean ok = TRUE;
      for (guint m = 0; m < SCM_QC_N_METRICS && ok; m++)
        {
          float v;
          if (self->values[m] == NULL)
            continue;
          v = self->values[m][i];
          ok = isnan (v) || (v >= self->lo[m] && v <= self->hi[m]);
        }
      self->keep[i] = ok ? 1 : 0;
      kept += ok;
    }
  self->n_kept = kept;

  for (guint m = 0; m < SCM_QC_N_METRICS; m++)
    {
      if (self->bin[m] == NULL)
        continue;
      memset (self->kept_counts[m], 0, sizeof (gint64) * self->hist[m].n_bins);
      for (gint64 i = 0; i < self->n; i++)
        if (self->keep[i] && self->bin[m][i] != 255)
          self->kept_counts[m][self->bin[m][i]]++;
    }
}

ScmQcModel *
scm_qc_model_new (gint64 n, float *total_take, float *features_take, float *pct_mito_take)
{
  ScmQcModel *self = g_object_new (SCM_TYPE_QC_MODEL, NULL);

  self->n = n;
  self->values[SCM_QC_TOTAL_COUNTS] = total_take;
  self->values[SCM_QC_N_FEATURES] = features_take;
  self->values[SCM_QC_PCT_MITO] = pct_mito_take;
  self->keep = g_new0 (guint8, MAX (n, 1));

  for (guint m = 0; m < SCM_QC_N_METRICS; m++)
    {
      double lo = INFINITY, hi = -INFINITY;
      if (self->values[m] == NULL)
        continue;
      for (gint64 i = 0; i < n; i++)
        if (!isnan (self->values[m][i]))
          {
            lo = MIN (lo, self->values[m][i]);
            hi = MAX (hi, self->values[m][i]);
          }
      if (!(lo <= hi))
        lo = hi = 0.0;
      self->min[m] = lo;
      self->max[m] = hi;
      self->lo[m] = lo;
      self->hi[m] = hi;
      /* Count-like metrics span decades: bin them in log space. */
      scm_histogram_compute (&self->hist[m], self->values[m], n, SCM_QC_N_BINS,
                             m != SCM_QC_PCT_MITO);
      /* Remember each cell's bin so re-counting kept cells is one pass. */
      self->bin[m] = g_new (guint8, MAX (n, 1));
      self->kept_counts[m] = g_new0 (gint64, self->hist[m].n_bins);
      for (gint64 i = 0; i < n; i++)
        {
          const ScmHistogram *h = &self->hist[m];
          double v;
          gint64 b;
          if (isnan (self->values[m][i]))
            {
              self->bin[m][i] = 255;
              continue;
            }
          v = scm_histogram_axis_value (h, self->values[m][i]);
          b = (gint64) floor ((v - h->lo) / (h->hi - h->lo) * h->n_bins);
          self->bin[m][i] = (guint8) CLAMP (b, 0, (gint64) h->n_bins - 1);
        }
    }
  update_keep (self);
  return self;
}

static gboolean
is_mito_name (const char *name)
{
  return name != NULL && (g_str_has_prefix (name, "MT-") || g_str_has_prefix (name, "mt-") ||
                          g_str_has_prefix (name, "Mt-"));
}

ScmQcModel *
scm_qc_model_new_from_dataset (const ScmDataset *ds)
{
  const ScmModality *mod;
  gint64 n;
  float *total, *features, *mito = NULL;
  guint8 *is_mito = NULL;
  gboolean any_mito = FALSE;
  ScmQcModel *self;

  g_return_val_if_fail (ds != NULL, NULL);

  mod = ds->rna != NULL ? ds->rna : ds->adt;
  n = ds->n_cells;
  total = g_new0 (float, MAX (n, 1));
  features = g_new0 (float, MAX (n, 1));

  if (mod != NULL && mod->kind == SCM_MODALITY_RNA && mod->names != NULL)
    {
      gint64 nf = mod->X.n_cols;
      is_mito = g_new0 (guint8, MAX (nf, 1));
      for (gint64 j = 0; j < nf && mod->names[j] != NULL; j++)
        if (is_mito_name (mod->names[j]))
          is_mito[j] = any_mito = TRUE;
      if (any_mito)
        mito = g_new0 (float, MAX (n, 1));
    }

  if (mod != NULL && mod->X.indptr != NULL)
    for (gint64 i = 0; i < n && i < mod->X.n_rows; i++)
      {
        double sum = 0.0, msum = 0.0;
        gint64 detected = 0;
        for (gint64 k = mod->X.indptr[i]; k < mod->X.indptr[i + 1]; k++)
          {
            float v = mod->X.data[k];
            sum += v;
            detected += v != 0.0f;
            if (mito != NULL && is_mito[mod->X.indices[k]])
              msum += v;
          }
        total[i] = (float) sum;
        features[i] = (float) detected;
        if (mito != NULL)
          mito[i] = sum > 0.0 ? (float) (100.0 * msum / sum) : 0.0f;
      }

  g_free (is_mito);
  /* A protein panel of a few dozen antibodies is nearly always fully
   * detected: that histogram would be one bar, so leave it out. */
  if (mod != NULL && mod->kind == SCM_MODALITY_ADT)
    g_clear_pointer (&features, g_free);
  self = scm_qc_model_new (n, total, features, mito);
  self->is_protein = mod != NULL && mod->kind == SCM_MODALITY_ADT;
  return self;
}

gint64
scm_qc_model_get_n_cells (ScmQcModel *self)
{
  g_return_val_if_fail (SCM_IS_QC_MODEL (self), 0);
  return self->n;
}

gboolean
scm_qc_model_is_protein (ScmQcModel *self)
{
  g_return_val_if_fail (SCM_IS_QC_MODEL (self), FALSE);
  return self->is_protein;
}

const float *
scm_qc_model_get_values (ScmQcModel *self, ScmQcMetric metric)
{
  g_return_val_if_fail (SCM_IS_QC_MODEL (self), NULL);
  g_return_val_if_fail (metric < SCM_QC_N_METRICS, NULL);
  return self->values[metric];
}

gboolean
scm_qc_model_has_metric (ScmQcModel *self, ScmQcMetric metric)
{
  g_return_val_if_fail (SCM_IS_QC_MODEL (self), FALSE);
  g_return_val_if_fail (metric < SCM_QC_N_METRICS, FALSE);
  return self->values[metric] != NULL;
}

const char *
scm_qc_model_get_metric_title (ScmQcModel *self, ScmQcMetric metric)
{
  g_return_val_if_fail (SCM_IS_QC_MODEL (self), NULL);

  switch (metric)
    {
    case SCM_QC_TOTAL_COUNTS:
      return self->is_protein ? _("Total protein counts per cell") : _("Total counts per cell");
    case SCM_QC_N_FEATURES:
      return self->is_protein ? _("Proteins detected per cell") : _("Genes detected per cell");
    case SCM_QC_PCT_MITO:
      return _("Counts from MT- genes (%)");
    case SCM_QC_N_METRICS:
    default:
      return NULL;
    }
}

void
scm_qc_model_get_range (ScmQcModel *self, ScmQcMetric metric, double *min, double *max)
{
  g_return_if_fail (SCM_IS_QC_MODEL (self));
  g_return_if_fail (metric < SCM_QC_N_METRICS);
  if (min != NULL)
    *min = self->min[metric];
  if (max != NULL)
    *max = self->max[metric];
}

const ScmHistogram *
scm_qc_model_get_histogram (ScmQcModel *self, ScmQcMetric metric)
{
  g_return_val_if_fail (SCM_IS_QC_MODEL (self), NULL);
  g_return_val_if_fail (metric < SCM_QC_N_METRICS, NULL);
  return self->values[metric] != NULL ? &self->hist[metric] : NULL;
}

const gint64 *
scm_qc_model_get_kept_counts (ScmQcModel *self, ScmQcMetric metric)
{
  g_return_val_if_fail (SCM_IS_QC_MODEL (self), NULL);
  g_return_val_if_fail (metric < SCM_QC_N_METRICS, NULL);
  return self->kept_counts[metric];
}

void
scm_qc_model_set_threshold (ScmQcModel *self, ScmQcMetric metric, double lo, double hi)
{
  g_return_if_fail (SCM_IS_QC_MODEL (self));
  g_return_if_fail (metric < SCM_QC_N_METRICS);

  if (lo > hi)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }
  if (self->lo[metric] == lo && self->hi[metric] == hi)
    return;
  self->lo[metric] = lo;
  self->hi[metric] = hi;
  update_keep (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
scm_qc_model_get_threshold (ScmQcModel *self, ScmQcMetric metric, double *lo, double *hi)
{
  g_return_if_fail (SCM_IS_QC_MODEL (self));
  g_return_if_fail (metric < SCM_QC_N_METRICS);
  if (lo != NULL)
    *lo = self->lo[metric];
  if (hi != NULL)
    *hi = self->hi[metric];
}

void
scm_qc_model_reset_thresholds (ScmQcModel *self)
{
  g_return_if_fail (SCM_IS_QC_MODEL (self));
  for (guint m = 0; m < SCM_QC_N_METRICS; m++)
    {
      self->lo[m] = self->min[m];
      self->hi[m] = self->max[m];
    }
  update_keep (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

gint64
scm_qc_model_count_kept (ScmQcModel *self)
{
  g_return_val_if_fail (SCM_IS_QC_MODEL (self), 0);
  return self->n_kept;
}

const guint8 *
scm_qc_model_get_keep (ScmQcModel *self)
{
  g_return_val_if_fail (SCM_IS_QC_MODEL (self), NULL);
  return self->keep;
}
