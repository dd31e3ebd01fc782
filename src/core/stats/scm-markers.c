/* scm-markers.c: Wilcoxon rank-sum tests per gene, sparse fast path and a
 * dense naive reference (see scm-markers.h for the exact statistics). */
#include "stats/scm-markers.h"

#include "scm-error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
scm_rank_test_clear (ScmRankTest *rt)
{
  g_free (rt->group_sizes);
  g_free (rt->rest_sizes);
  g_free (rt->u);
  g_free (rt->scores);
  g_free (rt->pvals);
  g_free (rt->pvals_adj);
  g_free (rt->logfc);
  g_free (rt->pct_in);
  g_free (rt->pct_out);
  memset (rt, 0, sizeof *rt);
}

static gboolean
rank_test_alloc (ScmRankTest *rt, gint32 n_groups, gint64 n_genes, GError **error)
{
  memset (rt, 0, sizeof *rt);
  gsize n = (gsize) MAX ((gint64) n_groups * n_genes, 1);
  rt->n_groups = n_groups;
  rt->n_genes = n_genes;
  rt->group_sizes = g_try_new0 (gint64, MAX (n_groups, 1));
  rt->rest_sizes = g_try_new0 (gint64, MAX (n_groups, 1));
  double **arrays[] = { &rt->u, &rt->scores, &rt->pvals, &rt->pvals_adj, &rt->logfc,
                        &rt->pct_in, &rt->pct_out };
  gboolean ok = rt->group_sizes && rt->rest_sizes;
  for (gsize i = 0; i < G_N_ELEMENTS (arrays); i++)
    {
      *arrays[i] = g_try_new (double, n);
      ok = ok && *arrays[i];
    }
  if (!ok)
    {
      scm_rank_test_clear (rt);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                   "cannot allocate marker statistics for %d groups x %" G_GINT64_FORMAT " genes",
                   n_groups, n_genes);
    }
  return ok;
}

void
scm_mwu_from_rank_sum (double rank_sum, gint64 n1, gint64 n2, double tie_sum,
                       gboolean use_continuity, double *u, double *z, double *p)
{
  double a = (double) n1, b = (double) n2, n = a + b;
  *u = rank_sum - a * (a + 1.0) / 2.0;
  double mu = a * b / 2.0;
  double var = a * b / 12.0 * ((n + 1.0) - (n > 1 ? tie_sum / (n * (n - 1.0)) : 0.0));
  if (!(var > 0.0) || n1 == 0 || n2 == 0)
    {
      *z = 0.0;
      *p = 1.0;
      return;
    }
  double sd = sqrt (var);
  *z = (*u - mu) / sd;
  /* scipy: U = max(U1, U2) = mu + |U1 - mu|, z = (U - mu - 0.5 c) / sd,
   * p = 2 sf(z) = erfc(z / sqrt 2), clipped to [0, 1] */
  double zz = (fabs (*u - mu) - (use_continuity ? 0.5 : 0.0)) / sd;
  *p = MIN (1.0, erfc (zz / G_SQRT2));
}

typedef struct {
  gint64 i;
  double p;
} IdxP;

static int
cmp_idxp (const void *a, const void *b)
{
  const IdxP *x = a, *y = b;
  if (x->p < y->p) return -1;
  if (x->p > y->p) return 1;
  return (x->i > y->i) - (x->i < y->i);
}

void
scm_bh_adjust (const double *p, gint64 m, double *adj)
{
  if (m <= 0)
    return;
  IdxP *v = g_new (IdxP, m);
  for (gint64 i = 0; i < m; i++)
    {
      v[i].i = i;
      v[i].p = isnan (p[i]) ? 1.0 : p[i];
    }
  qsort (v, m, sizeof *v, cmp_idxp);
  double run = INFINITY;
  for (gint64 k = m - 1; k >= 0; k--)
    {
      double r = v[k].p * (double) m / (double) (k + 1);
      run = MIN (run, r);
      adj[v[k].i] = MIN (run, 1.0);
    }
  g_free (v);
}

