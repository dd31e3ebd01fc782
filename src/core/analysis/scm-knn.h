/* scm-knn.h: k-nearest-neighbour search over dense embeddings.
 *
 * Input is a dense float32 row-major matrix X (n points x d dims), e.g. an
 * obsm entry (X_pca, X_scmmae).  Output is an (n x k) table of neighbour
 * indices and distances per point, ascending, with the point itself in
 * column 0 at distance 0, as Scanpy's `neighbors` (and umap-learn's
 * nearest_neighbors) return it.  So k = 15 gives 14 other cells.
 *
 * Two methods:
 *   exact      blocked brute force: cblas_sgemm of row blocks against all
 *              points plus a partial selection (O(n^2 d); small data).
 *   nndescent  approximate (Dong, Moses & Li 2011, as pynndescent):
 *              random-projection-tree initialisation, then local joins
 *              until few updates happen.  O(n k^2) per iteration.
 * SCM_KNN_AUTO picks exact below SCM_KNN_EXACT_MAX_CELLS points.
 *
 * Distances: Euclidean (true distance, not squared) or cosine (1 - cos).
 * Output is deterministic for a fixed (seed, n_threads); exact search does
 * not depend on either.  Nothing here allocates n x n.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  SCM_METRIC_EUCLIDEAN,
  SCM_METRIC_COSINE,
} ScmMetric;

typedef enum {
  SCM_KNN_AUTO,
  SCM_KNN_EXACT,
  SCM_KNN_NNDESCENT,
} ScmKnnMethod;

/* Exact search is used up to this many points with SCM_KNN_AUTO.  Measured
 * with bench/analysis/bench-graph (k = 15, 50 dims, CPU seconds): pbmc10k
 * PCA (6855 cells) exact 0.21 vs NN-descent 0.41; 20000 synthetic cells
 * exact 1.80 vs NN-descent 1.22; exact grows as n^2, so they cross near
 * 13000 cells. */
#define SCM_KNN_EXACT_MAX_CELLS 12000

typedef struct {
  int           k;            /* neighbours incl. self; default 15 */
  ScmMetric     metric;       /* default Euclidean */
  ScmKnnMethod  method;       /* default AUTO */
  guint64       seed;         /* NN-descent randomness; default 0 */
  int           n_threads;    /* 0 = all processors */
  GCancellable *cancellable;  /* may be NULL; checked between blocks */
} ScmKnnOptions;

typedef struct {
  gint64  n;          /* points */
  int     k;          /* columns */
  gint32 *indices;    /* (n, k) neighbour ids, column 0 = self */
  float  *distances;  /* (n, k) ascending per row */
} ScmKnn;

void     scm_knn_options_init (ScmKnnOptions *opts);
const char *scm_metric_name   (ScmMetric metric);
/* "euclidean" / "cosine" -> metric; FALSE if unknown. */
gboolean scm_metric_from_name (const char *name, ScmMetric *metric);
/* "auto" / "exact" / "nndescent" -> method; FALSE if unknown. */
gboolean scm_knn_method_from_name (const char *name, ScmKnnMethod *method);
const char *scm_knn_method_name   (ScmKnnMethod method);
/* The search scm_knn_compute runs for `method` on n points (AUTO: exact up
 * to SCM_KNN_EXACT_MAX_CELLS, NN-descent above). */
ScmKnnMethod scm_knn_resolve_method (ScmKnnMethod method, gint64 n);

/* Allocates out->indices/distances (g_try_malloc) for n x k. */
gboolean scm_knn_alloc (ScmKnn *out, gint64 n, int k, GError **error);
void     scm_knn_clear (ScmKnn *knn);
/* The first k columns of src into dst (allocated here): with exact search
 * these are the k nearest neighbours themselves, so one search at the
 * largest k serves several graphs.  Fails on k < 1 or k > src->k. */
gboolean scm_knn_prefix (const ScmKnn *src, int k, ScmKnn *dst, GError **error);

/* The main entry point.  X: (n, d).  Fails on n < 2, k < 2, k > n, d < 1,
 * non-finite values, out of memory or cancellation. */
gboolean scm_knn_compute (const float *X, gint64 n, gint64 d, const ScmKnnOptions *opts,
                          ScmKnn *out, GError **error);

/* Kernels (pure functions; out already allocated with n x k). */
/* Naive reference: one distance at a time, full sort.  Tests only. */
void     scm_knn_exact_naive   (const float *X, gint64 n, gint64 d, ScmMetric metric, ScmKnn *out);
gboolean scm_knn_exact_blocked (const float *X, gint64 n, gint64 d, ScmMetric metric,
                                int n_threads, GCancellable *cancellable, ScmKnn *out,
                                GError **error);
gboolean scm_knn_nndescent     (const float *X, gint64 n, gint64 d, ScmMetric metric,
                                guint64 seed, int n_threads, GCancellable *cancellable,
                                ScmKnn *out, GError **error);

/* Mean fraction of exact neighbours (self excluded from both) found by
 * approx, over all points: pynndescent "recall@k". */
double   scm_knn_recall (const ScmKnn *approx, const ScmKnn *exact);

G_END_DECLS
