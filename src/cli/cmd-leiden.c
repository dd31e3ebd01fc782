/* cmd-leiden.c: `scmmae leiden IN -o OUT.h5ad`: kNN + UMAP connectivities
 * of an obsm representation, then Leiden (Scanpy's `tl.leiden` defaults:
 * RB configuration, resolution 1, seed 0, iterate until stable), written
 * as the categorical obs/<key> (categories "0", "1", ... by decreasing
 * size, as Scanpy) with the parameters in uns/<key>.  The kNN default is
 * k = 20 for clustering (the project's reference setting: exact kNN k = 20
 * on PCA-50, ../shared/bench/README.md); `umap` and `neighbors` use 15. */
#include "cli-common.h"

#include "analysis/scm-leiden.h"
#include "analysis/scm-neighbors.h"
#include "io/scm-io.h"

#include <math.h>
#include <string.h>

int
scm_cmd_leiden (int argc, char **argv)
{
  g_autofree char *output = NULL, *use_rep = NULL, *metric = NULL, *method = NULL;
  g_autofree char *quality = NULL, *key = NULL;
  gint64 k = 20, seed = 0, threads = 0, n_iter = -1;
  double resolution = 1.0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the dataset with obs/KEY to OUT.h5ad", "OUT.h5ad" },
    { "use-rep", 0, 0, G_OPTION_ARG_STRING, &use_rep, "obsm representation (default X_pca)", "KEY" },
    { "k", 'k', 0, G_OPTION_ARG_INT64, &k, "Neighbours per cell, self included (default 20)", "K" },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric, "euclidean (default) or cosine", "M" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &method, "kNN: auto (default), exact or nndescent", "M" },
    { "resolution", 'r', 0, G_OPTION_ARG_DOUBLE, &resolution, "Resolution (default 1)", "R" },
    { "quality", 0, 0, G_OPTION_ARG_STRING, &quality, "rb (RB configuration, default) or modularity", "Q" },
    { "n-iterations", 0, 0, G_OPTION_ARG_INT64, &n_iter, "Leiden iterations, -1 = until stable (default)", "N" },
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, "obs column to write (default leiden)", "NAME" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 0)", "S" },
    { "threads", 0, 0, G_OPTION_ARG_INT64, &threads, "kNN worker threads (default: all cores)", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN - Leiden clustering of the kNN graph");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("leiden", "expected exactly one input file");
  ScmKnnOptions ko;
  scm_knn_options_init (&ko);
  if (k < 2 || k > 1000)
    return scm_cli_usage ("leiden", "--k must be between 2 and 1000");
  ko.k = (int) k;
  if (metric && !scm_metric_from_name (metric, &ko.metric))
    return scm_cli_usage ("leiden", "unknown --metric '%s' (euclidean, cosine)", metric);
  if (method && !scm_knn_method_from_name (method, &ko.method))
    return scm_cli_usage ("leiden", "unknown --method '%s' (auto, exact, nndescent)", method);
  ko.seed = (guint64) seed;
  ko.n_threads = (int) CLAMP (threads, 0, 256);
  ScmLeidenOptions lo;
  scm_leiden_options_init (&lo);
  if (!(resolution >= 0) || !isfinite (resolution))
    return scm_cli_usage ("leiden", "--resolution must be a number >= 0");
  lo.resolution = resolution;
  if (!quality || strcmp (quality, "rb") == 0)
    lo.quality = SCM_LEIDEN_RB_CONFIGURATION;
  else if (strcmp (quality, "modularity") == 0)
    lo.quality = SCM_LEIDEN_MODULARITY;
  else
    return scm_cli_usage ("leiden", "unknown --quality '%s' (rb, modularity)", quality);
  if (n_iter < -1 || n_iter == 0 || n_iter > 10000)
    return scm_cli_usage ("leiden", "--n-iterations must be -1 or 1..10000");
  lo.n_iterations = (int) n_iter;
  lo.seed = (guint64) seed;
  if (key && !*key)
    return scm_cli_usage ("leiden", "--key must not be empty");

  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], NULL, &error);
  if (!ds)
    return scm_cli_fail ("leiden", error);
  ScmGraph g;
  gint64 t0 = g_get_monotonic_time ();
  if (!scm_neighbors_compute (ds, use_rep, &ko, NULL, &g, &error))
    return scm_cli_fail ("leiden", error);
  gint64 t1 = g_get_monotonic_time ();
  gint32 *memb = g_new (gint32, MAX (g.n, 1));
  gint32 nc = 0;
  double q = 0;
  if (!scm_leiden (&g, &lo, memb, &nc, &q, &error))
    {
      g_free (memb);
      scm_graph_clear (&g);
      return scm_cli_fail ("leiden", error);
    }
  gint64 t2 = g_get_monotonic_time ();
  g_print ("leiden: %d clusters, %s quality %.6g at resolution %g; graph %.2f s, Leiden %.2f s\n",
           nc, lo.quality == SCM_LEIDEN_MODULARITY ? "modularity" : "RB configuration", q,
           resolution, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
  int rc = SCM_EXIT_OK;
  if (output)
    {
      const char *name = key ? key : "leiden";
      char **cats = g_new0 (char *, nc + 1);
      for (gint32 c = 0; c < nc; c++)
        cats[c] = g_strdup_printf ("%d", c);
      scm_dataset_set_obs (ds, scm_column_new_categorical (name, g.n, memb, cats));
      memb = NULL;
      ScmUnsNode *u = scm_uns_group_new (name);
      ScmUnsNode *p = scm_uns_group_new ("params");
      double *r = g_new (double, 1);
      *r = resolution;
      gint64 *s = g_new (gint64, 1);
      *s = seed;
      gint64 *it = g_new (gint64, 1);
      *it = n_iter;
      scm_uns_set (p, scm_uns_floats_new ("resolution", 1, r));
      scm_uns_set (p, scm_uns_ints_new ("random_state", 1, s));
      scm_uns_set (p, scm_uns_ints_new ("n_iterations", 1, it));
      scm_uns_set (p, scm_uns_string_new ("quality", lo.quality == SCM_LEIDEN_MODULARITY ? "modularity" : "rb_configuration"));
      scm_uns_set (p, scm_uns_string_new ("use_rep", use_rep ? use_rep : "X_pca"));
      scm_uns_set (u, p);
      scm_uns_set (ds->uns, u);
      if (!scm_h5ad_write (ds, output, &error))
        rc = scm_cli_fail ("leiden", error);
    }
  g_free (memb);
  scm_graph_clear (&g);
  return rc;
}
