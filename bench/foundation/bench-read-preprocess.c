/* bench-read-preprocess.c: reading + preprocessing a 10x .h5, ours vs Python.
 *
 * Ours: scm_dataset_read() of the file, then (a) normalise + log1p of the
 * RNA counts (the same work as the Python reference) and (b) the whole
 * scMMAE preprocessing, scm_preprocess_run() (QC, Seurat v3 HVGs,
 * normalise, CLR).  Reference, in the same run: the read and normalise
 * steps of ../shared/bench/ref_pipeline.py (h5py + scipy) through
 * bench-read-preprocess-ref.py and Debian's /usr/bin/python3.  Both sides
 * read with a warm page cache and report the best of --reps.  Peak RSS is
 * the process high-water mark (VmHWM) after the timed work.
 *
 *   build-x/bench/foundation/bench-read-preprocess [--input FILE.h5] [--reps 5] [--no-ref]
 *
 * Default input: ../shared/data/pbmc10k/pbmc10k_filtered_feature_bc_matrix.h5.
 *
 * Memory: on the VMs we measure on, first-touch page faults cost ~80 us per
 * 4 KiB page, so a fresh 10 MB buffer costs ~0.2 s.  glibc returns large
 * freed blocks to the kernel, so every repetition would pay that again;
 * like a long-running app, we raise the mmap/trim thresholds (mallopt) so
 * freed memory is reused.  The first repetition of both sides is printed
 * too, for the cost before any reuse.
 * Goal for pbmc10k: read + full preprocessing <= 0.5 s and >= 3x faster
 * than the reference's read + normalise.
 */
#include "config.h"
#include "io/scm-io.h"
#include "preprocess/scm-normalize.h"
#include "preprocess/scm-preprocess.h"
#include "util/scm-blas.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  const char *p = strstr (status, "VmHWM:");
  return p ? g_ascii_strtod (p + 6, NULL) / 1024.0 : -1;
}

static void
reset_peak (void)
{
  /* "5" resets VmHWM to the current RSS (Linux >= 4.0). */
  g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
}

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

