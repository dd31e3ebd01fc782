/* cmd-analyze.c: `scmmae analyze IN -o OUT.h5ad`: PCA (when there is no
 * representation) -> kNN -> connectivities -> Leiden -> UMAP -> markers,
 * written as obs/leiden, obsm/X_pca, obsm/X_umap, obsp/distances +
 * connectivities, uns/neighbors, uns/rank_genes_groups (layout:
 * src/core/stats/scm-analyze.h). */
#include "cli-common.h"

#include "io/scm-io.h"
#include "stats/scm-analyze.h"
#include "util/scm-blas.h"

int
scm_cmd_analyze (int argc, char **argv)
{
  g_autofree char *output = NULL, *use_rep = NULL;
  double resolution = 1.0;
  gint64 seed = 0, top = 100;
  int k = 20, threads = 0, n_pcs = 50;
  gboolean no_markers = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the result to OUT.h5ad", "OUT.h5ad" },
    { "use-rep", 0, 0, G_OPTION_ARG_STRING, &use_rep,
      "Representation: X_scmmae or X_pca (default: X_scmmae if present, else PCA)", "X" },
    { "resolution", 0, 0, G_OPTION_ARG_DOUBLE, &resolution, "Leiden resolution (default 1)", "R" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed for PCA, kNN, Leiden and UMAP (default 0)", "S" },
    { "k", 'k', 0, G_OPTION_ARG_INT, &k, "Neighbours for clustering (default 20)", "K" },
    { "n-pcs", 0, 0, G_OPTION_ARG_INT, &n_pcs, "PCA components when PCA is computed (default 50)", "N" },
    { "top", 0, 0, G_OPTION_ARG_INT64, &top, "Marker genes kept per cluster (default 100; 0 = all)", "N" },
    { "no-markers", 0, 0, G_OPTION_ARG_NONE, &no_markers, "Skip the marker genes", NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Worker threads (default: all processors; the UMAP layout is reproducible for a given seed and thread count)", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN - kNN, Leiden, UMAP and markers in one go");
  g_option_context_set_summary (ctx,
    "Writes to OUT.h5ad, besides the input's data:\n"
    "  obs/leiden                 clusters (categorical, largest first)\n"
    "  obsm/X_pca                 when PCA was computed; uns/pca variance ratios\n"
    "  obsm/X_umap                2-D UMAP layout\n"
    "  obsp/distances             kNN distances (CSR, K - 1 per cell)\n"
    "  obsp/connectivities        UMAP fuzzy graph Leiden ran on (CSR, symmetric)\n"
    "  uns/neighbors, uns/leiden  parameters, as Scanpy stores them\n"
    "  uns/rank_genes_groups      Wilcoxon markers per cluster (unless --no-markers)");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("analyze", "expected exactly one input file");
  if (!output)
    return scm_cli_usage ("analyze", "missing -o OUT.h5ad");
  if (!(resolution > 0))
    return scm_cli_usage ("analyze", "--resolution must be > 0");
  if (k < 2 || n_pcs < 1 || top < 0 || threads < 0)
    return scm_cli_usage ("analyze", "--k must be >= 2, --n-pcs >= 1, --top and --threads >= 0");

  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], NULL, &error);
  if (!ds)
    return scm_cli_fail ("analyze", error);
  ScmAnalyzeOptions o;
  scm_analyze_options_init (&o);
  o.use_rep = use_rep;
  o.resolution = resolution;
  o.seed = (guint64) seed;
  o.k = k;
  o.n_pcs = n_pcs;
  o.markers = !no_markers;
  o.markers_top = top;
  o.n_threads = threads;
  ScmAnalyzeReport r;
  if (!scm_analyze_run (ds, &o, &r, &error))
    return scm_cli_fail ("analyze", error);
  g_print ("%" G_GINT64_FORMAT " cells, representation %s%s: %d Leiden clusters "
           "(resolution %g, modularity %.4f)\n", ds->n_cells, r.rep_used,
           r.pca_computed ? " (computed)" : "", r.n_clusters, resolution, r.modularity);
  g_print ("seconds: lognorm %.2f, hvg+scale %.2f, pca %.2f, knn %.2f, connectivities %.2f, "
           "leiden %.2f, umap graph %.2f, umap %.2f, markers %.2f, total %.2f [%s]\n",
           r.t_lognorm, r.t_hvg_scale, r.t_pca, r.t_knn, r.t_connectivities, r.t_leiden,
           r.t_umap_graph, r.t_umap, r.t_markers, r.t_total, scm_blas_describe ());
  if (!scm_h5ad_write (ds, output, &error))
    return scm_cli_fail ("analyze", error);
  return SCM_EXIT_OK;
}
