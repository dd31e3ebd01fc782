/* bench-step.c: speed and memory of one scMMAE training step.
 *
 * Times scm_model_forward_backward + scm_model_adamw_step at the paper's
 * configuration (4000 genes as 400 x 10, 14 proteins, D=128, 2 heads,
 * MLP 4, 6 + 4 blocks, batch 128) for the chosen stages, and prints the
 * median / best step time, the analytic GFLOP per step (ref_scmmae.py's
 * count), GFLOP/s, peak RSS and the OpenBLAS build next to the PyTorch
 * anchor of ../shared/bench/README.md (same machine kind).
 *
 *   bench-step [--stages 1,2,3] [--batch 128] [--steps 3] [--warmup 1]
 *              [--threads N] [--blas-threads N] [--tiny]
 *
 * The CPU is usually shared: cpu_ms (process CPU time per step, all
 * threads) and gflop_per_cpu_s are the load-independent figures; wall-clock
 * GFLOP/s on an idle machine is about gflop_per_cpu_s x threads.  OpenBLAS
 * 0.3.21 does not recognise some AVX-512 CPUs (e.g. AMD EPYC: it falls
 * back to Haswell kernels); OPENBLAS_CORETYPE=SkylakeX set before start
 * made the whole step ~30% cheaper there.
 */
#include <stdio.h>
#include <stdlib.h>

#include "model/scm-model.h"
#include "util/scm-blas.h"

/* PyTorch 1.13, 2 threads, paper size, batch 128 (median ms, README). */
static const double torch_median_ms[4] = { 0, 24064, 14095, 14859 };

int
main (int argc, char **argv)
{
  g_autofree char *stages = g_strdup ("1,2,3");
  int batch = 128, steps = 3, warmup = 1, threads = 2, blas_threads = 0;
  gboolean tiny = FALSE;
  GOptionEntry entries[] = {
    { "stages", 0, 0, G_OPTION_ARG_STRING, &stages, "Stages to time (default 1,2,3)", "LIST" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Cells per step (default 128)", "B" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Timed steps (default 3)", "N" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Untimed steps first (default 1)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Model worker threads (default 2)", "N" },
    { "blas-threads", 0, 0, G_OPTION_ARG_INT, &blas_threads, "OpenBLAS threads (default: as is)", "N" },
    { "tiny", 0, 0, G_OPTION_ARG_NONE, &tiny, "A small configuration (smoke run)", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- time scMMAE training steps");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("bench-step: %s\n", error->message);
      return 2;
    }
  if (blas_threads > 0)
    scm_blas_set_threads (blas_threads);
  ScmModelConfig c;
  scm_model_config_init_paper (&c, 14, 14);
  if (tiny)
    {
      c.n_genes = 400; c.rna_tokens = 40; c.enc_depth = 2; c.dec_depth = 1; c.dim = 32;
    }
  g_print ("# %s; model threads %d; batch %d; %s\n", scm_blas_describe (), threads, batch,
           tiny ? "tiny config" : "paper config (no qkv bias, dropout 0.1)");
  g_print ("stage\tsteps\tmedian_ms\tmin_ms\tgflop_step\tgflops_median\tgflops_best\tpeak_rss_mb\tmodel_mb\tloss\ttorch_median_ms\tspeedup\tcpu_ms\tgflop_per_cpu_s\n");
  g_auto (GStrv) list = g_strsplit (stages, ",", -1);
  for (int i = 0; list[i] != NULL; i++)
    {
      int s = atoi (list[i]);
      ScmModelBenchResult r;
      if (s < 1 || s > 3)
        {
          g_printerr ("bench-step: bad stage '%s'\n", list[i]);
          return 2;
        }
      if (!scm_model_bench_step (&c, (ScmStage) s, batch, warmup, steps, threads, &r, &error))
        {
          g_printerr ("bench-step: %s\n", error->message);
          return 1;
        }
      double ref = !tiny && batch == 128 ? torch_median_ms[s] : 0;
      g_print ("%d\t%d\t%.0f\t%.0f\t%.1f\t%.1f\t%.1f\t%.0f\t%.0f\t%.5g\t%.0f\t%.2f\t%.0f\t%.1f\n", s,
               r.steps, r.median_ms, r.min_ms, r.gflop_per_step, r.gflops_median,
               r.gflops_best, r.peak_rss_mb, r.model_mb, r.last_loss, ref,
               ref > 0 ? ref / r.median_ms : 0, r.cpu_ms_median,
               r.cpu_ms_median > 0 ? r.gflop_per_step / (r.cpu_ms_median / 1e3) : 0);
    }
  return 0;
}
