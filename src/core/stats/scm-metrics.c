/* scm-metrics.c: partition-agreement and geometric clustering scores.
 *
 * Follows scikit-learn 1.2 (sklearn/metrics/cluster/_supervised.py,
 * _unsupervised.py, _expected_mutual_info_fast.pyx) formula by formula,
 * including its special cases, so results agree to ~1e-12; see
 * scm-metrics.h for the scores scikit-learn does not define.  Pair counts
 * are exact 64-bit integers; the ARI products need 128 bits at 100k cells.
 */
#include "stats/scm-metrics.h"

#include "scm-error.h"
#include "util/scm-blas.h"
#include "util/scm-rng.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* label compaction                                                        */

/* Maps codes >= 0 to 0..k-1 in order of first appearance of the sorted
 * distinct values (as np.unique); negative codes stay -1. */
static gint32 *
compact_labels (const gint32 *labels, gint64 n, gint32 *out_k, GError **error)
{
  gint32 max = -1;
  for (gint64 i = 0; i < n; i++)
    if (labels[i] > max)
      max = labels[i];
  gint32 *out = g_try_new (gint32, MAX (n, 1));
  gint32 *map = g_try_new (gint32, (gsize) max + 2);
  if (!out || !map)
    {
      g_free (out);
      g_free (map);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                   "cannot allocate label tables for %" G_GINT64_FORMAT " cells", n);
      return NULL;
    }
  for (gint64 v = 0; v <= max; v++)
    map[v] = 0;
  for (gint64 i = 0; i < n; i++)
    if (labels[i] >= 0)
      map[labels[i]] = 1;
  gint32 k = 0;
  for (gint64 v = 0; v <= max; v++)
    map[v] = map[v] ? k++ : -1;
  for (gint64 i = 0; i < n; i++)
    out[i] = labels[i] >= 0 ? map[labels[i]] : -1;
  g_free (map);
  *out_k = k;
  return out;
}

/* ---------------------------------------------------------------------- */
/* contingency                                                             */

gboolean
scm_contingency_init (ScmContingency *c, const gint32 *truth, const gint32 *pred, gint64 n,
                      GError **error)
{
  memset (c, 0, sizeof *c);
  /* Cells with a missing label on either side are dropped first so both
   * labellings are compacted over the same cells. */
  g_autofree gint32 *t = g_try_new (gint32, MAX (n, 1));
  g_autofree gint32 *p = g_try_new (gint32, MAX (n, 1));
  if (!t || !p)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                   "cannot allocate labels for %" G_GINT64_FORMAT " cells", n);
      return FALSE;
    }
  gint64 m = 0;
  for (gint64 i = 0; i < n; i++)
    if (truth[i] >= 0 && pred[i] >= 0)
      {
        t[m] = truth[i];
        p[m] = pred[i];
        m++;
      }
  gint32 kt = 0, kp = 0;
  g_autofree gint32 *ct = compact_labels (t, m, &kt, error);
  if (!ct)
    return FALSE;
  g_autofree gint32 *cp = compact_labels (p, m, &kp, error);
  if (!cp)
    return FALSE;
  if ((double) kt * (double) kp > 1e8)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "contingency table of %d classes x %d clusters is too large", kt, kp);
      return FALSE;
    }
  c->n = m;
  c->n_rows = kt;
  c->n_cols = kp;
  c->counts = g_try_new0 (gint64, MAX ((gint64) kt * kp, 1));
  c->row_sums = g_try_new0 (gint64, MAX (kt, 1));
  c->col_sums = g_try_new0 (gint64, MAX (kp, 1));
  if (!c->counts || !c->row_sums || !c->col_sums)
    {
      scm_contingency_clear (c);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate contingency table");
      return FALSE;
    }
  for (gint64 i = 0; i < m; i++)
    {
      c->counts[(gint64) ct[i] * kp + cp[i]]++;
      c->row_sums[ct[i]]++;
      c->col_sums[cp[i]]++;
    }
  return TRUE;
}

