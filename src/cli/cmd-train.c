/* cmd-train.c: `scmmae train --stage 1|2|3 IN -o CKPT`: one scMMAE training
 * stage, with per-epoch losses and accuracies on stdout.
 *
 * --from CKPT either continues the same stage's run exactly where it
 * stopped (same stage: optimizer state, RNG and schedule are restored) or
 * starts a later stage from its weights, carried by name (1 -> 2, 2 -> 3).
 */
#include "cli-common.h"

#include "io/scm-io.h"
#include "model/scm-train.h"
#include "scm-error.h"
#include "util/scm-blas.h"

#include <math.h>
#include <string.h>

static void
print_epoch (ScmStage stage, const ScmEpochRecord *e, int max_epochs)
{
  if (stage == SCM_STAGE_PRETRAIN)
    g_print ("epoch %3d/%d  lr %.2e  train loss %.4f (rna %.4f, adt %.4f)  val loss %.4f  %.1f s\n",
             (int) e->epoch, max_epochs, e->lr, e->train_loss, e->train_rna, e->train_adt,
             e->val_loss, e->seconds);
  else
    g_print ("epoch %3d/%d  lr %.2e  train loss %.4f acc %.4f  held-out loss %.4f acc %.4f  %.1f s\n",
             (int) e->epoch, max_epochs, e->lr, e->train_loss, e->train_acc, e->val_loss,
             e->heldout_acc, e->seconds);
}

static void
print_report (const char *what, const ScmAlignReport *r)
{
  if (r->n_wanted == 0)
    return;
  g_autofree char *d = scm_align_report_describe (r, what);
  g_print ("%s\n", d);
}

