/* cmd-neighbors.c: `scmmae neighbors IN [-o OUT.h5ad] [--edges FILE.tsv]`:
 * kNN of an obsm representation and its UMAP connectivities (Scanpy's
 * `pp.neighbors`).  -o writes the graph as Scanpy does (obsp/distances,
 * obsp/connectivities, uns/neighbors: analysis/scm-neighbors.h); --edges
 * writes the connectivities as a TSV edge list (`i<TAB>j<TAB>weight`, each
 * undirected edge once, i < j, 0-based cell indices).  `leiden` and `umap`
 * recompute the graph with the same options (it takes well under a second
 * on 10k cells). */
#include "cli-common.h"

#include "analysis/scm-neighbors.h"
#include "io/scm-io.h"
#include "scm-error.h"
#include "util/scm-blas.h"

#include <stdio.h>
#include <string.h>

static int
write_edges (const ScmGraph *g, const char *path, GError **error)
{
  FILE *f = fopen (path, "w");
  if (!f)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot open for writing", path);
      return FALSE;
    }
  for (gint64 i = 0; i < g->n; i++)
    for (gint64 p = g->indptr[i]; p < g->indptr[i + 1]; p++)
      if (g->indices[p] > i)
        fprintf (f, "%" G_GINT64_FORMAT "\t%d\t%.9g\n", i, g->indices[p], g->weights[p]);
  if (fclose (f) != 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: write failed", path);
      return FALSE;
    }
  return TRUE;
}

int
scm_cmd_neighbors (int argc, char **argv)
{
  g_autofree char *output = NULL, *edges = NULL, *use_rep = NULL, *metric = NULL, *method = NULL;
  gint64 k = 15, seed = 0, threads = 0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the dataset with the graph (obsp, uns/neighbors) to OUT.h5ad", "OUT.h5ad" },
    { "edges", 0, 0, G_OPTION_ARG_FILENAME, &edges, "Write the connectivities as a TSV edge list", "FILE.tsv" },
    { "use-rep", 0, 0, G_OPTION_ARG_STRING, &use_rep, "obsm representation (default X_pca)", "KEY" },
    { "k", 'k', 0, G_OPTION_ARG_INT64, &k, "Neighbours per cell, self included (default 15)", "K" },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric, "euclidean (default) or cosine", "M" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &method, "auto (default), exact or nndescent", "M" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of NN-descent (default 0)", "S" },
    { "threads", 0, 0, G_OPTION_ARG_INT64, &threads, "Worker threads (default: all cores)", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx =
    g_option_context_new ("IN - kNN graph and UMAP connectivities of an obsm representation");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("neighbors", "expected exactly one input file");
  ScmKnnOptions ko;
  scm_knn_options_init (&ko);
  if (k < 2 || k > 1000)
    return scm_cli_usage ("neighbors", "--k must be between 2 and 1000");
  ko.k = (int) k;
  if (metric && !scm_metric_from_name (metric, &ko.metric))
    return scm_cli_usage ("neighbors", "unknown --metric '%s' (euclidean, cosine)", metric);
  if (method && !scm_knn_method_from_name (method, &ko.method))
    return scm_cli_usage ("neighbors", "unknown --method '%s' (auto, exact, nndescent)", method);
  ko.seed = (guint64) seed;
  ko.n_threads = (int) CLAMP (threads, 0, 256);

  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], NULL, &error);
  if (!ds)
    return scm_cli_fail ("neighbors", error);
  ScmGraph g;
  ScmKnn knn = { 0 };
  gint64 t0 = g_get_monotonic_time ();
  if (!scm_neighbors_compute (ds, use_rep, &ko, &knn, &g, &error))
    return scm_cli_fail ("neighbors", error);
  double secs = (double) (g_get_monotonic_time () - t0) / 1e6;
  gint32 *comp = g_new (gint32, MAX (g.n, 1));
  gint64 nc = scm_graph_components (&g, comp);
  g_free (comp);
  ScmKnnMethod used = scm_knn_resolve_method (ko.method, ds->n_cells);
  g_print ("neighbors: %" G_GINT64_FORMAT " cells, obsm/%s, k=%d %s (%s), %" G_GINT64_FORMAT
           " edges, %" G_GINT64_FORMAT " connected component(s), %.2f s [%s]\n",
           g.n, use_rep ? use_rep : "X_pca", ko.k, scm_metric_name (ko.metric),
           scm_knn_method_name (used), scm_graph_nnz (&g) / 2, nc, secs, scm_blas_describe ());
  int rc = SCM_EXIT_OK;
  if (edges && !write_edges (&g, edges, &error))
    rc = scm_cli_fail ("neighbors", error);
  if (rc == SCM_EXIT_OK && output)
    {
      ScmNeighborsParams np = { ko.k, ko.metric, use_rep ? use_rep : "X_pca",
                                scm_knn_method_name (used), ko.seed };
      if (!scm_neighbors_store (ds, &knn, &g, &np, &error) || !scm_h5ad_write (ds, output, &error))
        rc = scm_cli_fail ("neighbors", error);
    }
  scm_graph_clear (&g);
  scm_knn_clear (&knn);
  return rc;
}