static gboolean
check_inputs (const ScmCsr *X, const gint32 *groups, gint32 n_groups, gint32 reference,
              gint64 *sizes, GError **error)
{
  if (n_groups < 2)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "markers need at least 2 groups, got %d", n_groups);
      return FALSE;
    }
  if (reference >= n_groups)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "reference group %d out of range", reference);
      return FALSE;
    }
  memset (sizes, 0, sizeof (gint64) * n_groups);
  for (gint64 i = 0; i < X->n_rows; i++)
    {
      if (groups[i] >= n_groups)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "cell %" G_GINT64_FORMAT " has group %d, expected < %d", i, groups[i], n_groups);
          return FALSE;
        }
      if (groups[i] >= 0)
        sizes[groups[i]]++;
    }
  return TRUE;
}

/* Everything except the ranks: sizes, means, fractions, log fold changes,
 * then z / p / BH from the rank sums and tie sums. */
static void
finish_stats (ScmRankTest *rt, gint32 reference, const double *rank_sum, const double *tie_sum,
              const double *sum, const gint64 *nnz, gboolean use_continuity)
{
  gint32 G = rt->n_groups;
  gint64 J = rt->n_genes;
  gint64 n_all = 0;
  for (gint32 g = 0; g < G; g++)
    n_all += rt->group_sizes[g];
  for (gint32 g = 0; g < G; g++)
    {
      gint64 n1 = rt->group_sizes[g];
      gint64 n2 = reference >= 0 ? rt->group_sizes[reference] : n_all - n1;
      rt->rest_sizes[g] = n2;
      for (gint64 j = 0; j < J; j++)
        {
          gint64 gj = (gint64) g * J + j;
          double sum_rest, nnz_rest;
          if (reference >= 0)
            {
              sum_rest = sum[(gint64) reference * J + j];
              nnz_rest = (double) nnz[(gint64) reference * J + j];
            }
          else
            {
              double s = 0, z = 0;
              for (gint32 h = 0; h < G; h++)
                if (h != g)
                  {
                    s += sum[(gint64) h * J + j];
                    z += (double) nnz[(gint64) h * J + j];
                  }
              sum_rest = s;
              nnz_rest = z;
            }
          double mg = n1 > 0 ? sum[gj] / (double) n1 : 0.0;
          double mr = n2 > 0 ? sum_rest / (double) n2 : 0.0;
          rt->logfc[gj] = log2 ((expm1 (mg) + 1e-9) / (expm1 (mr) + 1e-9));
          rt->pct_in[gj] = n1 > 0 ? (double) nnz[gj] / (double) n1 : 0.0;
          rt->pct_out[gj] = n2 > 0 ? nnz_rest / (double) n2 : 0.0;
          if (g == reference)
            {
              rt->u[gj] = NAN;
              rt->scores[gj] = 0.0;
              rt->pvals[gj] = 1.0;
              rt->logfc[gj] = 0.0;
              continue;
            }
          scm_mwu_from_rank_sum (rank_sum[gj], n1, n2, tie_sum[gj], use_continuity,
                                 &rt->u[gj], &rt->scores[gj], &rt->pvals[gj]);
        }
      scm_bh_adjust (rt->pvals + (gint64) g * J, J, rt->pvals_adj + (gint64) g * J);
    }
}

/* ---------------------------------------------------------------------- */
/* fast sparse path                                                        */

typedef struct {
  float  v;
  gint32 g;
} ValGroup;

static int
cmp_valgroup (const void *a, const void *b)
{
  float x = ((const ValGroup *) a)->v, y = ((const ValGroup *) b)->v;
  return (x > y) - (x < y);
}

/* Ranks one gene of one comparison.  vals: the non-zero values of the
 * cells taking part (group codes in .g, already remapped to the comparison
 * slot), zeros_by_slot: zeros per slot.  Adds the rank sums of each slot
 * into rs[slot] and returns sum(t^3 - t). */