void
scm_contingency_clear (ScmContingency *c)
{
  g_clear_pointer (&c->counts, g_free);
  g_clear_pointer (&c->row_sums, g_free);
  g_clear_pointer (&c->col_sums, g_free);
  c->n = 0;
  c->n_rows = c->n_cols = 0;
}

/* sklearn's "no split on either side" special case: a perfect match. */
static gboolean
both_trivial (const ScmContingency *c)
{
  return (c->n_rows == 1 && c->n_cols == 1) || (c->n_rows == 0 && c->n_cols == 0);
}

/* Ordered-pair sums as in sklearn's pair_confusion_matrix. */
typedef struct {
  gint64 sum_sq;     /* sum c_ij^2 */
  gint64 sum_row_sq; /* sum a_i^2 */
  gint64 sum_col_sq; /* sum b_j^2 */
} PairSums;

static PairSums
pair_sums (const ScmContingency *c)
{
  PairSums s = { 0, 0, 0 };
  for (gint64 i = 0; i < (gint64) c->n_rows * c->n_cols; i++)
    s.sum_sq += c->counts[i] * c->counts[i];
  for (gint32 i = 0; i < c->n_rows; i++)
    s.sum_row_sq += c->row_sums[i] * c->row_sums[i];
  for (gint32 j = 0; j < c->n_cols; j++)
    s.sum_col_sq += c->col_sums[j] * c->col_sums[j];
  return s;
}

double
scm_metric_ari (const ScmContingency *c)
{
  PairSums s = pair_sums (c);
  __int128 n = c->n;
  /* sum_ij c_ij * b_j = sum_j b_j^2; sum_ij c_ij * a_i = sum_i a_i^2 */
  __int128 tp = (__int128) s.sum_sq - n;
  __int128 fp = (__int128) s.sum_col_sq - s.sum_sq;
  __int128 fn = (__int128) s.sum_row_sq - s.sum_sq;
  __int128 tn = n * n - fp - fn - s.sum_sq;
  if (fn == 0 && fp == 0)
    return 1.0;
  __int128 num = 2 * (tp * tn - fn * fp);
  __int128 den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return (double) ((long double) num / (long double) den);
}

double
scm_metric_fmi (const ScmContingency *c)
{
  PairSums s = pair_sums (c);
  double tk = (double) (s.sum_sq - c->n);
  double pk = (double) (s.sum_col_sq - c->n);
  double qk = (double) (s.sum_row_sq - c->n);
  return tk != 0.0 ? sqrt (tk / pk) * sqrt (tk / qk) : 0.0;
}

/* Unordered pair counts: TP same/same, FP same cluster only, FN same class only. */
static void
pair_counts (const ScmContingency *c, double *tp, double *fp, double *fn)
{
  PairSums s = pair_sums (c);
  *tp = (double) ((s.sum_sq - c->n) / 2);
  *fp = (double) ((s.sum_col_sq - s.sum_sq) / 2);
  *fn = (double) ((s.sum_row_sq - s.sum_sq) / 2);
}

double
scm_metric_jaccard (const ScmContingency *c)
{
  double tp, fp, fn;
  pair_counts (c, &tp, &fp, &fn);
  return tp + fp + fn > 0 ? tp / (tp + fp + fn) : 1.0;
}

double
scm_metric_fmeasure (const ScmContingency *c)
{
  double tp, fp, fn;
  pair_counts (c, &tp, &fp, &fn);
  double prec = tp + fp > 0 ? tp / (tp + fp) : 0.0;
  double rec = tp + fn > 0 ? tp / (tp + fn) : 0.0;
  return prec + rec > 0 ? 2.0 * prec * rec / (prec + rec) : 0.0;
}

double
scm_metric_purity (const ScmContingency *c)
{
  if (c->n == 0)
    return 0.0;
  gint64 tot = 0;
  for (gint32 j = 0; j < c->n_cols; j++)
    {
      gint64 best = 0;
      for (gint32 i = 0; i < c->n_rows; i++)
        best = MAX (best, c->counts[(gint64) i * c->n_cols + j]);
      tot += best;
    }
  return (double) tot / (double) c->n;
}