int
main (int argc, char **argv)
{
  g_autofree char *input = NULL;
  int reps = 5;
  gboolean no_ref = FALSE;
  GOptionEntry entries[] = {
    { "input", 0, 0, G_OPTION_ARG_FILENAME, &input, "10x .h5 (or any readable file)", "FILE" },
    { "reps", 0, 0, G_OPTION_ARG_INT, &reps, "Repetitions (best is reported)", "N" },
    { "no-ref", 0, 0, G_OPTION_ARG_NONE, &no_ref, "Skip the Python reference", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- read + preprocess benchmark");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  const char *shared = g_getenv ("SCM_SHARED_DATA");
  if (input == NULL)
    input = g_build_filename (shared ? shared : SCM_SHARED_DATA_DIR, "pbmc10k",
                              "pbmc10k_filtered_feature_bc_matrix.h5", NULL);
  if (!g_file_test (input, G_FILE_TEST_EXISTS))
    {
      g_printerr ("bench-read-preprocess: %s not found\n", input);
      return 77;
    }
  reps = MAX (reps, 1);
  mallopt (M_MMAP_THRESHOLD, 1 << 30);
  mallopt (M_TRIM_THRESHOLD, 1 << 30);

  double first = -1, best_read = 1e30, best_norm = 1e30, best_pp = 1e30, best_read_norm = 1e30, best_read_pp = 1e30;
  gint64 n_cells = 0, n_genes = 0, n_prot = 0, n_hvg = 0;
  reset_peak ();
  for (int r = 0; r < reps; r++)
    {
      double t0 = now ();
      g_autoptr (ScmDataset) ds = scm_dataset_read (input, NULL, &error);
      if (ds == NULL)
        {
          g_printerr ("bench-read-preprocess: %s\n", error->message);
          return 1;
        }
      double t1 = now ();
      ScmCsr norm;
      if (!scm_normalize_log1p (&norm, &ds->rna->X, 1e4, &error))
        {
          g_printerr ("bench-read-preprocess: %s\n", error->message);
          return 1;
        }
      double t2 = now ();
      scm_csr_clear (&norm);
      double t3 = now ();
      g_autoptr (ScmDataset) pp = scm_preprocess_run (ds, NULL, NULL, &error);
      if (pp == NULL)
        {
          g_printerr ("bench-read-preprocess: %s\n", error->message);
          return 1;
        }
      double t4 = now ();
      if (first < 0)
        first = (t1 - t0) + (t4 - t3);
      best_read = MIN (best_read, t1 - t0);
      best_norm = MIN (best_norm, t2 - t1);
      best_pp = MIN (best_pp, t4 - t3);
      best_read_norm = MIN (best_read_norm, t2 - t0);
      best_read_pp = MIN (best_read_pp, (t1 - t0) + (t4 - t3));
      n_cells = ds->n_cells;
      n_genes = ds->rna->X.n_cols;
      n_prot = ds->adt ? ds->adt->X.n_cols : 0;
      n_hvg = pp->rna->X.n_cols;
    }
  double our_peak = peak_rss_mb ();

  double ref_read = -1, ref_norm = -1, ref_total = -1, ref_peak = -1, ref_first = -1;
  if (!no_ref)
    {
      g_autofree char *script = g_build_filename (SCM_SOURCE_DIR, "bench", "foundation",
                                                  "bench-read-preprocess-ref.py", NULL);
      const char *ref_env = g_getenv ("SCM_REFERENCE");
      g_autofree char *ref_dir = g_build_filename (SCM_SOURCE_DIR, "..", "shared", "bench", NULL);
      (void) ref_env;
      g_autofree char *reps_s = g_strdup_printf ("%d", reps);
      const char *pargv[] = { "/usr/bin/python3", script, "--ref-dir", ref_dir, "--input", input,
                              "--reps", reps_s, NULL };
      g_autofree char *out = NULL, *err = NULL;
      int status = 0;
      if (g_spawn_sync (NULL, (char **) pargv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                        &status, &error)
          && g_spawn_check_wait_status (status, NULL) && out)
        {
          if (sscanf (out, "read_s=%lf norm_s=%lf total_s=%lf peak_rss_mb=%lf first_s=%lf", &ref_read,
                      &ref_norm, &ref_total, &ref_peak, &ref_first) != 5)
            ref_total = -1;
        }
      if (ref_total < 0)
        g_printerr ("reference failed: %s%s\n", err ? err : "", error ? error->message : "");
      g_clear_error (&error);
    }

  printf ("bench-read-preprocess: %s\n", input);
  printf ("  %" G_GINT64_FORMAT " cells, %" G_GINT64_FORMAT " genes, %" G_GINT64_FORMAT
          " proteins -> %" G_GINT64_FORMAT " HVG; best of %d, warm page cache\n",
          n_cells, n_genes, n_prot, n_hvg, reps);
  printf ("  BLAS: %s (not used by these steps)\n", scm_blas_describe ());
  printf ("  %-34s %10s %12s %8s\n", "step", "ours (s)", "python (s)", "ratio");
  printf ("  %-34s %10.4f %12.4f %7.1fx\n", "read 10x .h5", best_read, ref_read,
          ref_read > 0 ? ref_read / best_read : 0);
  printf ("  %-34s %10.4f %12.4f %7.1fx\n", "normalise + log1p", best_norm, ref_norm,
          ref_norm > 0 ? ref_norm / best_norm : 0);
  printf ("  %-34s %10.4f %12.4f %7.1fx\n", "read + normalise", best_read_norm, ref_total,
          ref_total > 0 ? ref_total / best_read_norm : 0);
  printf ("  %-34s %10.4f %12s\n", "full preprocess (QC,HVG,norm,CLR)", best_pp, "-");
  printf ("  %-34s %10.4f %12.4f %7.1fx  (goal <= 0.5 s, >= 3x)\n", "read + full preprocess",
          best_read_pp, ref_total, ref_total > 0 ? ref_total / best_read_pp : 0);
  printf ("  %-34s %10.4f %12.4f %7.1fx  (ours: read + full preprocess; python: read + normalise)\n",
          "first repetition", first, ref_first, ref_first > 0 ? ref_first / first : 0);
  printf ("  peak RSS: ours %.1f MB, python %.1f MB\n", our_peak, ref_peak);
  return 0;
}
