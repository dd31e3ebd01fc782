/* scm-neighbors.h: Scanpy's `neighbors` on a dataset: pick an obsm
 * representation, compute the kNN table and the UMAP connectivities.
 *
 * The graph is not stored in the dataset (the model has no obsp); callers
 * keep the ScmGraph for Leiden / UMAP.  `use_rep` NULL means X_pca, as
 * Scanpy (which falls back to X when there is no X_pca; we ask for an
 * explicit representation instead of silently using raw counts).
 */
#pragma once

#include "scm-dataset.h"
#include "scm-graph.h"

G_BEGIN_DECLS

/* The obsm matrix named use_rep (NULL = "X_pca"); error NOT_FOUND lists
 * the available keys. */
ScmMatrix *scm_neighbors_find_rep (const ScmDataset *ds, const char *use_rep, GError **error);

/* kNN (opts may be NULL: k 15, Euclidean, auto) + connectivities.  knn_out
 * may be NULL when only the graph is wanted. */
gboolean   scm_neighbors_compute  (const ScmDataset *ds, const char *use_rep,
                                   const ScmKnnOptions *opts, ScmKnn *knn_out,
                                   ScmGraph *graph_out, GError **error);

G_END_DECLS
