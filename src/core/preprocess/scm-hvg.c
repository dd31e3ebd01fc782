/* scm-hvg.c: Seurat v3 and Seurat HVG selection (see scm-hvg.h).
 *
 * Follows scanpy's _highly_variable_genes_seurat_v3 and
 * _highly_variable_genes_single_batch for a single batch.  Columns are
 * visited through the CSR values, so no transposed copy is made.
 */
#include "preprocess/scm-hvg.h"
#include "preprocess/scm-loess.h"
#include "scm-error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
scm_hvg_options_init (ScmHvgOptions *o)
{
  o->flavor = SCM_HVG_SEURAT_V3;
  o->n_top = 4000;
  o->span = 0.3;
  o->n_bins = 20;
  o->min_mean = 0.0125;
  o->max_mean = 3.0;
  o->min_disp = 0.5;
  o->max_disp = INFINITY;
}

gboolean
scm_hvg_flavor_parse (const char *s, ScmHvgFlavor *out)
{
  if (g_strcmp0 (s, "seurat_v3") == 0)
    *out = SCM_HVG_SEURAT_V3;
  else if (g_strcmp0 (s, "seurat") == 0)
    *out = SCM_HVG_SEURAT;
  else
    return FALSE;
  return TRUE;
}

const char *
scm_hvg_flavor_name (ScmHvgFlavor f)
{
  return f == SCM_HVG_SEURAT ? "seurat" : "seurat_v3";
}

void
scm_hvg_result_clear (ScmHvgResult *r)
{
  g_free (r->means);
  g_free (r->variances);
  g_free (r->variances_norm);
  g_free (r->dispersions);
  g_free (r->dispersions_norm);
  g_free (r->rank);
  g_free (r->highly_variable);
  memset (r, 0, sizeof *r);
}

void
scm_csr_column_mean_var (const ScmCsr *X, gboolean expm1_values, double *mean, double *var)
{
  gint64 N = X->n_rows, G = X->n_cols;
  memset (mean, 0, (gsize) G * sizeof (double));
  memset (var, 0, (gsize) G * sizeof (double));
  /* var first holds the sum of squares; scanpy uses the same
   * E[x^2] - E[x]^2 form (in double), and matching it matters more than
   * the last digits a two-pass variance would buy. */
  for (gint64 k = 0; k < scm_csr_nnz (X); k++)
    {
      double v = expm1_values ? expm1 ((double) X->data[k]) : (double) X->data[k];
      mean[X->indices[k]] += v;
      var[X->indices[k]] += v * v;
    }
  for (gint64 g = 0; g < G; g++)
    {
      double m = N > 0 ? mean[g] / (double) N : 0.0;
      double v = N > 0 ? var[g] / (double) N - m * m : 0.0;
      mean[g] = m;
      /* Same operation order as scanpy (var *= n / (n - 1)): the Seurat v3
       * LOESS surface reacts to last-bit changes of tied inputs. */
      var[g] = N > 1 ? v * ((double) N / (double) (N - 1)) : 0.0;
    }
}

typedef struct { double v; gint32 g; } VG;

/* Descending by value, NaN last, ties by ascending gene index. */
static int
vg_desc_cmp (const void *a, const void *b)
{
  const VG *p = a, *q = b;
  gboolean pn = isnan (p->v), qn = isnan (q->v);
  if (pn != qn)
    return pn ? 1 : -1;
  if (!pn && p->v != q->v)
    return p->v > q->v ? -1 : 1;
  return (p->g > q->g) - (p->g < q->g);
}

static gboolean
alloc_result (ScmHvgResult *res, gint64 G, gboolean v3, GError **error)
{
  memset (res, 0, sizeof *res);
  res->n_genes = G;
  gsize n = (gsize) MAX (G, 1);
  res->means = g_try_new0 (double, n);
  res->rank = g_try_new (gint32, n);
  res->highly_variable = g_try_new0 (guint8, n);
  if (v3)
    {
      res->variances = g_try_new0 (double, n);
      res->variances_norm = g_try_new0 (double, n);
    }
  else
    {
      res->variances = g_try_new0 (double, n);
      res->dispersions = g_try_new0 (double, n);
      res->dispersions_norm = g_try_new0 (double, n);
    }
  if (!res->means || !res->rank || !res->highly_variable || !res->variances
      || (v3 && !res->variances_norm) || (!v3 && (!res->dispersions || !res->dispersions_norm)))
    {
      scm_hvg_result_clear (res);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "HVG: cannot allocate for %" G_GINT64_FORMAT " genes", G);
      return FALSE;
    }
  for (gint64 g = 0; g < G; g++)
    res->rank[g] = -1;
  return TRUE;
}