static double
rank_gene (ValGroup *vals, gint64 m, const gint64 *zeros_by_slot, gint32 n_slots, double *rs)
{
  gint64 n_zero = 0;
  for (gint32 s = 0; s < n_slots; s++)
    n_zero += zeros_by_slot[s];
  qsort (vals, m, sizeof *vals, cmp_valgroup);
  /* negatives come first, then the zero block, then positives */
  gint64 n_neg = 0;
  while (n_neg < m && vals[n_neg].v < 0.0f)
    n_neg++;
  double ties = 0.0;
  gint64 rank0 = 1; /* 1-based rank of the next element */
  for (int part = 0; part < 2; part++)
    {
      gint64 lo = part == 0 ? 0 : n_neg, hi = part == 0 ? n_neg : m;
      for (gint64 a = lo; a < hi;)
        {
          gint64 b = a + 1;
          while (b < hi && vals[b].v == vals[a].v)
            b++;
          double t = (double) (b - a);
          double avg = (double) rank0 + (t - 1.0) / 2.0;
          for (gint64 c = a; c < b; c++)
            rs[vals[c].g] += avg;
          ties += t * t * t - t;
          rank0 += b - a;
          a = b;
        }
      if (part == 0 && n_zero > 0)
        {
          double t = (double) n_zero;
          double avg = (double) rank0 + (t - 1.0) / 2.0;
          for (gint32 s = 0; s < n_slots; s++)
            rs[s] += avg * (double) zeros_by_slot[s];
          ties += t * t * t - t;
          rank0 += n_zero;
        }
    }
  return ties;
}

/* CSC view (genes as rows) of the cells that have a group. */
typedef struct {
  gint64 *ptr;   /* (n_genes + 1) */
  gint32 *cell;  /* (nnz) */
  float  *val;   /* (nnz) */
} Csc;

static gboolean
csc_build (Csc *c, const ScmCsr *X, const gint32 *groups, GError **error)
{
  gint64 J = X->n_cols, nnz = 0;
  memset (c, 0, sizeof *c);
  c->ptr = g_try_new0 (gint64, J + 1);
  gint64 *fill = g_try_new (gint64, J + 1);
  if (c->ptr && fill)
    {
      for (gint64 i = 0; i < X->n_rows; i++)
        if (groups[i] >= 0)
          for (gint64 k = X->indptr[i]; k < X->indptr[i + 1]; k++)
            if (X->data[k] != 0.0f)
              {
                c->ptr[X->indices[k] + 1]++;
                nnz++;
              }
      for (gint64 j = 0; j < J; j++)
        c->ptr[j + 1] += c->ptr[j];
      c->cell = g_try_new (gint32, MAX (nnz, 1));
      c->val = g_try_new (float, MAX (nnz, 1));
    }
  if (!c->ptr || !fill || !c->cell || !c->val)
    {
      g_free (fill);
      g_free (c->ptr); g_free (c->cell); g_free (c->val);
      memset (c, 0, sizeof *c);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                   "cannot allocate the gene-major copy of a %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                   " matrix", X->n_rows, X->n_cols);
      return FALSE;
    }
  memcpy (fill, c->ptr, sizeof (gint64) * (J + 1));
  for (gint64 i = 0; i < X->n_rows; i++)
    if (groups[i] >= 0)
      for (gint64 k = X->indptr[i]; k < X->indptr[i + 1]; k++)
        if (X->data[k] != 0.0f)
          {
            gint64 at = fill[X->indices[k]]++;
            c->cell[at] = (gint32) i;
            c->val[at] = X->data[k];
          }
  g_free (fill);
  return TRUE;
}