int
scm_cmd_train (int argc, char **argv)
{
  gint stage = 0, epochs = 0, threads = 1;
  gint64 seed = 0;
  double fraction = 0.3;
  gboolean no_early_stop = FALSE, quiet = FALSE, model_only = FALSE;
  g_autofree char *from = NULL, *labels = NULL, *preset_name = NULL, *output = NULL;
  GOptionEntry entries[] = {
    { "stage", 0, 0, G_OPTION_ARG_INT, &stage,
      "1 = masked pre-training (RNA + ADT), 2 = fine-tuning (RNA + ADT, labels), "
      "3 = transfer to RNA only (labels, needs --from)", "1|2|3" },
    { "from", 0, 0, G_OPTION_ARG_FILENAME, &from,
      "Checkpoint to continue (same stage) or to start from (earlier stage)", "CKPT" },
    { "labels", 0, 0, G_OPTION_ARG_FILENAME, &labels,
      "obs column, or barcode,label CSV file, with the cell labels (stages 2, 3)", "COL|CSV" },
    { "fraction", 0, 0, G_OPTION_ARG_DOUBLE, &fraction,
      "Labelled fraction used for fine-tuning, stratified (default 0.3)", "F" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset_name,
      "Model size and schedule: paper, desktop (default), tiny", "NAME" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &epochs, "Maximum epochs (default: the preset's)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads for BLAS and the model (default 1)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 0)", "S" },
    { "no-early-stopping", 0, 0, G_OPTION_ARG_NONE, &no_early_stop,
      "Stage 1: train all epochs instead of stopping on the validation loss", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the final line", NULL },
    { "model-only", 0, 0, G_OPTION_ARG_NONE, &model_only,
      "Write only the model, without the optimizer state: about a third of the size, "
      "enough for embed, predict and --from of a later stage, but not resumable", NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Checkpoint to write", "CKPT" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN - train one scMMAE stage");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "Examples:\n"
    "  scmmae train --stage 1 pbmc10k.h5ad -o s1.ckpt\n"
    "  scmmae train --stage 2 pbmc10k.h5ad --from s1.ckpt --labels cell_type -o s2.ckpt\n"
    "  scmmae train --stage 3 pbmc3k.h5ad --from s2.ckpt --labels cell_type -o s3.ckpt\n");
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("train", "expected exactly one input file");
  if (stage < 1 || stage > 3)
    return scm_cli_usage ("train", "--stage must be 1, 2 or 3");
  if (!output)
    return scm_cli_usage ("train", "missing -o CKPT");
  if (!(fraction > 0 && fraction <= 1))
    return scm_cli_usage ("train", "--fraction must be in (0, 1]");
  if (threads < 1 || threads > 256)
    return scm_cli_usage ("train", "--threads must be between 1 and 256");
  if (epochs < 0)
    return scm_cli_usage ("train", "--epochs must not be negative");
  if (seed < 0)
    return scm_cli_usage ("train", "--seed must not be negative");
  if (stage >= 2 && !labels)
    return scm_cli_usage ("train", "stage %d needs --labels COL|CSV", stage);
  if (stage == 3 && !from)
    return scm_cli_usage ("train", "stage 3 transfers a stage-2 model: give --from CKPT");
  if (strcmp (output, argv[1]) == 0)
    return scm_cli_usage ("train", "-o would overwrite the input file");
  ScmTrainPreset preset;
  g_autoptr (GError) error = NULL;
  if (!scm_preset_lookup (preset_name ? preset_name : "desktop", &preset, &error))
    return scm_cli_usage ("train", "%s", error->message);

  g_autoptr (ScmCheckpoint) ck = NULL;
  if (from)
    {
      ck = scm_checkpoint_load (from, TRUE, &error);
      if (!ck)
        return scm_cli_fail ("train", error);
      if (ck->stage > stage)
        {
          g_set_error (&error, SCM_ERROR, SCM_ERROR_INVALID,
                       "%s is a stage-%d checkpoint; stage %d cannot start from a later stage",
                       from, ck->stage, stage);
          return scm_cli_fail ("train", error);
        }
      if (stage == 3 && ck->stage == 1)
        g_printerr ("scmmae train: note: %s is a stage-1 checkpoint; the paper transfers a "
                    "fine-tuned (stage-2) model\n", from);
    }
  gboolean resume = ck && ck->stage == stage;

  scm_blas_set_threads (threads);
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], NULL, &error);
  if (!ds)
    return scm_cli_fail ("train", error);
  g_autofree char *label_col = NULL;
  if (stage >= 2)
    {
      ScmLabelsReport lr = { 0 };
      label_col = scm_train_resolve_labels (ds, labels, &lr, &error);
      if (!label_col)
        return scm_cli_fail ("train", error);
      if (lr.n_rows > 0)
        g_print ("labels: %" G_GINT64_FORMAT " CSV rows, %" G_GINT64_FORMAT " matched, %"
                 G_GINT64_FORMAT " cells unlabelled\n", lr.n_rows, lr.n_matched,
                 lr.n_cells_unlabelled);
      scm_labels_report_clear (&lr);
    }
  ScmAlignReport gr = { 0 }, pr = { 0 };
  ScmTrainData *data = scm_train_data_for_stage (ds, (ScmStage) stage, resume ? &ck->preset : &preset,
                                                 ck, label_col, &gr, &pr, &error);
  if (!data)
    return scm_cli_fail ("train", error);
  if (ck)
    {
      print_report ("model genes", &gr);
      if (stage != 3)
        print_report ("model proteins", &pr);
    }
  scm_align_report_clear (&gr);
  scm_align_report_clear (&pr);
  gint64 n_cells = data->n_cells, n_genes = data->n_genes, n_adt = data->n_adt;
  int n_classes = data->n_classes;
  gint64 n_labelled = data->n_labelled;

  g_autoptr (ScmTrainer) t = NULL;
  if (resume)
    {
      t = scm_trainer_resume (ck, data, threads, &error);
      if (t && epochs > 0)
        scm_trainer_set_max_epochs (t, epochs);
    }
  else
    {
      ScmTrainOptions o;
      scm_train_options_init (&o, (ScmStage) stage, &preset);
      o.max_epochs = epochs;
      o.fraction = fraction;
      o.seed = (guint64) seed;
      o.n_threads = threads;
      o.early_stopping = !no_early_stop;
      t = scm_trainer_new (&o, data, ck, &error);
    }
  if (!t)
    return scm_cli_fail ("train", error);
  if (scm_trainer_is_finished (t))
    {
      g_set_error (&error, SCM_ERROR, SCM_ERROR_INVALID,
                   "%s: this run already finished (%d epochs); give --epochs N with a larger N "
                   "to train further", from, scm_trainer_get_epoch (t));
      return scm_cli_fail ("train", error);
    }

  const ScmModelConfig *c = scm_model_get_config (scm_trainer_get_model (t));
  const guint8 *roles = scm_trainer_get_roles (t);
  gint64 n_tr = 0, n_ho = 0;
  for (gint64 i = 0; i < n_cells; i++)
    {
      n_tr += roles[i] == SCM_SPLIT_TRAIN;
      n_ho += roles[i] == SCM_SPLIT_HELDOUT;
    }
  if (!quiet)
    {
      g_print ("scmmae train: stage %d, preset %s, %s\n", stage,
               scm_trainer_get_options (t)->preset.name, scm_blas_describe ());
      g_print ("data: %" G_GINT64_FORMAT " cells, %" G_GINT64_FORMAT " genes as %d tokens of %d",
               n_cells, n_genes, c->rna_tokens, c->rna_tok_dim);
      if (stage != 3)
        g_print (", %" G_GINT64_FORMAT " proteins", n_adt);
      if (stage >= 2)
        g_print (", %d classes (%" G_GINT64_FORMAT " labelled cells)", n_classes, n_labelled);
      g_print ("\nmodel: width %d, %d heads, %d encoder + %d decoder blocks, %" G_GSIZE_FORMAT
               " parameters, batch %d, %d thread(s)\n", c->dim, c->heads, c->enc_depth,
               c->dec_depth, scm_model_n_params (scm_trainer_get_model (t)),
               scm_trainer_get_options (t)->preset.batch, threads);
      if (stage == 1)
        g_print ("split: %" G_GINT64_FORMAT " training, %" G_GINT64_FORMAT " validation cells\n",
                 n_tr, n_ho);
      else
        g_print ("split: %" G_GINT64_FORMAT " labelled for fine-tuning (%.0f%%, stratified), %"
                 G_GINT64_FORMAT " held out\n", n_tr, 100 * scm_trainer_get_options (t)->fraction,
                 n_ho);
      if (resume)
        g_print ("resuming at step %" G_GINT64_FORMAT " (epoch %d done)\n",
                 scm_trainer_get_step (t), scm_trainer_get_epoch (t));
      else if (ck)
        {
          g_print ("carried %d tensors by name from %s", scm_trainer_get_n_carried (t), from);
          const char *const *nc = scm_trainer_get_not_carried (t);
          if (nc && nc[0])
            {
              g_autofree char *list = g_strjoinv (", ", (char **) nc);
              g_print ("; new: %s", list);
            }
          g_print ("\n");
        }
    }

  gint64 t0 = g_get_monotonic_time ();
  while (!scm_trainer_is_finished (t))
    {
      ScmStepInfo info;
      if (!scm_trainer_step (t, &info, &error))
        return scm_cli_fail ("train", error);
      if (info.epoch_done && !quiet)
        {
          guint n;
          const ScmEpochRecord *e = scm_trainer_get_epochs (t, &n);
          print_epoch ((ScmStage) stage, &e[n - 1], scm_trainer_get_max_epochs (t));
        }
    }
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  g_autoptr (ScmCheckpoint) out = scm_trainer_to_checkpoint (t);
  if (model_only)
    scm_checkpoint_drop_resume_state (out);
  if (!scm_checkpoint_save (out, output, &error))
    return scm_cli_fail ("train", error);
  guint n;
  const ScmEpochRecord *e = scm_trainer_get_epochs (t, &n);
  if (n > 0)
    {
      if (stage == 1)
        g_print ("done: %d epochs, %" G_GINT64_FORMAT " steps, %.1f s; last val loss %.4f; "
                 "wrote %s\n", scm_trainer_get_epoch (t), scm_trainer_get_step (t), secs,
                 e[n - 1].val_loss, output);
      else
        g_print ("done: %d epochs, %" G_GINT64_FORMAT " steps, %.1f s; held-out accuracy %.4f; "
                 "wrote %s\n", scm_trainer_get_epoch (t), scm_trainer_get_step (t), secs,
                 e[n - 1].heldout_acc, output);
      int best = scm_trainer_get_best_epoch (t);
      if (best > 0 && best <= (int) n)
        g_print ("model: epoch %d of %u, the lowest val loss (%.4f)%s\n", best, n,
                 e[best - 1].val_loss,
                 best < (int) n && !model_only ? "; the last step is kept for resuming" : "");
    }
  return SCM_EXIT_OK;
}
