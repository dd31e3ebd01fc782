/* scm-analyze.h: dataset-level glue of the stats area: the PCA baseline,
 * markers of an obs grouping, and the whole `analyze` chain
 *   (log-normalise if counts) -> PCA when no representation -> kNN (k 20)
 *   -> connectivities -> Leiden -> UMAP (15 neighbours, min_dist 0.1)
 *   -> Wilcoxon markers per cluster.
 *
 * The PCA baseline follows ref_pipeline.py (Scanpy's recipe): counts ->
 * normalize_total(1e4) + log1p, Seurat-flavour HVGs (top 2000 on the
 * log-normalised values, or all genes when there are fewer), scale
 * (zero-centre, unit variance, clip at 10), PCA 50 (randomised, seeded).
 *
 * Results written into the dataset by scm_analyze_run():
 *   obs/leiden                 categorical, categories "0".."K-1" (largest first)
 *   obsm/X_pca                 (cells, n_pcs) when PCA was computed
 *   obsm/X_umap                (cells, 2)
 *   obsp/distances, obsp/connectivities, uns/neighbors
 *                              the k-neighbour graph Leiden clusters, as
 *                              Scanpy's `neighbors` stores it
 *                              (analysis/scm-neighbors.h)
 *   uns/pca/variance_ratio, uns/pca/variance      (when PCA was computed)
 *   uns/leiden/params/{resolution, seed, k, use_rep}
 *   uns/rank_genes_groups      markers, scanpy-like but as plain groups so
 *                              anndata reads it as nested dicts:
 *       params/{groupby, method="wilcoxon", reference="rest",
 *               corr_method="benjamini-hochberg", tie_correct="True",
 *               modality="rna"|"adt"}
 *       names/<group>           top genes by score, descending (strings)
 *       scores/<group>, logfoldchanges/<group>, pvals/<group>,
 *       pvals_adj/<group>, pct_nz_group/<group>, pct_nz_reference/<group>
 *                               (float64, same order as names)
 *     so uns['rank_genes_groups']['names']['3'][0] is cluster 3's top gene,
 *     the same indexing as scanpy's record arrays.
 */
#pragma once

#include <gio/gio.h>

#include "scm-dataset.h"
#include "stats/scm-markers.h"
#include "stats/scm-pca.h"

G_BEGIN_DECLS

/* Log-normalised RNA: normalize_total(1e4) + log1p when the matrix holds
 * counts, else a copy.  SCM_ERROR_NOT_FOUND when there is no RNA. */
gboolean scm_rna_lognorm (const ScmDataset *ds, ScmCsr *out, GError **error);

/* Values for markers of a modality: RNA log-normalised; ADT CLR (per
 * protein, muon's definition) when it holds counts, else as stored. */
gboolean scm_modality_marker_values (const ScmDataset *ds, ScmModalityKind kind, ScmCsr *out,
                                     GError **error);

/* Dense scaled HVG matrix (cells, *n_genes) from log-normalised values. */
float   *scm_scaled_hvg (const ScmCsr *lognorm, gint64 n_top, gint64 *n_genes, GError **error);

/* The baseline representation: a new matrix named "X_pca".  pca_out (may
 * be NULL) receives the full result (variance ratios...). */
ScmMatrix *scm_pca_baseline_full (const ScmDataset *ds, const ScmPcaOptions *opts,
                                  GCancellable *cancellable, ScmPca *pca_out, GError **error);

/* Group codes of an obs column (any kind; missing -> -1) with the category
 * names (GStrv, sorted as anndata, or the categorical's own order). */
gint32  *scm_obs_group_codes (const ScmDataset *ds, const char *column, char ***categories,
                              gint32 *n_groups, GError **error);

/* Stores a rank test as uns/rank_genes_groups (layout above), keeping the
 * top n genes of each group (all when n <= 0). */
void     scm_markers_to_uns (ScmDataset *ds, const ScmRankTest *rt, char **group_names,
                             char **gene_names, gint64 top_n, const char *groupby,
                             const char *reference, const char *modality);

typedef struct {
  const char   *use_rep;       /* NULL: X_scmmae if present, else X_pca (computed if absent) */
  gint64        n_pcs;         /* 50 */
  int           k;             /* kNN for Leiden, 20 */
  int           umap_k;        /* 15 */
  double        resolution;    /* 1 */
  guint64       seed;          /* 0 */
  double        min_dist;      /* 0.1 */
  gboolean      markers;       /* TRUE */
  gint64        markers_top;   /* genes per cluster kept in uns, 100 */
  int           n_threads;     /* 0 = all processors */
  GCancellable *cancellable;
} ScmAnalyzeOptions;

typedef struct {
  char   rep_used[64];
  gboolean pca_computed;
  gint32 n_clusters;
  double quality;              /* Leiden RB-configuration quality */
  double modularity;           /* modularity of the Leiden partition on the k graph */
  /* seconds per step (wall clock) */
  double t_lognorm, t_hvg_scale, t_pca, t_knn, t_connectivities, t_leiden, t_umap_graph,
         t_umap, t_markers, t_total;
} ScmAnalyzeReport;

void     scm_analyze_options_init (ScmAnalyzeOptions *o);
gboolean scm_analyze_run (ScmDataset *ds, const ScmAnalyzeOptions *o, ScmAnalyzeReport *report,
                          GError **error);

G_END_DECLS
