/* cmd-bench.c: `scmmae bench train --stage N --preset P --batch B --steps K
 * [--json]`: time training steps of the scMMAE model on synthetic inputs,
 * the same measurement as `ref_scmmae.py bench` (warm-up steps excluded,
 * median and minimum step time, analytic GFLOP per step, peak RSS), so
 * the two can be printed side by side.  `scmmae bench embed --preset P
 * --batch B --batches K` does the same for inference: the stage-2 cell
 * embedding through the model `scmmae embed` builds, as ref_scmmae.py's
 * infer_stage2_embed.  The BLAS core name is always printed: OpenBLAS
 * 0.3.21 misdetects some CPUs (see bench/model/README.md).
 */
#include "cli-common.h"

#include "model/scm-presets.h"
#include "util/scm-blas.h"

#include <string.h>

static void
print_embed (const ScmTrainPreset *p, int stage, int batch, int threads, int n_adt, int warmup,
             const ScmModelBenchResult *r, gboolean json)
{
  double cps_med = batch / (r->median_ms / 1e3), cps_best = batch / (r->min_ms / 1e3);
  if (json)
    {
      g_print ("{\"kind\": \"infer_stage%d_embed\", \"impl\": \"scmmae-c\", \"stage\": %d, "
               "\"preset\": \"%s\", \"batch\": %d, \"threads\": %d, \"n_adt\": %d, "
               "\"steps\": %d, \"warmup\": %d, \"median_ms\": %.3f, \"min_ms\": %.3f, "
               "\"cells_per_s_median\": %.2f, \"cells_per_s_best\": %.2f, "
               "\"gflop_per_batch\": %.3f, \"gflops_at_median\": %.2f, "
               "\"gflops_at_min\": %.2f, \"cpu_ms_median\": %.1f, \"peak_rss_mb\": %.1f, "
               "\"model_mb\": %.1f, \"embedding_mean_abs\": %.6g, \"blas_core\": \"%s\", "
               "\"blas\": \"%s\"}\n",
               stage, stage, p->name, batch, threads, n_adt, r->steps, warmup, r->median_ms,
               r->min_ms, cps_med, cps_best, r->gflop_per_step, r->gflops_median,
               r->gflops_best, r->cpu_ms_median, r->peak_rss_mb, r->model_mb, r->last_loss,
               scm_blas_core_name (), scm_blas_describe ());
      return;
    }
  g_print ("scMMAE stage-%d embedding (inference), preset %s, batch %d, %d thread(s) [%s]\n",
           stage, p->name, batch, threads, scm_blas_describe ());
  g_print ("  median %.1f ms, min %.1f ms per batch over %d batches (%d warm-up)\n",
           r->median_ms, r->min_ms, r->steps, warmup);
  g_print ("  %.1f cells/s at the median, %.1f at best\n", cps_med, cps_best);
  g_print ("  %.1f GFLOP/batch: %.1f GFLOP/s at the median, %.1f at best\n", r->gflop_per_step,
           r->gflops_median, r->gflops_best);
  g_print ("  peak RSS %.0f MB (model %.0f MB)\n", r->peak_rss_mb, r->model_mb);
}