/* Marks the n_top genes with the largest score (NaN never selected) and
 * fills rank. */
static void
select_top (ScmHvgResult *res, const double *score, gint64 n_top)
{
  gint64 G = res->n_genes;
  VG *o = g_new (VG, MAX (G, 1));
  for (gint64 g = 0; g < G; g++)
    o[g] = (VG) { score[g], (gint32) g };
  qsort (o, (gsize) G, sizeof *o, vg_desc_cmp);
  res->n_selected = 0;
  for (gint64 r = 0; r < G && r < n_top; r++)
    {
      if (isnan (o[r].v))
        break;
      res->rank[o[r].g] = (gint32) r;
      res->highly_variable[o[r].g] = 1;
      res->n_selected++;
    }
  g_free (o);
}

static gboolean
hvg_seurat_v3 (const ScmCsr *X, const ScmHvgOptions *o, ScmHvgResult *res, GError **error)
{
  gint64 N = X->n_rows, G = X->n_cols;
  if (N < 2)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "HVG (seurat_v3): needs at least 2 cells, got %" G_GINT64_FORMAT, N);
      return FALSE;
    }
  if (!alloc_result (res, G, TRUE, error))
    return FALSE;
  double *mean = res->means, *var = res->variances;
  scm_csr_column_mean_var (X, FALSE, mean, var);

  gint64 n_var = 0;
  for (gint64 g = 0; g < G; g++)
    n_var += var[g] > 0;
  g_autofree double *lx = g_try_new (double, MAX (n_var, 1));
  g_autofree double *ly = g_try_new (double, MAX (n_var, 1));
  g_autofree double *fit = g_try_new (double, MAX (n_var, 1));
  g_autofree double *reg_std = g_try_new (double, MAX (G, 1));
  g_autofree double *sum = g_try_new0 (double, MAX (G, 1));
  g_autofree double *sumsq = g_try_new0 (double, MAX (G, 1));
  if (!lx || !ly || !fit || !reg_std || !sum || !sumsq)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "HVG: out of memory");
      scm_hvg_result_clear (res);
      return FALSE;
    }
  for (gint64 g = 0, j = 0; g < G; g++)
    if (var[g] > 0)
      {
        lx[j] = log10 (mean[g]);
        ly[j] = log10 (var[g]);
        j++;
      }
  if (n_var > 0 && !scm_loess_fit_interpolate (lx, ly, n_var, o->span, 2, 0.2, fit, error))
    {
      g_prefix_error (error, "HVG (seurat_v3): ");
      scm_hvg_result_clear (res);
      return FALSE;
    }
  for (gint64 g = 0, j = 0; g < G; g++)
    {
      double est = var[g] > 0 ? fit[j++] : 0.0;
      reg_std[g] = sqrt (pow (10.0, est));
    }
  /* Seurat clips each count at mean + sqrt(N) * sd so that one extreme
   * cell cannot make a gene "variable". */
  double vmax = sqrt ((double) N);
  for (gint64 k = 0; k < scm_csr_nnz (X); k++)
    {
      gint32 g = X->indices[k];
      double clip = reg_std[g] * vmax + mean[g];
      double v = X->data[k];
      if (v > clip)
        v = clip;
      sum[g] += v;
      sumsq[g] += v * v;
    }
  for (gint64 g = 0; g < G; g++)
    res->variances_norm[g] = ((double) N * mean[g] * mean[g] + sumsq[g] - 2.0 * sum[g] * mean[g])
                             / ((double) (N - 1) * reg_std[g] * reg_std[g]);
  select_top (res, res->variances_norm, o->n_top);
  return TRUE;
}

