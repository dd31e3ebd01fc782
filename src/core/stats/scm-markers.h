/* scm-markers.h: Wilcoxon rank-sum marker genes (one group vs the rest, or
 * one group vs a reference group), as scanpy's rank_genes_groups
 * method='wilcoxon' with tie_correct=True.
 *
 * Per group and gene:
 *  - U: Mann-Whitney U of the group's values (R1 - n1 (n1 + 1) / 2, ranks
 *    over the cells of the comparison, ties averaged);
 *  - score: z = (U - n1 n2 / 2) / sigma with the tie-corrected
 *    sigma^2 = n1 n2 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1))); its sign
 *    says whether the group is higher; constant genes get z = 0;
 *  - pval: two-sided normal approximation, equal (to ~1e-12) to
 *    scipy.stats.mannwhitneyu(x, y, alternative='two-sided',
 *    method='asymptotic', use_continuity=C): scanpy computes no continuity
 *    correction, so C = FALSE is the default (scanpy's p-values exactly);
 *    opts.use_continuity = TRUE gives scipy's default instead.  A constant
 *    gene gets p = 1.
 *  - pval_adj: Benjamini-Hochberg over the genes of that group (scanpy's
 *    corr_method='benjamini-hochberg'), capped at 1;
 *  - logfc: log2((expm1(mean_group) + 1e-9) / (expm1(mean_rest) + 1e-9)),
 *    means of the (log-normalised) values in double: scanpy's formula;
 *  - pct_in / pct_out: fraction of cells with a non-zero value.
 *
 * Fast path: each gene is ranked once over all cells of the comparison; the
 * zeros of a sparse gene form one tied block whose rank is known without
 * sorting, so the cost is O(nnz log nnz) for the whole matrix, not
 * O(groups x cells log cells).  scm_wilcoxon_naive() ranks every gene
 * densely per group (the textbook way) and is the reference in tests.
 */
#pragma once

#include "scm-dataset.h"

G_BEGIN_DECLS

typedef struct {
  gboolean use_continuity;  /* default FALSE (as scanpy) */
} ScmWilcoxonOptions;

/* Results, each (n_groups, n_genes) row-major. */
typedef struct {
  gint32  n_groups;
  gint64  n_genes;
  gint64 *group_sizes;  /* (n_groups) cells in each group */
  gint64 *rest_sizes;   /* (n_groups) cells it was compared with */
  double *u;
  double *scores;
  double *pvals;
  double *pvals_adj;
  double *logfc;
  double *pct_in;
  double *pct_out;
} ScmRankTest;

void     scm_rank_test_clear (ScmRankTest *rt);

/* groups[i] in [0, n_groups) or < 0 (cell left out of every comparison).
 * reference < 0: each group vs all other grouped cells (one-vs-rest);
 * reference = r: each group vs group r only (row r is then all-NaN stats,
 * p = 1).  opts may be NULL. */
gboolean scm_wilcoxon (const ScmCsr *X, const gint32 *groups, gint32 n_groups, gint32 reference,
                       const ScmWilcoxonOptions *opts, ScmRankTest *out, GError **error);
gboolean scm_wilcoxon_naive (const ScmCsr *X, const gint32 *groups, gint32 n_groups,
                             gint32 reference, const ScmWilcoxonOptions *opts, ScmRankTest *out,
                             GError **error);

/* Benjamini-Hochberg: adj[i] = min_{k: rank k >= rank i} p_(k) m / k, capped
 * at 1; NaN counts as 1. */
void     scm_bh_adjust (const double *p, gint64 m, double *adj);

/* Two-sided p and tie-corrected z from a rank sum (exposed for tests). */
void     scm_mwu_from_rank_sum (double rank_sum, gint64 n1, gint64 n2, double tie_sum,
                                gboolean use_continuity, double *u, double *z, double *p);

/* Indices of the top n genes of group g by score, descending (as scanpy's
 * names order); returns how many were written (min(n, n_genes)). */
gint64   scm_rank_test_top (const ScmRankTest *rt, gint32 g, gint64 n, gint64 *out_idx);

G_END_DECLS