gboolean
scm_wilcoxon (const ScmCsr *X, const gint32 *groups, gint32 n_groups, gint32 reference,
              const ScmWilcoxonOptions *opts, ScmRankTest *out, GError **error)
{
  gboolean cc = opts ? opts->use_continuity : FALSE;
  gint64 J = X->n_cols;
  if (X->n_rows > G_MAXINT32)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_UNSUPPORTED, "too many cells for markers");
      return FALSE;
    }
  if (!rank_test_alloc (out, n_groups, J, error))
    return FALSE;
  if (!check_inputs (X, groups, n_groups, reference, out->group_sizes, error))
    {
      scm_rank_test_clear (out);
      return FALSE;
    }
  Csc c;
  if (!csc_build (&c, X, groups, error))
    {
      scm_rank_test_clear (out);
      return FALSE;
    }
  gsize GJ = (gsize) n_groups * J;
  double *rank_sum = g_try_new0 (double, GJ);
  double *tie_sum = g_try_new0 (double, GJ);
  double *sum = g_try_new0 (double, GJ);
  gint64 *nnz = g_try_new0 (gint64, GJ);
  ValGroup *vals = g_try_new (ValGroup, MAX (X->n_rows, 1));
  gint64 *zeros = g_new (gint64, n_groups);
  gint64 *nz_slot = g_new (gint64, n_groups);
  double *rs = g_new (double, n_groups);
  gboolean ok = rank_sum && tie_sum && sum && nnz && vals;
  if (!ok)
    g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate marker work arrays");
  for (gint64 j = 0; ok && j < J; j++)
    {
      gint64 lo = c.ptr[j], hi = c.ptr[j + 1];
      memset (nz_slot, 0, sizeof (gint64) * n_groups);
      for (gint64 k = lo; k < hi; k++)
        {
          gint32 g = groups[c.cell[k]];
          nz_slot[g]++;
          sum[(gint64) g * J + j] += c.val[k];
        }
      for (gint32 g = 0; g < n_groups; g++)
        {
          nnz[(gint64) g * J + j] = nz_slot[g];
          zeros[g] = out->group_sizes[g] - nz_slot[g];
        }
      if (reference < 0)
        {
          /* one ranking over every grouped cell serves all groups */
          gint64 m = 0;
          for (gint64 k = lo; k < hi; k++)
            {
              vals[m].v = c.val[k];
              vals[m].g = groups[c.cell[k]];
              m++;
            }
          memset (rs, 0, sizeof (double) * n_groups);
          double ties = rank_gene (vals, m, zeros, n_groups, rs);
          for (gint32 g = 0; g < n_groups; g++)
            {
              rank_sum[(gint64) g * J + j] = rs[g];
              tie_sum[(gint64) g * J + j] = ties;
            }
        }
      else
        {
          /* group g vs reference: rank the union of the two (slots 0, 1) */
          for (gint32 g = 0; g < n_groups; g++)
            {
              if (g == reference)
                continue;
              gint64 m = 0;
              for (gint64 k = lo; k < hi; k++)
                {
                  gint32 h = groups[c.cell[k]];
                  if (h == g || h == reference)
                    {
                      vals[m].v = c.val[k];
                      vals[m].g = h == g ? 0 : 1;
                      m++;
                    }
                }
              gint64 z2[2] = { zeros[g], zeros[reference] };
              double r2[2] = { 0, 0 };
              double ties = rank_gene (vals, m, z2, 2, r2);
              rank_sum[(gint64) g * J + j] = r2[0];
              tie_sum[(gint64) g * J + j] = ties;
            }
        }
    }
  if (ok)
    finish_stats (out, reference, rank_sum, tie_sum, sum, nnz, cc);
  else
    scm_rank_test_clear (out);
  g_free (rank_sum); g_free (tie_sum); g_free (sum); g_free (nnz); g_free (vals);
  g_free (zeros); g_free (nz_slot); g_free (rs);
  g_free (c.ptr); g_free (c.cell); g_free (c.val);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* naive dense reference                                                   */

typedef struct {
  double v;
  int    in_group;
} DenseVal;

