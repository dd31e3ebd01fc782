/* scm-graph.h: weighted undirected graphs and UMAP connectivities.
 *
 * ScmGraph is a symmetric CSR adjacency with double weights, no self loops,
 * indices ascending per row (each undirected edge stored twice).  It is
 * what Leiden clusters and what the UMAP layout optimises.
 *
 * scm_graph_umap_connectivities() is Scanpy's default `neighbors`
 * (method='umap'): umap-learn's fuzzy_simplicial_set with
 * local_connectivity 1, bandwidth 1, set_op_mix_ratio 1:
 *   rho_i   = distance to the first neighbour at distance > 0
 *   sigma_i = binary search (64 steps) so that
 *             sum_j exp(-max(0, d_ij - rho_i) / sigma_i) = log2(k)
 *             (over the k - 1 non-self columns, as umap-learn), floored at
 *             1e-3 x the mean distance (of the point, or of all points)
 *   w_ij    = exp(-max(0, d_ij - rho_i) / sigma_i), self column dropped
 *   fuzzy union: W = A + A^T - A o A^T.
 * Memory: O(n k).  Stored in a dataset as obsp/connectivities by
 * scm_neighbors_store() (scm-neighbors.h).
 */
#pragma once

#include "scm-knn.h"

G_BEGIN_DECLS

typedef struct {
  gint64  n;         /* nodes */
  gint64 *indptr;    /* (n + 1) */
  gint32 *indices;   /* (nnz) ascending per row, no self loops */
  double *weights;   /* (nnz) > 0, symmetric */
} ScmGraph;

static inline gint64
scm_graph_nnz (const ScmGraph *g)
{
  return g->indptr ? g->indptr[g->n] : 0;
}

void     scm_graph_clear (ScmGraph *g);
gboolean scm_graph_copy  (ScmGraph *dst, const ScmGraph *src, GError **error);
/* Symmetric graph from an undirected edge list (each edge given once or
 * both ways; duplicates summed; self loops dropped). */
gboolean scm_graph_from_edges (ScmGraph *out, gint64 n, gint64 n_edges, const gint32 *src,
                               const gint32 *dst, const double *w, GError **error);
/* Connected components: comp[i] in [0, n_comp), numbered by first node. */
gint64   scm_graph_components (const ScmGraph *g, gint32 *comp);
double   scm_graph_total_weight (const ScmGraph *g);   /* each edge once */

/* umap-learn smooth_knn_dist on an (n, k) distance table (self column
 * included).  sigmas, rhos: (n).  n_iter 64, bandwidth 1. */
void     scm_smooth_knn_dist (const float *dist, gint64 n, int k, double local_connectivity,
                              float *sigmas, float *rhos);

/* UMAP fuzzy simplicial set of a kNN table (Scanpy's connectivities). */
gboolean scm_graph_umap_connectivities (const ScmKnn *knn, ScmGraph *out, GError **error);

G_END_DECLS
