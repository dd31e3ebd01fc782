/* scm-leiden.h: Leiden community detection.
 *
 * Traag, Waltman & van Eck (2019), "From Louvain to Leiden: guaranteeing
 * well-connected communities", Sci. Rep. 9:5233, supplementary algorithm
 * A.2: fast local moving with a queue, refinement (merges of singletons
 * into well-connected sub-communities, chosen at random with probability
 * ~ exp(dH / theta), theta = 0.01), aggregation on the refined partition
 * with the non-refined partition as the starting partition.  Communities
 * are guaranteed connected.
 *
 * Quality functions, as leidenalg (m = total edge weight, K_c = sum of
 * degrees in community c, e_c = weight of edges inside c):
 *   RB configuration  Q = sum_c (2 e_c - resolution K_c^2 / (2m))
 *   modularity        Q = sum_c (2 e_c - K_c^2 / (2m)) / (2m)
 * Scanpy's `tl.leiden` (leidenalg flavour) uses RB configuration with
 * resolution 1, edge weights, seed 0 and n_iterations = -1 (repeat whole
 * Leiden iterations until the partition no longer changes); those are the
 * defaults here.  Cluster ids are renumbered by size, largest first.
 */
#pragma once

#include "scm-graph.h"

G_BEGIN_DECLS

typedef enum {
  SCM_LEIDEN_RB_CONFIGURATION,
  SCM_LEIDEN_MODULARITY,
} ScmLeidenQuality;

typedef struct {
  ScmLeidenQuality quality;      /* default RB configuration */
  double           resolution;   /* default 1 (ignored by modularity) */
  int              n_iterations; /* default -1 = until stable; else that many */
  double           theta;        /* refinement randomness; default 0.01 */
  guint64          seed;         /* default 0 */
  GCancellable    *cancellable;
} ScmLeidenOptions;

void     scm_leiden_options_init (ScmLeidenOptions *opts);

/* Clusters g.  membership: (n) out, ids 0..n_clusters-1 by decreasing
 * size.  n_clusters, quality may be NULL. */
gboolean scm_leiden (const ScmGraph *g, const ScmLeidenOptions *opts, gint32 *membership,
                     gint32 *n_clusters, double *quality, GError **error);

/* One Leiden iteration starting from membership (in/out; any labels in
 * [0, n)).  Returns TRUE in *changed if the partition changed.  The
 * quality after it is never lower than before. */
gboolean scm_leiden_iterate (const ScmGraph *g, const ScmLeidenOptions *opts, guint64 iteration,
                             gint32 *membership, gboolean *changed, GError **error);

/* Quality of a membership (labels in [0, n)) on g. */
double   scm_leiden_quality (const ScmGraph *g, const gint32 *membership, ScmLeidenQuality quality,
                             double resolution);
/* Renumbers labels 0.. by decreasing size (ties: smallest first node). */
gint32   scm_leiden_renumber (gint32 *membership, gint64 n);

G_END_DECLS