static double
entropy_of (const gint64 *sizes, gint32 k, gint64 n)
{
  if (n == 0)
    return 1.0;
  gint32 nonzero = 0;
  for (gint32 i = 0; i < k; i++)
    nonzero += sizes[i] > 0;
  if (nonzero == 1)
    return 0.0;
  double log_n = log ((double) n), h = 0.0;
  for (gint32 i = 0; i < k; i++)
    if (sizes[i] > 0)
      h += ((double) sizes[i] / (double) n) * (log ((double) sizes[i]) - log_n);
  return -h;
}

double
scm_metric_mutual_info (const ScmContingency *c)
{
  if (c->n_rows == 1 || c->n_cols == 1)
    return 0.0;
  double N = (double) c->n, log_n = log (N), mi = 0.0;
  for (gint32 i = 0; i < c->n_rows; i++)
    for (gint32 j = 0; j < c->n_cols; j++)
      {
        gint64 v = c->counts[(gint64) i * c->n_cols + j];
        if (v == 0)
          continue;
        double cnm = (double) v / N;
        double outer = (double) (c->row_sums[i] * c->col_sums[j]);
        double term = cnm * (log ((double) v) - log_n) + cnm * (-log (outer) + log_n + log_n);
        if (fabs (term) >= DBL_EPSILON)
          mi += term;
      }
  return mi > 0.0 ? mi : 0.0;
}

/* Expected MI of two random labellings with these marginals (Vinh et al.
 * 2010, eq. 24a), summed in log space with lgamma to avoid overflow; the
 * loop order and terms are those of sklearn's Cython version. */
double
scm_metric_expected_mutual_info (const ScmContingency *c)
{
  gint32 R = c->n_rows, C = c->n_cols;
  if (R == 1 || C == 1)
    return 0.0;
  double N = (double) c->n;
  gint64 max_ab = 0;
  for (gint32 i = 0; i < R; i++)
    max_ab = MAX (max_ab, c->row_sums[i]);
  for (gint32 j = 0; j < C; j++)
    max_ab = MAX (max_ab, c->col_sums[j]);
  g_autofree double *log_nnij = g_new (double, max_ab + 1);
  g_autofree double *gln_nij = g_new (double, max_ab + 1);
  for (gint64 v = 0; v <= max_ab; v++)
    {
      double nij = v == 0 ? 1.0 : (double) v;
      log_nnij[v] = log (N) + log (nij);
      gln_nij[v] = lgamma (nij + 1.0);
    }
  double gln_n = lgamma (N + 1.0), emi = 0.0;
  for (gint32 i = 0; i < R; i++)
    {
      double a = (double) c->row_sums[i];
      double gln_a = lgamma (a + 1.0), gln_na = lgamma (N - a + 1.0), log_a = log (a);
      for (gint32 j = 0; j < C; j++)
        {
          double b = (double) c->col_sums[j];
          double gln_b = lgamma (b + 1.0), gln_nb = lgamma (N - b + 1.0), log_b = log (b);
          gint64 start = MAX ((gint64) (a - N + b), 1);
          gint64 end = MIN (c->row_sums[i], c->col_sums[j]) + 1;
          for (gint64 v = start; v < end; v++)
            {
              double nij = (double) v;
              double term2 = log_nnij[v] - log_a - log_b;
              double gln = gln_a + gln_b + gln_na + gln_nb - gln_n - gln_nij[v]
                           - lgamma (a - nij + 1.0) - lgamma (b - nij + 1.0)
                           - lgamma (N - a - b + nij + 1.0);
              emi += (nij / N) * term2 * exp (gln);
            }
        }
    }
  return emi;
}

double
scm_metric_nmi (const ScmContingency *c)
{
  if (both_trivial (c))
    return 1.0;
  double mi = scm_metric_mutual_info (c);
  if (mi == 0.0)
    return 0.0;
  double h_true = entropy_of (c->row_sums, c->n_rows, c->n);
  double h_pred = entropy_of (c->col_sums, c->n_cols, c->n);
  return mi / ((h_true + h_pred) / 2.0);
}