int
scm_cmd_bench (int argc, char **argv)
{
  gint stage = 0, batch = 0, steps = 5, batches = 5, warmup = 1, threads = 2, n_adt = 14;
  gint n_classes = 14;
  gboolean json = FALSE;
  g_autofree char *preset_name = NULL;
  GOptionEntry entries[] = {
    { "stage", 0, 0, G_OPTION_ARG_INT, &stage,
      "Training stage 1, 2 or 3 (default: 1 for train, 2 for embed)", "N" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset_name, "paper (default), desktop or tiny", "NAME" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Cells per step (default: the preset's, 128)", "B" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "train: timed steps (default 5)", "K" },
    { "batches", 0, 0, G_OPTION_ARG_INT, &batches, "embed: timed batches (default 5)", "K" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Untimed warm-up steps or batches (default 1)",
      "W" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "BLAS and model threads (default 2)", "N" },
    { "n-adt", 0, 0, G_OPTION_ARG_INT, &n_adt, "Proteins (default 14, as pbmc10k)", "P" },
    { "n-classes", 0, 0, G_OPTION_ARG_INT, &n_classes, "Classes (default 14, as ref_scmmae.py)", "C" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx =
    g_option_context_new ("train|embed - time scMMAE training steps or inference batches");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "train: one optimisation step per timing; embed: the cell embedding of one batch, the\n"
    "code path of `scmmae embed` (no gradients, no dropout, no masking).\n"
    "Compare with: /usr/bin/python3 ../shared/bench/ref_scmmae.py bench --threads 2 "
    "--stages 1 --steps 5 --no-qkv-bias\n"
    "(its stage-2 run also prints infer_stage2_embed, the counterpart of embed).\n");
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  gboolean embed = argc == 2 && strcmp (argv[1], "embed") == 0;
  if (argc != 2 || (!embed && strcmp (argv[1], "train") != 0))
    return scm_cli_usage ("bench", "expected 'train' or 'embed'");
  if (stage == 0)
    stage = embed ? 2 : 1;
  if (stage < 1 || stage > 3)
    return scm_cli_usage ("bench", "--stage must be 1, 2 or 3");
  if (steps < 1 || batches < 1 || warmup < 0 || threads < 1 || threads > 256 || batch < 0
      || n_adt < 1 || n_classes < 2)
    return scm_cli_usage ("bench", "--steps >= 1, --batches >= 1, --warmup >= 0, --threads "
                          "1-256, --batch >= 0, --n-adt >= 1 and --n-classes >= 2 are required");
  ScmTrainPreset p;
  g_autoptr (GError) error = NULL;
  if (!scm_preset_lookup (preset_name ? preset_name : "paper", &p, &error))
    return scm_cli_usage ("bench", "%s", error->message);
  if (batch == 0)
    batch = p.batch;

  scm_blas_set_threads (threads);
  ScmModelConfig c;
  scm_preset_make_config (&p, p.n_genes, stage == 3 ? 0 : n_adt, n_classes, &c);
  ScmModelBenchResult r = { 0 };
  if (embed)
    {
      /* threads as `scmmae embed --threads N`: BLAS and model workers */
      if (!scm_model_bench_embed (&c, (ScmStage) stage, batch, warmup, batches, threads, &r,
                                  &error))
        return scm_cli_fail ("bench", error);
      print_embed (&p, stage, batch, threads, stage == 3 ? 0 : n_adt, warmup, &r, json);
      return SCM_EXIT_OK;
    }
  if (!scm_model_bench_step (&c, (ScmStage) stage, batch, warmup, steps, threads, &r, &error))
    return scm_cli_fail ("bench", error);
  if (json)
    {
      g_print ("{\"kind\": \"train\", \"impl\": \"scmmae-c\", \"stage\": %d, \"preset\": \"%s\", "
               "\"batch\": %d, \"threads\": %d, \"n_adt\": %d, \"steps\": %d, \"warmup\": %d, "
               "\"median_ms\": %.3f, \"min_ms\": %.3f, \"gflop_per_step\": %.3f, "
               "\"gflops_at_median\": %.2f, \"gflops_at_min\": %.2f, \"peak_rss_mb\": %.1f, "
               "\"model_mb\": %.1f, \"last_loss\": %.6g, \"blas_core\": \"%s\", "
               "\"blas\": \"%s\"}\n",
               stage, p.name, batch, threads, n_adt, r.steps, warmup, r.median_ms, r.min_ms,
               r.gflop_per_step, r.gflops_median, r.gflops_best, r.peak_rss_mb, r.model_mb,
               r.last_loss, scm_blas_core_name (), scm_blas_describe ());
    }
  else
    {
      g_print ("scMMAE stage-%d training step, preset %s, batch %d, %d thread(s) [%s]\n", stage,
               p.name, batch, threads, scm_blas_describe ());
      g_print ("  median %.1f ms, min %.1f ms over %d steps (%d warm-up)\n", r.median_ms,
               r.min_ms, r.steps, warmup);
      g_print ("  %.1f GFLOP/step: %.1f GFLOP/s at the median, %.1f at best\n", r.gflop_per_step,
               r.gflops_median, r.gflops_best);
      g_print ("  peak RSS %.0f MB (model %.0f MB)\n", r.peak_rss_mb, r.model_mb);
    }
  return SCM_EXIT_OK;
}
