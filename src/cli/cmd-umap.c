/* cmd-umap.c: `scmmae umap IN -o OUT.h5ad`: kNN + UMAP connectivities of
 * an obsm representation, then the UMAP layout (umap-learn defaults:
 * min_dist 0.1, spread 1, spectral initialisation, 500/200 epochs) into
 * obsm/X_umap, with a and b in uns/umap/params. */
#include "cli-common.h"

#include "analysis/scm-neighbors.h"
#include "analysis/scm-umap.h"
#include "io/scm-io.h"

#include <string.h>

int
scm_cmd_umap (int argc, char **argv)
{
  g_autofree char *output = NULL, *use_rep = NULL, *metric = NULL, *method = NULL, *init = NULL;
  gint64 k = 15, seed = 0, threads = 0, n_epochs = 0, dims = 2;
  double min_dist = 0.1, spread = 1.0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the dataset with obsm/X_umap to OUT.h5ad", "OUT.h5ad" },
    { "use-rep", 0, 0, G_OPTION_ARG_STRING, &use_rep, "obsm representation (default X_pca)", "KEY" },
    { "k", 'k', 0, G_OPTION_ARG_INT64, &k, "Neighbours per cell, self included (default 15)", "K" },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric, "euclidean (default) or cosine", "M" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &method, "kNN: auto (default), exact or nndescent", "M" },
    { "min-dist", 0, 0, G_OPTION_ARG_DOUBLE, &min_dist, "Minimum distance (default 0.1)", "D" },
    { "spread", 0, 0, G_OPTION_ARG_DOUBLE, &spread, "Spread (default 1)", "S" },
    { "n-epochs", 0, 0, G_OPTION_ARG_INT64, &n_epochs, "Epochs (default 500, or 200 above 10000 cells)", "N" },
    { "n-components", 0, 0, G_OPTION_ARG_INT64, &dims, "Output dimensions (default 2)", "N" },
    { "init", 0, 0, G_OPTION_ARG_STRING, &init, "spectral (default) or random", "I" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 0)", "S" },
    { "threads", 0, 0, G_OPTION_ARG_INT64, &threads, "Worker threads (default: all cores; the layout is reproducible for a given seed and thread count)", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN - UMAP layout of the kNN graph");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("umap", "expected exactly one input file");
  ScmKnnOptions ko;
  scm_knn_options_init (&ko);
  if (k < 2 || k > 1000)
    return scm_cli_usage ("umap", "--k must be between 2 and 1000");
  ko.k = (int) k;
  if (metric && !scm_metric_from_name (metric, &ko.metric))
    return scm_cli_usage ("umap", "unknown --metric '%s' (euclidean, cosine)", metric);
  if (method && !scm_knn_method_from_name (method, &ko.method))
    return scm_cli_usage ("umap", "unknown --method '%s' (auto, exact, nndescent)", method);
  ko.seed = (guint64) seed;
  ko.n_threads = (int) CLAMP (threads, 0, 256);
  ScmUmapOptions uo;
  scm_umap_options_init (&uo);
  if (!(min_dist >= 0) || !(spread > 0) || min_dist > 3 * spread)
    return scm_cli_usage ("umap", "need 0 <= --min-dist <= 3 x --spread and --spread > 0");
  if (n_epochs < 0 || n_epochs > 100000)
    return scm_cli_usage ("umap", "--n-epochs must be 0 (automatic) to 100000");
  if (dims < 1 || dims > 100)
    return scm_cli_usage ("umap", "--n-components must be 1..100");
  uo.min_dist = min_dist;
  uo.spread = spread;
  uo.n_epochs = (int) n_epochs;
  uo.n_components = (int) dims;
  uo.seed = (guint64) seed;
  uo.n_threads = ko.n_threads;
  if (!init || strcmp (init, "spectral") == 0)
    uo.init = SCM_UMAP_INIT_SPECTRAL;
  else if (strcmp (init, "random") == 0)
    uo.init = SCM_UMAP_INIT_RANDOM;
  else
    return scm_cli_usage ("umap", "unknown --init '%s' (spectral, random)", init);

  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], NULL, &error);
  if (!ds)
    return scm_cli_fail ("umap", error);
  ScmGraph g;
  gint64 t0 = g_get_monotonic_time ();
  if (!scm_neighbors_compute (ds, use_rep, &ko, NULL, &g, &error))
    return scm_cli_fail ("umap", error);
  gint64 t1 = g_get_monotonic_time ();
  ScmMatrix *m = scm_matrix_new ("X_umap", g.n, uo.n_components, &error);
  if (!m || !scm_umap_layout (&g, &uo, m->data, &error))
    {
      if (m)
        scm_matrix_free (m);
      scm_graph_clear (&g);
      return scm_cli_fail ("umap", error);
    }
  gint64 t2 = g_get_monotonic_time ();
  double a, b;
  scm_umap_find_ab (spread, min_dist, &a, &b);
  g_print ("umap: %" G_GINT64_FORMAT " cells -> %d dimensions (a %.4f, b %.4f); graph %.2f s, "
           "layout %.2f s\n", g.n, uo.n_components, a, b, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
  scm_graph_clear (&g);
  scm_dataset_set_obsm (ds, m);
  if (!output)
    return SCM_EXIT_OK;
  ScmUnsNode *u = scm_uns_group_new ("umap");
  ScmUnsNode *p = scm_uns_group_new ("params");
  double *ab = g_new (double, 1), *bb = g_new (double, 1);
  *ab = a;
  *bb = b;
  scm_uns_set (p, scm_uns_floats_new ("a", 1, ab));
  scm_uns_set (p, scm_uns_floats_new ("b", 1, bb));
  scm_uns_set (u, p);
  scm_uns_set (ds->uns, u);
  if (!scm_h5ad_write (ds, output, &error))
    return scm_cli_fail ("umap", error);
  return SCM_EXIT_OK;
}
