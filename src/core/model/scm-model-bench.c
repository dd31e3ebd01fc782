/* scm-model-bench.c: time training steps and inference batches of the
 * float model at a given configuration (random data, fresh
 * initialisation), for bench/model/bench-step, `scmmae bench train` and
 * `scmmae bench embed`.  Reports median and best time, the analytic GFLOP
 * (same counts as ref_scmmae.py) and the process's peak RSS.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "scm-model.h"
#include "scm-error.h"

static double
peak_rss_mb (void)
{
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  double mb = 0;
  if (f == NULL)
    return 0;
  while (fgets (line, sizeof line, f) != NULL)
    if (strncmp (line, "VmHWM:", 6) == 0)
      mb = g_ascii_strtod (line + 6, NULL) / 1024.0;
  fclose (f);
  return mb;
}

static double
cpu_ms (void)
{
  struct rusage ru;
  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return 0;
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
         + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static void
fill_inputs (const ScmModelConfig *config, int B, ScmRng *rng, float *x_rna, float *x_adt)
{
  for (gsize i = 0; i < (gsize) B * config->n_genes; i++)
    x_rna[i] = 3 * scm_rng_uniformf (rng);
  for (gsize i = 0; i < (gsize) B * MAX (config->n_adt, 1); i++)
    x_adt[i] = 3 * scm_rng_uniformf (rng);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Sorts v in place. */
static double
median (double *v, int n)
{
  qsort (v, n, sizeof (double), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

gboolean
scm_model_bench_step (const ScmModelConfig *config, ScmStage stage, int B, int warmup,
                      int steps, int n_threads, ScmModelBenchResult *out, GError **error)
{
  g_autoptr (GError) local = NULL;
  ScmModel *m = scm_model_new (config, stage, B, error);
  if (m == NULL)
    return FALSE;
  scm_model_set_threads (m, n_threads);
  ScmRng rng;
  scm_rng_seed (&rng, 1);
  scm_model_init_params (m, &rng);
  gsize nr = (gsize) B * config->n_genes, na = (gsize) B * MAX (config->n_adt, 1);
  float *x_rna = g_try_new (float, nr);
  float *x_adt = g_try_new (float, na);
  gint32 *y = g_new (gint32, B);
  double *times = g_new0 (double, MAX (steps, 1));
  double *cpu = g_new0 (double, MAX (steps, 1));
  gboolean ok = x_rna != NULL && x_adt != NULL;
  if (!ok)
    g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "benchmark: cannot allocate the batch");
  if (ok)
    fill_inputs (config, B, &rng, x_rna, x_adt);
  for (int b = 0; b < B; b++)
    y[b] = (gint32) scm_rng_below (&rng, MAX (config->n_classes, 1));
  ScmAdamWParams hp = { 5e-4 * B / 256.0, 0.9, 0.999, 1e-8, 1e-4 };
  ScmLosses L = { 0 };
  for (int i = 0; ok && i < warmup + steps; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double c0 = cpu_ms ();
      scm_model_zero_grad (m);
      ok = scm_model_forward_backward (m, x_rna, stage == SCM_STAGE_TRANSFER ? NULL : x_adt,
                                       stage == SCM_STAGE_PRETRAIN ? NULL : y, B, &rng, &L,
                                       error);
      scm_model_adamw_step (m, &hp, i + 1);
      double ms = (g_get_monotonic_time () - t0) / 1000.0;
      if (i >= warmup)
        {
          times[i - warmup] = ms;
          cpu[i - warmup] = cpu_ms () - c0;
        }
    }
  if (ok && out != NULL)
    {
      memset (out, 0, sizeof *out);
      out->steps = steps;
      if (steps > 0)
        {
          out->cpu_ms_median = median (cpu, steps);
          out->median_ms = median (times, steps);
          out->min_ms = times[0];
        }
      out->gflop_per_step = scm_model_train_flops (config, stage, B) / 1e9;
      if (out->median_ms > 0)
        out->gflops_median = out->gflop_per_step / (out->median_ms / 1e3);
      if (out->min_ms > 0)
        out->gflops_best = out->gflop_per_step / (out->min_ms / 1e3);
      out->peak_rss_mb = peak_rss_mb ();
      out->model_mb = scm_model_memory_bytes (m) / 1048576.0;
      out->last_loss = L.total;
    }
  g_free (times);
  g_free (cpu);
  g_free (y);
  g_free (x_adt);
  g_free (x_rna);
  scm_model_free (m);
  return ok;
}

/* Inference is timed through the model `scmmae embed` builds
 * (scm_model_new_for_eval, as scm_model_from_checkpoint) with the thread
 * setting embed uses, one scm_model_eval call of B cells per batch: the
 * embedding only, as ref_scmmae.py's infer_stage2_embed (model.embed under
 * no_grad) does, so the head is not run. */
gboolean
scm_model_bench_embed (const ScmModelConfig *config, ScmStage stage, int B, int warmup,
                       int batches, int n_threads, ScmModelBenchResult *out, GError **error)
{
  ScmModel *m = scm_model_new_for_eval (config, stage, B, error);
  if (m == NULL)
    return FALSE;
  scm_model_set_threads (m, n_threads);
  ScmRng rng;
  scm_rng_seed (&rng, 1);
  scm_model_init_params (m, &rng);
  float *x_rna = g_try_new (float, (gsize) B * config->n_genes);
  float *x_adt = g_try_new (float, (gsize) B * MAX (config->n_adt, 1));
  float *emb = g_try_new (float, (gsize) B * config->dim);
  double *times = g_new0 (double, MAX (batches, 1));
  double *cpu = g_new0 (double, MAX (batches, 1));
  gboolean ok = x_rna != NULL && x_adt != NULL && emb != NULL;
  if (!ok)
    g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "benchmark: cannot allocate the batch");
  else
    fill_inputs (config, B, &rng, x_rna, x_adt);
  for (int i = 0; ok && i < warmup + batches; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double c0 = cpu_ms ();
      ok = scm_model_eval (m, x_rna, stage == SCM_STAGE_TRANSFER ? NULL : x_adt, B, emb, NULL,
                           error);
      if (i >= warmup)
        {
          times[i - warmup] = (g_get_monotonic_time () - t0) / 1000.0;
          cpu[i - warmup] = cpu_ms () - c0;
        }
    }
  if (ok && out != NULL)
    {
      memset (out, 0, sizeof *out);
      out->steps = batches;
      out->cpu_ms_median = median (cpu, batches);
      out->median_ms = median (times, batches);
      out->min_ms = times[0];
      out->gflop_per_step = scm_model_eval_flops (config, stage, B) / 1e9;
      out->gflops_median = out->gflop_per_step / (out->median_ms / 1e3);
      out->gflops_best = out->gflop_per_step / (out->min_ms / 1e3);
      out->peak_rss_mb = peak_rss_mb ();
      out->model_mb = scm_model_memory_bytes (m) / 1048576.0;
      /* a checksum of the last embedding (its mean is ~0 by construction,
       * its mean absolute value is not), so a broken pass shows */
      double sum = 0;
      for (gsize i = 0; i < (gsize) B * config->dim; i++)
        sum += fabs (emb[i]);
      out->last_loss = sum / ((double) B * config->dim);
    }
  g_free (times);
  g_free (cpu);
  g_free (emb);
  g_free (x_adt);
  g_free (x_rna);
  scm_model_free (m);
  return ok;
}
