/* scm-normalize.c: normalise + log1p, CLR and scaling (see scm-normalize.h).
 *
 * These are single passes over memory.  The one trick is in normalisation:
 * counts are mostly small integers, so log1p(x * scale) is memoised per
 * row for x < 64 (same arithmetic, so bit-identical values); the test
 * suite checks the kernels against fixtures and against each other.
 */
#include "preprocess/scm-normalize.h"
#include "scm-error.h"

#include <math.h>
#include <string.h>

/* log1p(y), computed as log(1 + y) when that is exact enough: glibc's log
 * is ~6x faster than its log1p, and 1 + y is exact to 1e-16 relative,
 * invisible once y >= 1e-4 (a count of 1 in a cell with 1e8 counts). */
static inline float
log1p_scaled (double x, double scale)
{
  double y = x * scale;
  return (float) (y >= 1e-4 ? log (1.0 + y) : log1p (y));
}

/* Per-row memo of log1p(x * scale) for small integer counts: most stored
 * counts are 1, 2 or 3, so each row needs only a handful of logarithms.
 * The stamp marks which entries belong to the current row. */
#define SCM_LOG_MEMO 64
typedef struct {
  float   value[SCM_LOG_MEMO];
  gint64  stamp[SCM_LOG_MEMO];
} LogMemo;

static inline float
log1p_memo (LogMemo *m, gint64 row, float x, double scale)
{
  int xi = (int) x;
  if (xi >= 0 && xi < SCM_LOG_MEMO && (float) xi == x)
    {
      if (m->stamp[xi] != row)
        {
          m->stamp[xi] = row;
          m->value[xi] = log1p_scaled (x, scale);
        }
      return m->value[xi];
    }
  return log1p_scaled (x, scale);
}

static void
log_memo_init (LogMemo *m)
{
  for (int i = 0; i < SCM_LOG_MEMO; i++)
    m->stamp[i] = -1;
}

void
scm_normalize_log1p_rows (const gint64 *indptr, gint64 n_rows, const float *in,
                          const double *row_sums, double target, float *out)
{
  LogMemo memo;
  log_memo_init (&memo);
  for (gint64 r = 0; r < n_rows; r++)
    {
      gint64 a = indptr[r], b = indptr[r + 1];
      double sum;
      if (row_sums)
        sum = row_sums[r];
      else
        {
          sum = 0.0;
          for (gint64 k = a; k < b; k++)
            sum += in[k];
        }
      /* scanpy leaves all-zero cells untouched (their counts are set to 1). */
      double scale = sum > 0 ? target / sum : 1.0;
      for (gint64 k = a; k < b; k++)
        out[k] = log1p_memo (&memo, r, in[k], scale);
    }
}

gboolean
scm_normalize_log1p (ScmCsr *dst, const ScmCsr *src, double target, GError **error)
{
  if (!scm_csr_copy (dst, src, error))
    return FALSE;
  scm_normalize_log1p_rows (dst->indptr, dst->n_rows, dst->data, NULL, target, dst->data);
  return TRUE;
}

gboolean
scm_normalize_log1p_select (ScmCsr *dst, const ScmCsr *src, const double *row_sums,
                            double target, const gint32 *col_map, gint64 n_out_cols,
                            GError **error)
{
  gint64 nnz = 0;
  for (gint64 k = 0; k < scm_csr_nnz (src); k++)
    nnz += col_map[src->indices[k]] >= 0;
  if (!scm_csr_alloc (dst, src->n_rows, n_out_cols, nnz, error))
    return FALSE;
  LogMemo memo;
  log_memo_init (&memo);
  gint64 pos = 0;
  for (gint64 r = 0; r < src->n_rows; r++)
    {
      double scale = row_sums[r] > 0 ? target / row_sums[r] : 1.0;
      for (gint64 k = src->indptr[r]; k < src->indptr[r + 1]; k++)
        {
          gint32 c = col_map[src->indices[k]];
          if (c < 0)
            continue;
          dst->indices[pos] = c;
          dst->data[pos] = log1p_memo (&memo, r, src->data[k], scale);
          pos++;
        }
      dst->indptr[r + 1] = pos;
    }
  return TRUE;
}

void
scm_clr_dense (const float *in, gint64 N, gint64 P, float *out)
{
  double *logsum = g_new0 (double, MAX (P, 1));
  for (gint64 i = 0; i < N; i++)
    for (gint64 p = 0; p < P; p++)
      logsum[p] += log1p ((double) in[i * P + p]);
  for (gint64 p = 0; p < P; p++)
    logsum[p] = N > 0 ? exp (logsum[p] / (double) N) : 1.0;  /* geometric-mean-like scale */
  for (gint64 i = 0; i < N; i++)
    for (gint64 p = 0; p < P; p++)
      out[i * P + p] = (float) log1p ((double) in[i * P + p] / logsum[p]);
  g_free (logsum);
}

void
scm_clr_csr (const ScmCsr *X, float *out)
{
  gint64 N = X->n_rows, P = X->n_cols;
  memset (out, 0, (gsize) N * (gsize) P * sizeof (float));
  for (gint64 r = 0; r < N; r++)
    for (gint64 k = X->indptr[r]; k < X->indptr[r + 1]; k++)
      out[r * P + X->indices[k]] = X->data[k];
  scm_clr_dense (out, N, P, out);
}

void
scm_scale_dense (float *X, gint64 N, gint64 G, double max_value, double *mean_out,
                 double *std_out)
{
  double *mean = g_new0 (double, MAX (G, 1));
  double *m2 = g_new0 (double, MAX (G, 1));
  for (gint64 i = 0; i < N; i++)
    for (gint64 g = 0; g < G; g++)
      mean[g] += X[i * G + g];
  for (gint64 g = 0; g < G; g++)
    mean[g] = N > 0 ? mean[g] / (double) N : 0.0;
  /* Two-pass variance: the sum-of-squares shortcut loses digits on genes
   * with a large mean and a small spread. */
  for (gint64 i = 0; i < N; i++)
    for (gint64 g = 0; g < G; g++)
      {
        double d = X[i * G + g] - mean[g];
        m2[g] += d * d;
      }
  for (gint64 g = 0; g < G; g++)
    {
      double sd = N > 1 ? sqrt (m2[g] / (double) (N - 1)) : 0.0;
      m2[g] = sd > 0 ? sd : 1.0;
    }
  for (gint64 i = 0; i < N; i++)
    for (gint64 g = 0; g < G; g++)
      {
        double v = (X[i * G + g] - mean[g]) / m2[g];
        if (max_value > 0 && v > max_value)
          v = max_value;
        X[i * G + g] = (float) v;
      }
  if (mean_out)
    memcpy (mean_out, mean, (gsize) G * sizeof (double));
  if (std_out)
    memcpy (std_out, m2, (gsize) G * sizeof (double));
  g_free (mean);
  g_free (m2);
}
