/* cmd-embed.c: `scmmae embed IN --model CKPT -o OUT.h5ad`: the scMMAE cell
 * representation (the fused width-D cls embedding before the head) of
 * every cell, written to obsm/X_scmmae of a new .h5ad (the input is never
 * overwritten).  Genes and proteins are matched to the model's by name. */
#include "cli-common.h"

#include "io/scm-io.h"
#include "model/scm-train.h"
#include "util/scm-blas.h"

#include <string.h>

int
scm_cmd_embed (int argc, char **argv)
{
  g_autofree char *model = NULL, *output = NULL;
  gint threads = 1;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "Checkpoint of any stage", "CKPT" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (default 1)", "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Output .h5ad (X_scmmae in obsm)", "OUT.h5ad" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN - write the scMMAE embedding of every cell");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("embed", "expected exactly one input file");
  if (!model)
    return scm_cli_usage ("embed", "missing --model CKPT");
  if (!output)
    return scm_cli_usage ("embed", "missing -o OUT.h5ad");
  if (threads < 1 || threads > 256)
    return scm_cli_usage ("embed", "--threads must be between 1 and 256");
  if (strcmp (output, argv[1]) == 0)
    return scm_cli_usage ("embed", "-o would overwrite the input file");

  scm_blas_set_threads (threads);
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmCheckpoint) ck = scm_checkpoint_load (model, FALSE, &error);
  if (!ck)
    return scm_cli_fail ("embed", error);
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], NULL, &error);
  if (!ds)
    return scm_cli_fail ("embed", error);
  ScmAlignReport gr = { 0 };
  gint64 t0 = g_get_monotonic_time ();
  if (!scm_train_apply_checkpoint (ds, ck, FALSE, threads, &gr, &error))
    {
      scm_align_report_clear (&gr);
      return scm_cli_fail ("embed", error);
    }
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  g_autofree char *desc = scm_align_report_describe (&gr, "model genes");
  scm_align_report_clear (&gr);
  g_print ("%s\n", desc);
  g_print ("embedded %" G_GINT64_FORMAT " cells (width %d, stage-%d model) in %.2f s [%s]\n",
           ds->n_cells, ck->config.dim, ck->stage, secs, scm_blas_describe ());
  if (!scm_h5ad_write (ds, output, &error))
    return scm_cli_fail ("embed", error);
  g_print ("wrote %s (obsm/X_scmmae)\n", output);
  return SCM_EXIT_OK;
}
