/* cmd-predict.c: `scmmae predict IN --model CKPT -o OUT.h5ad|OUT.csv`:
 * labels from a fine-tuned (stage 2 or 3) checkpoint for every cell.
 * .h5ad output gets obs scmmae_prediction / scmmae_probability and the
 * embedding in obsm/X_scmmae; .csv output is barcode,prediction,probability.
 * With --labels COL the accuracy against that column is printed too. */
#include "cli-common.h"

#include "io/scm-io.h"
#include "model/scm-train.h"
#include "scm-error.h"
#include "util/scm-atomic-file.h"
#include "util/scm-blas.h"

#include <string.h>

static gboolean
write_csv (const ScmDataset *ds, const char *path, GError **error)
{
  ScmColumn *pred = scm_dataset_get_obs (ds, "scmmae_prediction");
  ScmColumn *prob = scm_dataset_get_obs (ds, "scmmae_probability");
  GString *s = g_string_new ("barcode,scmmae_prediction,scmmae_probability\n");
  for (gint64 i = 0; i < ds->n_cells; i++)
    {
      g_autofree char *label = scm_column_value_string (pred, i);
      const char *bc = ds->barcodes && ds->barcodes[i] ? ds->barcodes[i] : "";
      gboolean quote = strchr (label ? label : "", ',') || strchr (label ? label : "", '"');
      g_autofree char *q = NULL;
      if (quote)
        {
          g_auto (GStrv) parts = g_strsplit (label, "\"", -1);
          g_autofree char *joined = g_strjoinv ("\"\"", parts);
          q = g_strdup_printf ("\"%s\"", joined);
        }
      g_string_append_printf (s, "%s,%s,%.6f\n", bc, quote ? q : (label ? label : ""),
                              prob->numbers[i]);
    }
  gboolean ok = scm_atomic_write_contents (path, s->str, (gssize) s->len, error);
  g_string_free (s, TRUE);
  return ok;
}

int
scm_cmd_predict (int argc, char **argv)
{
  g_autofree char *model = NULL, *output = NULL, *labels = NULL;
  gint threads = 1;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "Fine-tuned checkpoint (stage 2 or 3)", "CKPT" },
    { "labels", 0, 0, G_OPTION_ARG_FILENAME, &labels,
      "Also report accuracy against this obs column or barcode,label CSV", "COL|CSV" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (default 1)", "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Output .h5ad or .csv", "OUT" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN - predict cell labels with a fine-tuned model");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("predict", "expected exactly one input file");
  if (!model)
    return scm_cli_usage ("predict", "missing --model CKPT");
  if (!output)
    return scm_cli_usage ("predict", "missing -o OUT.h5ad|OUT.csv");
  if (threads < 1 || threads > 256)
    return scm_cli_usage ("predict", "--threads must be between 1 and 256");
  if (strcmp (output, argv[1]) == 0)
    return scm_cli_usage ("predict", "-o would overwrite the input file");
  gboolean csv = g_str_has_suffix (output, ".csv") || g_str_has_suffix (output, ".CSV");

  scm_blas_set_threads (threads);
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmCheckpoint) ck = scm_checkpoint_load (model, FALSE, &error);
  if (!ck)
    return scm_cli_fail ("predict", error);
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], NULL, &error);
  if (!ds)
    return scm_cli_fail ("predict", error);
  g_autofree char *label_col = NULL;
  if (labels)
    {
      label_col = scm_train_resolve_labels (ds, labels, NULL, &error);
      if (!label_col)
        return scm_cli_fail ("predict", error);
    }
  ScmAlignReport gr = { 0 };
  gint64 t0 = g_get_monotonic_time ();
  if (!scm_train_apply_checkpoint (ds, ck, TRUE, threads, &gr, &error))
    {
      scm_align_report_clear (&gr);
      return scm_cli_fail ("predict", error);
    }
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  g_autofree char *desc = scm_align_report_describe (&gr, "model genes");
  scm_align_report_clear (&gr);
  g_print ("%s\n", desc);
  g_print ("predicted %" G_GINT64_FORMAT " cells into %d classes in %.2f s [%s]\n", ds->n_cells,
           ck->config.n_classes, secs, scm_blas_describe ());
  if (label_col)
    {
      ScmColumn *truth = scm_dataset_get_obs (ds, label_col);
      ScmColumn *pred = scm_dataset_get_obs (ds, "scmmae_prediction");
      gint64 ok = 0, n = 0;
      for (gint64 i = 0; i < ds->n_cells; i++)
        {
          g_autofree char *a = scm_column_value_string (truth, i);
          g_autofree char *b = scm_column_value_string (pred, i);
          if (a == NULL || *a == '\0')
            continue;
          n++;
          ok += g_strcmp0 (a, b) == 0;
        }
      g_print ("accuracy vs '%s': %.4f (%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
               " labelled cells; includes any cells the model was trained on)\n", label_col,
               n ? (double) ok / n : 0.0, ok, n);
    }
  gboolean wrote = csv ? write_csv (ds, output, &error) : scm_h5ad_write (ds, output, &error);
  if (!wrote)
    return scm_cli_fail ("predict", error);
  g_print ("wrote %s\n", output);
  return SCM_EXIT_OK;
}