static gboolean
hvg_seurat (const ScmCsr *X, const ScmHvgOptions *o, ScmHvgResult *res, GError **error)
{
  gint64 N = X->n_rows, G = X->n_cols;
  int n_bins = o->n_bins > 0 ? o->n_bins : 20;
  if (N < 2)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "HVG (seurat): needs at least 2 cells, got %" G_GINT64_FORMAT, N);
      return FALSE;
    }
  if (!alloc_result (res, G, FALSE, error))
    return FALSE;
  double *mean = res->means, *disp = res->dispersions, *norm = res->dispersions_norm;
  scm_csr_column_mean_var (X, TRUE, mean, res->variances);
  for (gint64 g = 0; g < G; g++)
    {
      if (mean[g] == 0)
        mean[g] = 1e-12;
      double d = res->variances[g] / mean[g];
      disp[g] = d == 0 ? NAN : log (d);
      mean[g] = log1p (mean[g]);
    }
  /* pandas.cut(bins=n): equal-width edges over [min, max], the lowest
   * edge moved down by 0.1% of the range, intervals open on the left. */
  double mn = INFINITY, mx = -INFINITY;
  for (gint64 g = 0; g < G; g++)
    {
      mn = MIN (mn, mean[g]);
      mx = MAX (mx, mean[g]);
    }
  g_autofree double *edges = g_new (double, n_bins + 1);
  g_autofree int *bin = g_new (int, MAX (G, 1));
  if (mx > mn)
    {
      for (int b = 0; b <= n_bins; b++)
        edges[b] = mn + (mx - mn) * (double) b / (double) n_bins;
      edges[0] -= (mx - mn) * 0.001;
    }
  for (gint64 g = 0; g < G; g++)
    {
      if (!(mx > mn))
        {
          bin[g] = 0;   /* pandas widens a zero range; every gene lands in one bin */
          continue;
        }
      /* Largest b with edges[b] < mean, i.e. mean in (edges[b], edges[b+1]]. */
      int lo = 0, hi = n_bins;
      while (hi - lo > 1)
        {
          int mid = (lo + hi) / 2;
          if (edges[mid] < mean[g])
            lo = mid;
          else
            hi = mid;
        }
      bin[g] = lo;
    }
  g_autofree double *bsum = g_new0 (double, n_bins);
  g_autofree double *bss = g_new0 (double, n_bins);
  g_autofree gint64 *bn = g_new0 (gint64, n_bins);
  for (gint64 g = 0; g < G; g++)
    if (!isnan (disp[g]))
      {
        bsum[bin[g]] += disp[g];
        bn[bin[g]]++;
      }
  for (int b = 0; b < n_bins; b++)
    bsum[b] = bn[b] > 0 ? bsum[b] / (double) bn[b] : NAN;
  for (gint64 g = 0; g < G; g++)
    if (!isnan (disp[g]))
      {
        double d = disp[g] - bsum[bin[g]];
        bss[bin[g]] += d * d;
      }
  for (gint64 g = 0; g < G; g++)
    {
      int b = bin[g];
      if (bn[b] >= 2)
        norm[g] = (disp[g] - bsum[b]) / sqrt (bss[b] / (double) (bn[b] - 1));
      else
        norm[g] = disp[g] / bsum[b];   /* scanpy: a lone gene scores (d - 0) / d = 1 */
    }
  if (o->n_top > 0)
    {
      /* Cutoff = n_top-th largest non-NaN score; select every gene whose
       * score (NaN as 0) reaches it. */
      VG *s = g_new (VG, MAX (G, 1));
      gint64 n_ok = 0;
      for (gint64 g = 0; g < G; g++)
        if (!isnan (norm[g]))
          s[n_ok++] = (VG) { norm[g], (gint32) g };
      qsort (s, (gsize) n_ok, sizeof *s, vg_desc_cmp);
      double cut = n_ok == 0 ? INFINITY : s[MIN (o->n_top, n_ok) - 1].v;
      g_free (s);
      g_autofree double *score = g_new (double, MAX (G, 1));
      for (gint64 g = 0; g < G; g++)
        {
          double v = isnan (norm[g]) ? 0.0 : norm[g];
          score[g] = v >= cut ? v : NAN;
        }
      select_top (res, score, G);
    }
  else
    {
      g_autofree double *score = g_new (double, MAX (G, 1));
      for (gint64 g = 0; g < G; g++)
        {
          double v = isnan (norm[g]) ? 0.0 : norm[g];
          gboolean ok = mean[g] > o->min_mean && mean[g] < o->max_mean
                        && v > o->min_disp && v < o->max_disp;
          score[g] = ok ? v : NAN;
        }
      select_top (res, score, G);
    }
  return TRUE;
}

gboolean
scm_hvg_select (const ScmCsr *X, const ScmHvgOptions *o, ScmHvgResult *res, GError **error)
{
  memset (res, 0, sizeof *res);
  if (o->n_top < 0 || (o->flavor == SCM_HVG_SEURAT_V3 && o->n_top == 0))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "HVG: number of top genes must be positive (got %" G_GINT64_FORMAT ")", o->n_top);
      return FALSE;
    }
  if (o->flavor == SCM_HVG_SEURAT_V3)
    return hvg_seurat_v3 (X, o, res, error);
  return hvg_seurat (X, o, res, error);
}

gint32 *
scm_hvg_selected_indices (const ScmHvgResult *r)
{
  gint32 *out = g_new (gint32, MAX (r->n_selected, 1));
  gint64 j = 0;
  for (gint64 g = 0; g < r->n_genes; g++)
    if (r->highly_variable[g])
      out[j++] = (gint32) g;
  return out;
}
