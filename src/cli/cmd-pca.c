/* cmd-pca.c: `scmmae pca IN -o OUT.h5ad`: the PCA baseline (log-normalise
 * counts, 2000 Seurat HVGs, scale, clip 10, PCA) into obsm/X_pca, with the
 * explained variance (ratio) in uns/pca. */
#include "cli-common.h"

#include "io/scm-io.h"
#include "stats/scm-analyze.h"
#include "util/scm-blas.h"

#include <string.h>

int
scm_cmd_pca (int argc, char **argv)
{
  g_autofree char *output = NULL;
  g_autofree char *solver = NULL;
  gint64 n_comps = 50, seed = 0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the result to OUT.h5ad", "OUT.h5ad" },
    { "n-comps", 'n', 0, G_OPTION_ARG_INT64, &n_comps, "Number of components (default 50)", "N" },
    { "solver", 0, 0, G_OPTION_ARG_STRING, &solver, "auto (default), randomized or exact", "S" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the randomised solver (default 0)", "S" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN - PCA baseline of the scaled HVGs");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("pca", "expected exactly one input file");
  if (!output)
    return scm_cli_usage ("pca", "missing -o OUT.h5ad");
  if (n_comps < 1)
    return scm_cli_usage ("pca", "--n-comps must be at least 1");
  ScmPcaOptions po;
  scm_pca_options_init (&po);
  po.n_comps = n_comps;
  po.seed = (guint64) seed;
  if (!solver || strcmp (solver, "auto") == 0)
    po.solver = SCM_PCA_AUTO;
  else if (strcmp (solver, "randomized") == 0)
    po.solver = SCM_PCA_RANDOMIZED;
  else if (strcmp (solver, "exact") == 0)
    po.solver = SCM_PCA_EXACT;
  else
    return scm_cli_usage ("pca", "unknown --solver '%s' (auto, randomized, exact)", solver);

  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], NULL, &error);
  if (!ds)
    return scm_cli_fail ("pca", error);
  ScmPca pca;
  gint64 t0 = g_get_monotonic_time ();
  ScmMatrix *m = scm_pca_baseline_full (ds, &po, NULL, &pca, &error);
  if (!m)
    return scm_cli_fail ("pca", error);
  double secs = (double) (g_get_monotonic_time () - t0) / 1e6;
  scm_dataset_set_obsm (ds, m);
  ScmUnsNode *u = scm_uns_group_new ("pca");
  scm_uns_set (u, scm_uns_floats_new ("variance_ratio", pca.n_comps,
                                      g_memdup2 (pca.explained_variance_ratio, sizeof (double) * pca.n_comps)));
  scm_uns_set (u, scm_uns_floats_new ("variance", pca.n_comps,
                                      g_memdup2 (pca.explained_variance, sizeof (double) * pca.n_comps)));
  scm_uns_set (u, scm_uns_string_new ("solver", pca.solver));
  scm_uns_set (ds->uns, u);
  double cum = 0;
  for (gint64 c = 0; c < pca.n_comps; c++)
    cum += pca.explained_variance_ratio[c];
  g_print ("PCA: %" G_GINT64_FORMAT " cells x %" G_GINT64_FORMAT " HVGs -> %" G_GINT64_FORMAT
           " components (%s), %.2f s [%s]\n", pca.n_cells, pca.n_genes, pca.n_comps, pca.solver,
           secs, scm_blas_describe ());
  g_print ("explained variance ratio: PC1 %.4f, PC2 %.4f, sum %.4f\n",
           pca.explained_variance_ratio[0], pca.n_comps > 1 ? pca.explained_variance_ratio[1] : 0.0,
           cum);
  scm_pca_clear (&pca);
  if (!scm_h5ad_write (ds, output, &error))
    return scm_cli_fail ("pca", error);
  return SCM_EXIT_OK;
}