double
scm_metric_ami (const ScmContingency *c)
{
  if (both_trivial (c))
    return 1.0;
  double mi = scm_metric_mutual_info (c);
  double emi = scm_metric_expected_mutual_info (c);
  double h_true = entropy_of (c->row_sums, c->n_rows, c->n);
  double h_pred = entropy_of (c->col_sums, c->n_cols, c->n);
  double den = (h_true + h_pred) / 2.0 - emi;
  if (den < 0)
    den = MIN (den, -DBL_EPSILON);
  else
    den = MAX (den, DBL_EPSILON);
  return (mi - emi) / den;
}

gboolean
scm_metrics_partition (const gint32 *truth, const gint32 *pred, gint64 n,
                       ScmPartitionScores *out, GError **error)
{
  ScmContingency c;
  if (!scm_contingency_init (&c, truth, pred, n, error))
    return FALSE;
  if (c.n == 0)
    {
      scm_contingency_clear (&c);
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "no cell has both a truth and a predicted label");
      return FALSE;
    }
  out->n_used = c.n;
  out->n_truth = c.n_rows;
  out->n_pred = c.n_cols;
  out->ari = scm_metric_ari (&c);
  out->nmi = scm_metric_nmi (&c);
  out->ami = scm_metric_ami (&c);
  out->fmi = scm_metric_fmi (&c);
  out->jaccard = scm_metric_jaccard (&c);
  out->fmeasure = scm_metric_fmeasure (&c);
  out->purity = scm_metric_purity (&c);
  scm_contingency_clear (&c);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* geometric scores                                                        */

/* Cells with a label, compacted labels, cluster sizes. */
typedef struct {
  gint64  n;        /* cells used */
  gint64 *rows;     /* (n) row of X of each used cell */
  gint32 *lab;      /* (n) compact label */
  gint32  k;
  gint64 *sizes;    /* (k) */
} LabelSet;

static void
label_set_clear (LabelSet *s)
{
  g_free (s->rows);
  g_free (s->lab);
  g_free (s->sizes);
  memset (s, 0, sizeof *s);
}

static gboolean
label_set_init (LabelSet *s, const gint32 *labels, gint64 n, gint32 min_k, GError **error)
{
  memset (s, 0, sizeof *s);
  gint32 k = 0;
  g_autofree gint32 *comp = compact_labels (labels, n, &k, error);
  if (!comp)
    return FALSE;
  s->rows = g_try_new (gint64, MAX (n, 1));
  s->lab = g_try_new (gint32, MAX (n, 1));
  s->sizes = g_try_new0 (gint64, MAX (k, 1));
  if (!s->rows || !s->lab || !s->sizes)
    {
      label_set_clear (s);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate label tables");
      return FALSE;
    }
  for (gint64 i = 0; i < n; i++)
    if (comp[i] >= 0)
      {
        s->rows[s->n] = i;
        s->lab[s->n] = comp[i];
        s->sizes[comp[i]]++;
        s->n++;
      }
  s->k = k;
  if (k < min_k)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "need at least %d clusters, got %d", min_k, k);
      label_set_clear (s);
      return FALSE;
    }
  return TRUE;
}

static gboolean
silhouette_check (const LabelSet *s, GError **error)
{
  if (s->k < 2 || s->k > s->n - 1)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "silhouette needs between 2 and n_cells - 1 clusters (got %d clusters "
                   "for %" G_GINT64_FORMAT " cells)", s->k, s->n);
      return FALSE;
    }
  return TRUE;
}

/* From per-cell cluster distance sums to the silhouette (sklearn: a over
 * size-1, b the smallest mean to another cluster, 0 for singletons). */
static double
silhouette_from_sums (const double *sums, const LabelSet *s, gint32 own)
{
  double a = sums[own] / (double) (s->sizes[own] - 1);
  double b = INFINITY;
  for (gint32 c = 0; c < s->k; c++)
    if (c != own)
      b = MIN (b, sums[c] / (double) s->sizes[c]);
  if (s->sizes[own] == 1)
    return 0.0;
  double m = MAX (a, b);
  return m > 0 ? (b - a) / m : 0.0;
}

