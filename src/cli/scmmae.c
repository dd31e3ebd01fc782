/* scmmae.c: entry point of the command-line tool; dispatches subcommands.
 *
 * Every capability of the app is a subcommand here, so it can be scripted
 * and tested without a display.
 */
#include "config.h"
#include "cli-common.h"
#include "util/scm-blas.h"

#include <hdf5.h>
#include <locale.h>
#include <string.h>

typedef struct {
  const char       *name;
  ScmCliCommandFunc func;
  const char       *summary;
} Command;

static const Command commands[] = {
  { "info",       scm_cmd_info,       "Summarise a dataset file (formats, shapes, obs columns)" },
  { "preprocess", scm_cmd_preprocess, "QC, normalise, select HVGs, CLR proteins; write .h5ad" },
  { "train",      scm_cmd_train,      "Train scMMAE stage 1, 2 or 3 and write a checkpoint" },
  { "embed",      scm_cmd_embed,      "Write the scMMAE embedding of every cell into .h5ad" },
  { "predict",    scm_cmd_predict,    "Predict labels with a fine-tuned checkpoint" },
  { "bench",      scm_cmd_bench,      "Time training steps (JSON)" },
  { "pca",        scm_cmd_pca,        "PCA baseline representation of scaled HVGs" },
  { "neighbors",  scm_cmd_neighbors,  "kNN graph and UMAP connectivities" },
  { "leiden",     scm_cmd_leiden,     "Leiden clustering" },
  { "umap",       scm_cmd_umap,       "UMAP layout" },
  { "markers",    scm_cmd_markers,    "Wilcoxon marker genes per cluster" },
  { "metrics",    scm_cmd_metrics,    "Clustering metrics (ARI, NMI, silhouette, ...)" },
  { "analyze",    scm_cmd_analyze,    "kNN + Leiden + UMAP + markers in one go" },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: scmmae COMMAND [OPTIONS...]\n\nscMMAE Studio %s command-line tool.\n\nCommands:\n",
           PACKAGE_VERSION);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-11s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun 'scmmae COMMAND --help' for the options of a command.\n");
}

int
main (int argc, char **argv)
{
  /* Before anything else: may restart the program with better kernels. */
  scm_blas_reexec_with_best_kernels (argv);
  setlocale (LC_ALL, "");
  /* Readers report HDF5 problems as GErrors; the library must not print its
   * own error stack on stderr. */
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);

  if (argc < 2)
    {
      print_usage (stderr);
      return SCM_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return SCM_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("scmmae %s\n", PACKAGE_VERSION);
      return SCM_EXIT_OK;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].func (argc - 1, argv + 1);

  g_printerr ("scmmae: unknown command '%s'\n", argv[1]);
  print_usage (stderr);
  return SCM_EXIT_USAGE;
}
