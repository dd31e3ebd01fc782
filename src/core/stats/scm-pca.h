/* scm-pca.h: principal components of a dense cells x genes matrix, the RNA
 * baseline representation (X_pca) next to the scMMAE embedding.
 *
 * Input is the scaled HVG matrix (float32, row-major, n x p).  Columns are
 * centred implicitly (never copied), as sklearn.decomposition.PCA does.
 *
 * Two solvers:
 *  - randomised block Krylov SVD (Halko, Martinsson & Tropp 2011 sec. 4.5;
 *    Musco & Musco 2015 alg. 2): a Gaussian block of k + 10 vectors, q = 8
 *    applications of Xc Xc^T, every block kept and orthonormalised, then
 *    Rayleigh-Ritz (a small SVD of Q^T Xc): float32 GEMMs on OpenBLAS, the
 *    default; seeded, so reproducible;
 *  - exact: eigen-decomposition (LAPACKE_dsyevd) of the double-precision
 *    covariance Xc^T Xc; O(n p^2 + p^3), for small inputs and as the
 *    reference the randomised one is tested against.
 *
 * Signs follow scikit-learn 1.2 (svd_flip with u_based_decision=True): in
 * every score column the entry of largest absolute value is positive.
 * explained_variance = s^2 / (n - 1); the ratio divides by the total
 * variance sum_j var(X[:, j], ddof=1), computed exactly in double.
 */
#pragma once

#include <gio/gio.h>

#include "scm-dataset.h"

G_BEGIN_DECLS

typedef enum {
  SCM_PCA_AUTO,        /* exact when p <= 500 and n * p <= 5e6, else randomised */
  SCM_PCA_RANDOMIZED,
  SCM_PCA_EXACT,
} ScmPcaSolver;

typedef struct {
  gint64       n_comps;      /* default 50 (0 = default); clamped to min(n, p) */
  ScmPcaSolver solver;
  gint64       n_iter;       /* Krylov depth q (blocks - 1), default 8 (0 = default) */
  gint64       n_oversample; /* block width k + this, default 10 (0 = default) */
  guint64      seed;
  GCancellable *cancellable; /* may be NULL; checked between Krylov blocks */
} ScmPcaOptions;

typedef struct {
  gint64  n_cells, n_genes, n_comps;
  float  *scores;                    /* (n_cells, n_comps): X_pca */
  float  *components;                /* (n_comps, n_genes): varm PCs (transposed) */
  double *mean;                      /* (n_genes) */
  double *explained_variance;        /* (n_comps) */
  double *explained_variance_ratio;  /* (n_comps) */
  double  total_variance;
  const char *solver;                /* "randomized" or "exact" (static string) */
} ScmPca;

void     scm_pca_options_init (ScmPcaOptions *opts);
gboolean scm_pca_fit   (const float *X, gint64 n, gint64 p, const ScmPcaOptions *opts,
                        ScmPca *out, GError **error);
void     scm_pca_clear (ScmPca *pca);

/* The RNA baseline of a dataset (log-normalise counts, 2000 Seurat HVGs,
 * scale, clip 10, PCA): a new matrix named "X_pca" (cells, n_comps).
 * Implemented in scm-analyze.c (see scm-analyze.h for the details and
 * scm_pca_baseline_full() for the variance ratios). */
ScmMatrix *scm_pca_baseline (const ScmDataset *ds, gint64 n_comps, GCancellable *cancellable,
                             GError **error);

G_END_DECLS