gboolean
scm_metric_silhouette_samples_naive (const float *X, gint64 n, gint64 d, const gint32 *labels,
                                     double *out_s, GError **error)
{
  LabelSet s;
  if (!label_set_init (&s, labels, n, 0, error))
    return FALSE;
  if (!silhouette_check (&s, error))
    {
      label_set_clear (&s);
      return FALSE;
    }
  g_autofree double *sums = g_new (double, s.k);
  for (gint64 i = 0; i < n; i++)
    out_s[i] = NAN;
  for (gint64 u = 0; u < s.n; u++)
    {
      memset (sums, 0, sizeof (double) * s.k);
      const float *xi = X + s.rows[u] * d;
      for (gint64 v = 0; v < s.n; v++)
        {
          const float *xj = X + s.rows[v] * d;
          double acc = 0.0;
          for (gint64 t = 0; t < d; t++)
            {
              double diff = (double) xi[t] - (double) xj[t];
              acc += diff * diff;
            }
          sums[s.lab[v]] += sqrt (acc);
        }
      out_s[s.rows[u]] = silhouette_from_sums (sums, &s, s.lab[u]);
    }
  label_set_clear (&s);
  return TRUE;
}

/* Blocked version: squared distances of a block of BI cells against a
 * block of BJ cells from ||x||^2 + ||y||^2 - 2 x.y with one dgemm (as
 * sklearn's euclidean_distances does in float64), accumulated into per
 * cluster sums.  O(n^2 d) like the naive one but at BLAS speed. */
#define SIL_BI 128
#define SIL_BJ 2048

gboolean
scm_metric_silhouette_samples (const float *X, gint64 n, gint64 d, const gint32 *labels,
                               double *out_s, GError **error)
{
  LabelSet s;
  if (!label_set_init (&s, labels, n, 0, error))
    return FALSE;
  if (!silhouette_check (&s, error))
    {
      label_set_clear (&s);
      return FALSE;
    }
  gint64 m = s.n;
  double *Xd = g_try_new (double, MAX (m * d, 1));
  double *norms = g_try_new (double, MAX (m, 1));
  double *sums = g_try_new0 (double, MAX (SIL_BI * (gint64) s.k, 1));
  double *D = g_try_new (double, (gsize) SIL_BI * SIL_BJ);
  if (!Xd || !norms || !sums || !D)
    {
      g_free (Xd); g_free (norms); g_free (sums); g_free (D);
      label_set_clear (&s);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                   "cannot allocate silhouette buffers for %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT,
                   m, d);
      return FALSE;
    }
  for (gint64 u = 0; u < m; u++)
    {
      double acc = 0.0;
      for (gint64 t = 0; t < d; t++)
        {
          double x = X[s.rows[u] * d + t];
          Xd[u * d + t] = x;
          acc += x * x;
        }
      norms[u] = acc;
    }
  for (gint64 i = 0; i < n; i++)
    out_s[i] = NAN;
  for (gint64 i0 = 0; i0 < m; i0 += SIL_BI)
    {
      gint64 bi = MIN (SIL_BI, m - i0);
      memset (sums, 0, sizeof (double) * bi * s.k);
      for (gint64 j0 = 0; j0 < m; j0 += SIL_BJ)
        {
          gint64 bj = MIN (SIL_BJ, m - j0);
          /* D (bi, bj) = Xi Xj^T */
          cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) bi, (int) bj, (int) d, 1.0,
                       Xd + i0 * d, (int) d, Xd + j0 * d, (int) d, 0.0, D, (int) bj);
          for (gint64 a = 0; a < bi; a++)
            {
              double *srow = sums + a * s.k;
              const double *drow = D + a * bj;
              for (gint64 b = 0; b < bj; b++)
                {
                  double sq = norms[i0 + a] + norms[j0 + b] - 2.0 * drow[b];
                  if (i0 + a == j0 + b || sq < 0.0)
                    sq = 0.0;
                  srow[s.lab[j0 + b]] += sqrt (sq);
                }
            }
        }
      for (gint64 a = 0; a < bi; a++)
        out_s[s.rows[i0 + a]] = silhouette_from_sums (sums + a * s.k, &s, s.lab[i0 + a]);
    }
  g_free (Xd); g_free (norms); g_free (sums); g_free (D);
  label_set_clear (&s);
  return TRUE;
}

