/* scm-neighbors.h: Scanpy's `neighbors` on a dataset: pick an obsm
 * representation, compute the kNN table and the UMAP connectivities, and
 * store them as Scanpy does:
 *   obsp/distances       CSR (n, n) float32: row i holds the k - 1 neighbour
 *                        distances of cell i (self dropped), columns
 *                        ascending
 *   obsp/connectivities  CSR (n, n) float32: the symmetric fuzzy union
 *                        (ScmGraph weights), no self loops
 *   uns/neighbors        connectivities_key, distances_key,
 *                        params/{n_neighbors, method "umap", metric,
 *                        use_rep, random_state, knn_method}
 * (scanpy 1.9 `_get_sparse_matrix_from_indices_distances_umap` +
 * `eliminate_zeros`, except that a zero distance to a duplicate cell is
 * kept as a stored 0: only the self entry is dropped.)
 * Callers keep the ScmGraph for Leiden / UMAP.  `use_rep` NULL means X_pca, as
 * Scanpy (which falls back to X when there is no X_pca; we ask for an
 * explicit representation instead of silently using raw counts).
 */
#pragma once

#include "scm-dataset.h"
#include "scm-graph.h"
#include "scm-umap.h"

G_BEGIN_DECLS

/* The obsm matrix named use_rep (NULL = "X_pca"); error NOT_FOUND lists
 * the available keys. */
ScmMatrix *scm_neighbors_find_rep (const ScmDataset *ds, const char *use_rep, GError **error);

/* kNN (opts may be NULL: k 15, Euclidean, auto) + connectivities.  knn_out
 * may be NULL when only the graph is wanted. */
gboolean   scm_neighbors_compute  (const ScmDataset *ds, const char *use_rep,
                                   const ScmKnnOptions *opts, ScmKnn *knn_out,
                                   ScmGraph *graph_out, GError **error);

typedef struct {
  int         n_neighbors;   /* k incl. self, as Scanpy's n_neighbors */
  ScmMetric   metric;
  const char *use_rep;       /* obsm key the kNN ran on */
  const char *knn_method;    /* "exact" / "nndescent" (ours, not Scanpy's) */
  guint64     random_state;
} ScmNeighborsParams;

/* Kernels: the kNN table as a distances CSR, the graph as a float CSR. */
gboolean   scm_knn_to_distances_csr (const ScmKnn *knn, ScmCsr *out, GError **error);
gboolean   scm_graph_to_csr         (const ScmGraph *g, ScmCsr *out, GError **error);

/* Sets obsp/distances, obsp/connectivities and uns/neighbors (replacing
 * earlier ones).  knn->n and g->n must equal ds->n_cells. */
gboolean   scm_neighbors_store (ScmDataset *ds, const ScmKnn *knn, const ScmGraph *g,
                                const ScmNeighborsParams *params, GError **error);

/* What a UMAP layout was made with, as uns/umap/params: Scanpy's a and b,
 * plus what reproduces it (the layout is a function of the graph, these
 * options and the thread count; scm-umap.h). */
typedef struct {
  double  a, b, min_dist, spread;
  gint64  n_neighbors, random_state, n_threads;
} ScmUmapRecord;

void       scm_umap_record_init  (ScmUmapRecord *rec, const ScmUmapOptions *opts,
                                  int n_neighbors);
/* Sets uns/umap (replacing an earlier one). */
void       scm_umap_record_store (ScmDataset *ds, const ScmUmapRecord *rec);

G_END_DECLS
