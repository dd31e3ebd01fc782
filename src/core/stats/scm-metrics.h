/* scm-metrics.h: the clustering scores the scMMAE paper reports.
 *
 * Two families:
 *  - partition agreement between a truth labelling and a predicted one
 *    (ARI, NMI, AMI, FMI, pair-counting Jaccard and F-measure, purity),
 *    computed from the contingency table;
 *  - geometric scores of one labelling on a representation (silhouette,
 *    Calinski-Harabasz, Davies-Bouldin) plus the normalised variants.
 *
 * All sums are accumulated in double (pair counts in 64-bit integers) and
 * match scikit-learn 1.2 to 1e-9 on tests/fixtures/stats (see
 * gen_metrics.py there).  Definitions that scikit-learn does not provide:
 *
 *  - Jaccard (pair counting, as in scMMAE's metric.py): over unordered cell
 *    pairs, TP = same class and same cluster, FP = different class, same
 *    cluster, FN = same class, different cluster; J = TP / (TP + FP + FN)
 *    (1 when the denominator is 0, i.e. all cells are singletons in both).
 *  - F-measure (scMMAE's metric.py F_measure with beta = 1): F1 of pair
 *    precision TP/(TP+FP) and pair recall TP/(TP+FN); 0 if both are 0.
 *  - purity: sum over clusters of the size of its largest class, over n.
 *  - normalised geometric scores, all in [0, 1] with higher = better, so
 *    they can be averaged with ARI/NMI in one table:
 *      asw_norm = (ASW + 1) / 2          (scMMAE metric.py avg_silhouette_width)
 *      chi_norm = B / (B + W) = CHI (k - 1) / (CHI (k - 1) + n - k), the share
 *                 of the total dispersion between clusters (B, W: between-
 *                 and within-cluster sums of squares; CHI = B (n-k) / (W (k-1)))
 *      dbi_norm = 1 / (1 + DBI)          (DBI >= 0, lower is better)
 *    The paper does not publish its CHI/DBI normalisation; these monotone
 *    maps are ours and per dataset (no min-max over methods), so a score
 *    never changes when another method is added to a comparison.  (CHI/(1+CHI)
 *    was rejected: CHI is in the hundreds on real data, so it saturates.)
 *
 * Labels are gint32 codes; a negative code marks a missing label and the
 * cell is dropped from that score (the caller sees n_used).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Contingency table of two labellings after compacting both to 0..k-1. */
typedef struct {
  gint64  n;          /* cells counted (both labels present) */
  gint32  n_rows;     /* classes of the truth labelling */
  gint32  n_cols;     /* clusters of the predicted labelling */
  gint64 *counts;     /* (n_rows, n_cols) */
  gint64 *row_sums;   /* (n_rows) */
  gint64 *col_sums;   /* (n_cols) */
} ScmContingency;

gboolean scm_contingency_init  (ScmContingency *c, const gint32 *truth, const gint32 *pred,
                                gint64 n, GError **error);
void     scm_contingency_clear (ScmContingency *c);

double scm_metric_ari      (const ScmContingency *c);
double scm_metric_nmi      (const ScmContingency *c);   /* arithmetic mean normaliser */
double scm_metric_ami      (const ScmContingency *c);   /* arithmetic, EMI as sklearn */
double scm_metric_fmi      (const ScmContingency *c);
double scm_metric_jaccard  (const ScmContingency *c);
double scm_metric_fmeasure (const ScmContingency *c);
double scm_metric_purity   (const ScmContingency *c);
/* Mutual information (nats) and the expected MI under the permutation model. */
double scm_metric_mutual_info          (const ScmContingency *c);
double scm_metric_expected_mutual_info (const ScmContingency *c);

typedef struct {
  gint64 n_used;
  gint32 n_truth, n_pred;
  double ari, nmi, ami, fmi, jaccard, fmeasure, purity;
} ScmPartitionScores;

gboolean scm_metrics_partition (const gint32 *truth, const gint32 *pred, gint64 n,
                                ScmPartitionScores *out, GError **error);

/* Geometric scores of `labels` on X (n, d) row-major float, Euclidean.
 * Silhouette needs 2 <= clusters <= n_used - 1 (as sklearn), CHI and DBI
 * need >= 2 clusters; otherwise SCM_ERROR_INVALID. */
gboolean scm_metric_silhouette_samples (const float *X, gint64 n, gint64 d, const gint32 *labels,
                                        double *out_s, GError **error);
/* Same result, O(n^2 d) direct double loops: reference for tests. */
gboolean scm_metric_silhouette_samples_naive (const float *X, gint64 n, gint64 d,
                                              const gint32 *labels, double *out_s, GError **error);
gboolean scm_metric_silhouette         (const float *X, gint64 n, gint64 d, const gint32 *labels,
                                        double *out, GError **error);
gboolean scm_metric_calinski_harabasz  (const float *X, gint64 n, gint64 d, const gint32 *labels,
                                        double *out, GError **error);
gboolean scm_metric_davies_bouldin     (const float *X, gint64 n, gint64 d, const gint32 *labels,
                                        double *out, GError **error);

typedef struct {
  gint64 n_used;
  gint32 n_clusters;
  double silhouette, calinski_harabasz, davies_bouldin;
  double asw_norm, chi_norm, dbi_norm;
} ScmGeometryScores;

/* All three geometric scores.  When n_used > max_cells (0 = no limit) the
 * silhouette is computed on a seeded random subset of max_cells cells (as
 * sklearn's sample_size), since it costs O(n^2 d). */
gboolean scm_metrics_geometry (const float *X, gint64 n, gint64 d, const gint32 *labels,
                               gint64 max_cells, guint64 seed, ScmGeometryScores *out,
                               GError **error);

G_END_DECLS