gboolean
scm_metric_silhouette (const float *X, gint64 n, gint64 d, const gint32 *labels, double *out,
                       GError **error)
{
  g_autofree double *sv = g_try_new (double, MAX (n, 1));
  if (!sv)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate silhouette values");
      return FALSE;
    }
  if (!scm_metric_silhouette_samples (X, n, d, labels, sv, error))
    return FALSE;
  double acc = 0.0;
  gint64 m = 0;
  for (gint64 i = 0; i < n; i++)
    if (!isnan (sv[i]))
      {
        acc += sv[i];
        m++;
      }
  *out = acc / (double) m;
  return TRUE;
}

/* Cluster centroids (k, d) and the global mean (d), in double. */
static gboolean
centroids (const float *X, gint64 d, const LabelSet *s, double **cent, double *mean, GError **error)
{
  *cent = g_try_new0 (double, MAX ((gint64) s->k * d, 1));
  if (!*cent)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate centroids");
      return FALSE;
    }
  memset (mean, 0, sizeof (double) * d);
  for (gint64 u = 0; u < s->n; u++)
    for (gint64 t = 0; t < d; t++)
      {
        double x = X[s->rows[u] * d + t];
        (*cent)[(gint64) s->lab[u] * d + t] += x;
        mean[t] += x;
      }
  for (gint32 c = 0; c < s->k; c++)
    for (gint64 t = 0; t < d; t++)
      (*cent)[(gint64) c * d + t] /= (double) s->sizes[c];
  for (gint64 t = 0; t < d; t++)
    mean[t] /= (double) s->n;
  return TRUE;
}

gboolean
scm_metric_calinski_harabasz (const float *X, gint64 n, gint64 d, const gint32 *labels,
                              double *out, GError **error)
{
  LabelSet s;
  if (!label_set_init (&s, labels, n, 2, error))
    return FALSE;
  g_autofree double *mean = g_new (double, MAX (d, 1));
  double *cent = NULL;
  if (!centroids (X, d, &s, &cent, mean, error))
    {
      label_set_clear (&s);
      return FALSE;
    }
  double extra = 0.0, intra = 0.0;
  for (gint32 c = 0; c < s.k; c++)
    {
      double acc = 0.0;
      for (gint64 t = 0; t < d; t++)
        {
          double diff = cent[(gint64) c * d + t] - mean[t];
          acc += diff * diff;
        }
      extra += (double) s.sizes[c] * acc;
    }
  for (gint64 u = 0; u < s.n; u++)
    for (gint64 t = 0; t < d; t++)
      {
        double diff = X[s.rows[u] * d + t] - cent[(gint64) s.lab[u] * d + t];
        intra += diff * diff;
      }
  *out = intra == 0.0 ? 1.0 : extra * (double) (s.n - s.k) / (intra * (double) (s.k - 1));
  g_free (cent);
  label_set_clear (&s);
  return TRUE;
}

/* numpy.allclose(v, 0) with its default atol 1e-8. */
static gboolean
all_close_to_zero (const double *v, gint64 n)
{
  for (gint64 i = 0; i < n; i++)
    if (fabs (v[i]) > 1e-8)
      return FALSE;
  return TRUE;
}

