/* scm-umap.h: UMAP layout (McInnes, Healy & Melville 2018) of a graph.
 *
 * Follows umap-learn 0.5's simplicial_set_embedding, which Scanpy's
 * `tl.umap` calls on the `neighbors` connectivities:
 *   a, b     fitted from (min_dist, spread) by least squares, as
 *            umap-learn's find_ab_params (scipy curve_fit, 300 points)
 *   epochs   500 for <= 10000 cells else 200; edges below max/n_epochs
 *            dropped; each edge sampled every max_w/w epochs
 *   init     spectral: eigenvectors 2..3 of the normalised Laplacian
 *            (Lanczos), scaled to max |x| = 10, plus N(0, 1e-4) noise, then
 *            rescaled to [0, 10] per axis; a disconnected graph gets one
 *            spectral layout per component, components placed on a grid
 *            (largest first); random uniform(-10, 10) if the solver fails
 *   SGD      attractive step on each sampled edge, 5 negative samples
 *            (repulsion gamma 1), gradient clip 4, learning rate 1
 *            decaying linearly to 0.  Unlike umap-learn, which moves the
 *            head after each term, the attraction and the (up to 7)
 *            repulsions of one edge sample are evaluated at the same
 *            position of the head and applied together, each clipped; the
 *            edges are visited as two interleaved halves of the list
 * Threads: the cells are cut into slabs along the first axis of the
 * initial layout (equal numbers of samples); each thread owns the edges
 * whose head is in its slab and writes only its slab's cells.  Other
 * slabs are read from a snapshot taken at each epoch's start, and an edge
 * whose tail lies in another slab moves only its head, by twice the step
 * (the reverse edge, sampled at the same rate, moves the tail).  No data
 * races: the result is a pure function of (graph, options, thread count).
 */
#pragma once

#include "scm-graph.h"

G_BEGIN_DECLS

typedef enum {
  SCM_UMAP_INIT_SPECTRAL,
  SCM_UMAP_INIT_RANDOM,
} ScmUmapInit;

typedef struct {
  int           n_components;   /* default 2 */
  double        min_dist;       /* default 0.1 */
  double        spread;         /* default 1 */
  int           n_epochs;       /* 0 = umap-learn's rule */
  double        learning_rate;  /* default 1 */
  double        repulsion;      /* gamma, default 1 */
  int           negative_sample_rate; /* default 5 */
  ScmUmapInit   init;           /* default spectral */
  guint64       seed;           /* default 0 */
  int           n_threads;      /* 0 = all processors */
  GCancellable *cancellable;
  /* Progress: called from the calling thread after each epoch; may be NULL. */
  void        (*progress) (int epoch, int n_epochs, gpointer user_data);
  gpointer      progress_data;
} ScmUmapOptions;

void     scm_umap_options_init (ScmUmapOptions *opts);

/* a, b of 1 / (1 + a d^(2b)) fitted to the min_dist/spread curve. */
void     scm_umap_find_ab (double spread, double min_dist, double *a, double *b);

/* Spectral initialisation of a connected graph into embedding (n, dim);
 * FALSE (no error set) if the graph is disconnected or the solver fails. */
gboolean scm_umap_spectral_init (const ScmGraph *g, int dim, guint64 seed, float *embedding);

/* Full layout: embedding (g->n, n_components) out. */
gboolean scm_umap_layout (const ScmGraph *g, const ScmUmapOptions *opts, float *embedding,
                          GError **error);
/* The thread (and slab) count scm_umap_layout uses for opts (NULL =
 * defaults): the layout is a function of (graph, opts, this number), so
 * it belongs beside the seed wherever a layout is recorded. */
int      scm_umap_layout_threads (const ScmUmapOptions *opts);

/* sklearn.manifold.trustworthiness with Euclidean distances:
 * X (n, d) original space, E (n, de) embedding, k neighbours.  O(n^2)
 * time, O(n) memory: use a subsample for large n. */
double   scm_trustworthiness (const float *X, gint64 d, const float *E, gint64 de, gint64 n, int k);

G_END_DECLS