static int
cmp_dense (const void *a, const void *b)
{
  double x = ((const DenseVal *) a)->v, y = ((const DenseVal *) b)->v;
  return (x > y) - (x < y);
}

gboolean
scm_wilcoxon_naive (const ScmCsr *X, const gint32 *groups, gint32 n_groups, gint32 reference,
                    const ScmWilcoxonOptions *opts, ScmRankTest *out, GError **error)
{
  gboolean cc = opts ? opts->use_continuity : FALSE;
  gint64 J = X->n_cols, N = X->n_rows;
  if (!rank_test_alloc (out, n_groups, J, error))
    return FALSE;
  if (!check_inputs (X, groups, n_groups, reference, out->group_sizes, error))
    {
      scm_rank_test_clear (out);
      return FALSE;
    }
  g_autofree float *D = scm_csr_to_dense (X, error);
  if (!D)
    {
      scm_rank_test_clear (out);
      return FALSE;
    }
  gsize GJ = (gsize) n_groups * J;
  g_autofree double *rank_sum = g_new0 (double, GJ);
  g_autofree double *tie_sum = g_new0 (double, GJ);
  g_autofree double *sum = g_new0 (double, GJ);
  g_autofree gint64 *nnz = g_new0 (gint64, GJ);
  g_autofree DenseVal *v = g_new (DenseVal, MAX (N, 1));
  for (gint64 i = 0; i < N; i++)
    if (groups[i] >= 0)
      for (gint64 j = 0; j < J; j++)
        {
          sum[(gint64) groups[i] * J + j] += D[i * J + j];
          nnz[(gint64) groups[i] * J + j] += D[i * J + j] != 0.0f;
        }
  for (gint32 g = 0; g < n_groups; g++)
    {
      if (g == reference)
        continue;
      for (gint64 j = 0; j < J; j++)
        {
          gint64 m = 0;
          for (gint64 i = 0; i < N; i++)
            {
              gint32 h = groups[i];
              if (h < 0 || (reference >= 0 && h != g && h != reference))
                continue;
              v[m].v = D[i * J + j];
              v[m].in_group = h == g;
              m++;
            }
          qsort (v, m, sizeof *v, cmp_dense);
          double rs = 0, ties = 0;
          for (gint64 a = 0; a < m;)
            {
              gint64 b = a + 1;
              while (b < m && v[b].v == v[a].v)
                b++;
              double t = (double) (b - a);
              double avg = (double) (a + 1) + (t - 1.0) / 2.0;
              for (gint64 c = a; c < b; c++)
                if (v[c].in_group)
                  rs += avg;
              ties += t * t * t - t;
              a = b;
            }
          rank_sum[(gint64) g * J + j] = rs;
          tie_sum[(gint64) g * J + j] = ties;
        }
    }
  finish_stats (out, reference, rank_sum, tie_sum, sum, nnz, cc);
  return TRUE;
}

/* ---------------------------------------------------------------------- */

typedef struct {
  gint64 i;
  double s;
} IdxS;

static int
cmp_score_desc (const void *a, const void *b)
{
  const IdxS *x = a, *y = b;
  if (x->s > y->s) return -1;
  if (x->s < y->s) return 1;
  return (x->i > y->i) - (x->i < y->i);
}

gint64
scm_rank_test_top (const ScmRankTest *rt, gint32 g, gint64 n, gint64 *out_idx)
{
  gint64 J = rt->n_genes;
  IdxS *v = g_new (IdxS, MAX (J, 1));
  for (gint64 j = 0; j < J; j++)
    {
      v[j].i = j;
      double s = rt->scores[(gint64) g * J + j];
      v[j].s = isnan (s) ? -INFINITY : s;
    }
  qsort (v, J, sizeof *v, cmp_score_desc);
  gint64 m = MIN (n, J);
  for (gint64 k = 0; k < m; k++)
    out_idx[k] = v[k].i;
  g_free (v);
  return m;
}