gboolean
scm_metric_davies_bouldin (const float *X, gint64 n, gint64 d, const gint32 *labels,
                           double *out, GError **error)
{
  LabelSet s;
  if (!label_set_init (&s, labels, n, 2, error))
    return FALSE;
  g_autofree double *mean = g_new (double, MAX (d, 1));
  double *cent = NULL;
  if (!centroids (X, d, &s, &cent, mean, error))
    {
      label_set_clear (&s);
      return FALSE;
    }
  g_autofree double *intra = g_new0 (double, s.k);
  g_autofree double *cd = g_new (double, (gsize) s.k * s.k);
  for (gint64 u = 0; u < s.n; u++)
    {
      double acc = 0.0;
      for (gint64 t = 0; t < d; t++)
        {
          double diff = X[s.rows[u] * d + t] - cent[(gint64) s.lab[u] * d + t];
          acc += diff * diff;
        }
      intra[s.lab[u]] += sqrt (acc);
    }
  for (gint32 c = 0; c < s.k; c++)
    intra[c] /= (double) s.sizes[c];
  for (gint32 a = 0; a < s.k; a++)
    for (gint32 b = 0; b < s.k; b++)
      {
        double acc = 0.0;
        for (gint64 t = 0; t < d; t++)
          {
            double diff = cent[(gint64) a * d + t] - cent[(gint64) b * d + t];
            acc += diff * diff;
          }
        cd[(gint64) a * s.k + b] = sqrt (acc);
      }
  if (all_close_to_zero (intra, s.k) || all_close_to_zero (cd, (gint64) s.k * s.k))
    *out = 0.0;
  else
    {
      double tot = 0.0;
      for (gint32 a = 0; a < s.k; a++)
        {
          double best = -INFINITY;
          for (gint32 b = 0; b < s.k; b++)
            {
              /* sklearn turns zero distances (the diagonal, coinciding
               * centroids) into inf, so their ratio is 0 */
              double dist = cd[(gint64) a * s.k + b];
              double r = dist == 0.0 ? 0.0 : (intra[a] + intra[b]) / dist;
              best = MAX (best, r);
            }
          tot += best;
        }
      *out = tot / (double) s.k;
    }
  g_free (cent);
  label_set_clear (&s);
  return TRUE;
}

gboolean
scm_metrics_geometry (const float *X, gint64 n, gint64 d, const gint32 *labels, gint64 max_cells,
                      guint64 seed, ScmGeometryScores *out, GError **error)
{
  memset (out, 0, sizeof *out);
  if (!scm_metric_calinski_harabasz (X, n, d, labels, &out->calinski_harabasz, error)
      || !scm_metric_davies_bouldin (X, n, d, labels, &out->davies_bouldin, error))
    return FALSE;
  gint64 used = 0;
  for (gint64 i = 0; i < n; i++)
    used += labels[i] >= 0;
  out->n_used = used;
  {
    gint32 k = 0;
    g_autofree gint32 *comp = compact_labels (labels, n, &k, error);
    if (!comp)
      return FALSE;
    out->n_clusters = k;
  }
  if (max_cells > 0 && used > max_cells)
    {
      /* seeded subsample of the labelled cells, as sklearn's sample_size */
      g_autofree gint32 *idx = g_try_new (gint32, used);
      g_autofree gint32 *sub = g_try_new (gint32, n);
      if (!idx || !sub || n > G_MAXINT32)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate subsample");
          return FALSE;
        }
      gint64 m = 0;
      for (gint64 i = 0; i < n; i++)
        if (labels[i] >= 0)
          idx[m++] = (gint32) i;
      ScmRng rng;
      scm_rng_seed (&rng, seed);
      scm_rng_shuffle_i32 (&rng, idx, used);
      for (gint64 i = 0; i < n; i++)
        sub[i] = -1;
      for (gint64 i = 0; i < max_cells; i++)
        sub[idx[i]] = labels[idx[i]];
      if (!scm_metric_silhouette (X, n, d, sub, &out->silhouette, error))
        return FALSE;
    }
  else if (!scm_metric_silhouette (X, n, d, labels, &out->silhouette, error))
    return FALSE;
  out->asw_norm = (out->silhouette + 1.0) / 2.0;
  double bk = out->calinski_harabasz * (double) (out->n_clusters - 1);
  out->chi_norm = bk + (double) (used - out->n_clusters) > 0
                  ? bk / (bk + (double) (used - out->n_clusters)) : 1.0;
  out->dbi_norm = 1.0 / (1.0 + out->davies_bouldin);
  return TRUE;
}
