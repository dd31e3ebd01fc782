/* test-umap.c: UMAP a/b fit vs umap-learn, spectral initialisation on a
 * ring, determinism for a thread count and race-freedom of the threads,
 * progress and cancel, trustworthiness (the metric vs sklearn, the layout
 * vs umap-learn's on the same graph). */
#include "analysis-test-util.h"
#include "analysis/scm-umap.h"
#include "analysis/scm-analysis-private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_find_ab (void)
{
  g_autofree char *text = atest_fixture_text ("umap_ab.txt");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  int checked = 0;
  for (char **l = lines; *l && **l; l++)
    {
      double spread, md, ra, rb, a, b;
      g_assert_cmpint (sscanf (*l, "%lf %lf %lf %lf", &spread, &md, &ra, &rb), ==, 4);
      scm_umap_find_ab (spread, md, &a, &b);
      g_test_message ("spread %.2f min_dist %.2f: a %.6f (umap-learn %.6f) b %.6f (%.6f)",
                      spread, md, a, ra, b, rb);
      g_assert_cmpfloat (fabs (a - ra), <, 1e-4 * MAX (1, fabs (ra)));
      g_assert_cmpfloat (fabs (b - rb), <, 1e-4 * MAX (1, fabs (rb)));
      checked++;
    }
  g_assert_cmpint (checked, >=, 5);
}

static void
test_spectral_path (void)
{
  /* a path 0 - 1 - ... - N-1: the slowest mode of the normalised
   * Laplacian (Fiedler vector) is monotone along the path, the next one
   * changes direction once.  (A ring would have a degenerate pair, which
   * single-vector Lanczos resolves to one vector only.) */
  enum { N = 120 };
  gint32 s[N - 1], t[N - 1];
  double w[N - 1];
  for (int i = 0; i < N - 1; i++)
    {
      s[i] = i;
      t[i] = i + 1;
      w[i] = 1;
    }
  ScmGraph g;
  g_assert_true (scm_graph_from_edges (&g, N, N - 1, s, t, w, NULL));
  float emb[2 * N];
  g_assert_true (scm_umap_spectral_init (&g, 2, 0, emb));
  /* umap-learn uses the eigenvectors u of the symmetric normalised
   * Laplacian; f = D^-1/2 u is the random-walk form that is monotone */
  float f[2 * N];
  for (int i = 0; i < N; i++)
    for (int c = 0; c < 2; c++)
      f[2 * i + c] = emb[2 * i + c] / sqrtf (i == 0 || i == N - 1 ? 1.0f : 2.0f);
  int up = 0, down = 0, turns = 0;
  for (int i = 1; i < N; i++)
    {
      up += f[2 * i] > f[2 * (i - 1)];
      down += f[2 * i] < f[2 * (i - 1)];
      if (i > 1)
        turns += (f[2 * i + 1] - f[2 * i - 1]) * (f[2 * i - 1] - f[2 * i - 3]) < 0;
    }
  g_test_message ("Fiedler steps up %d down %d; second vector turns %d", up, down, turns);
  g_assert_true (up == N - 1 || down == N - 1);
  g_assert_cmpint (turns, ==, 1);
  float mx = 0;
  for (int i = 0; i < 2 * N; i++)
    mx = MAX (mx, fabsf (emb[i]));
  g_assert_cmpfloat (fabs (mx - 10.0), <, 1e-4);
  scm_graph_clear (&g);
  /* disconnected: refused so the caller falls back to random */
  gint32 s2[] = { 0, 2 }, t2[] = { 1, 3 };
  double w2[] = { 1, 1 };
  g_assert_true (scm_graph_from_edges (&g, 6, 2, s2, t2, w2, NULL));
  g_assert_false (scm_umap_spectral_init (&g, 2, 0, emb));
  scm_graph_clear (&g);
}

static void
test_deterministic (void)
{
  gint64 n = 600, d = 5;
  float *X = atest_random (n, d, 9);
  ScmGraph g;
  atest_graph_of (X, n, d, 15, &g);
  ScmUmapOptions o;
  scm_umap_options_init (&o);
  o.n_threads = 1;
  o.n_epochs = 60;
  o.seed = 4;
  float *a = g_new (float, n * 2), *b = g_new (float, n * 2);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_umap_layout (&g, &o, a, &error));
  g_assert_true (scm_umap_layout (&g, &o, b, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (a, n * 2 * sizeof (float), b, n * 2 * sizeof (float));
  o.seed = 5;
  g_assert_true (scm_umap_layout (&g, &o, b, &error));
  g_assert_true (memcmp (a, b, n * 2 * sizeof (float)) != 0);
  /* several threads: each writes only its own slab of cells, so the
   * result is reproducible for a thread count too (and finite) */
  for (int T = 2; T <= 3; T++)
    {
      o.n_threads = T;
      g_assert_true (scm_umap_layout (&g, &o, a, &error));
      g_assert_true (scm_umap_layout (&g, &o, b, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (a, n * 2 * sizeof (float), b, n * 2 * sizeof (float));
      for (gint64 i = 0; i < n * 2; i++)
        g_assert_true (isfinite (b[i]));
      /* the slabs one after another on this thread give the same bits:
       * no thread's epoch depends on what another does during it */
      _scm_umap_run_slabs_in_turn (TRUE);
      g_assert_true (scm_umap_layout (&g, &o, b, &error));
      _scm_umap_run_slabs_in_turn (FALSE);
      g_assert_cmpmem (a, n * 2 * sizeof (float), b, n * 2 * sizeof (float));
    }
  o.init = SCM_UMAP_INIT_RANDOM;
  g_assert_true (scm_umap_layout (&g, &o, b, &error));
  for (gint64 i = 0; i < n * 2; i++)
    g_assert_true (isfinite (b[i]));
  g_free (a);
  g_free (b);
  g_free (X);
  scm_graph_clear (&g);
}

typedef struct {
  int           calls, last, total;
  GCancellable *cancel;
} ProgressLog;

static void
log_progress (int done, int total, gpointer data)
{
  ProgressLog *p = data;
  g_assert_cmpint (done, ==, p->last + 1);
  p->calls++;
  p->last = done;
  p->total = total;
  if (p->cancel && done == 10)
    g_cancellable_cancel (p->cancel);
}

/* Progress once per epoch in order, on every thread count, and a cancel
 * stops all threads at the same epoch (no thread left at a barrier). */
static void
test_progress_and_cancel (void)
{
  gint64 n = 500, d = 4;
  float *X = atest_random (n, d, 3);
  ScmGraph g;
  atest_graph_of (X, n, d, 15, &g);
  float *E = g_new (float, n * 2);
  /* 1-3 threads, then 2 and 3 slabs run in turn on this thread */
  for (int mode = 1; mode <= 5; mode++)
    {
      int T = mode <= 3 ? mode : mode - 2;
      _scm_umap_run_slabs_in_turn (mode > 3);
      ScmUmapOptions o;
      scm_umap_options_init (&o);
      o.n_threads = T;
      o.n_epochs = 40;
      ProgressLog log = { 0 };
      o.progress = log_progress;
      o.progress_data = &log;
      g_autoptr (GError) error = NULL;
      g_assert_true (scm_umap_layout (&g, &o, E, &error));
      g_assert_no_error (error);
      g_assert_cmpint (log.calls, ==, 40);
      g_assert_cmpint (log.total, ==, 40);
      for (gint64 i = 0; i < n * 2; i++)
        g_assert_true (isfinite (E[i]));

      g_autoptr (GCancellable) cancel = g_cancellable_new ();
      ProgressLog log2 = { 0, 0, 0, cancel };
      o.progress_data = &log2;
      o.cancellable = cancel;
      g_assert_false (scm_umap_layout (&g, &o, E, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpint (log2.calls, ==, 10);
      /* cancelled before it starts: no epoch at all */
      g_clear_error (&error);
      log2 = (ProgressLog) { 0, 0, 0, cancel };
      g_assert_false (scm_umap_layout (&g, &o, E, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpint (log2.calls, ==, 0);
    }
  _scm_umap_run_slabs_in_turn (FALSE);
  g_free (E);
  g_free (X);
  scm_graph_clear (&g);
}

/* More threads than cells, tiny graphs, and 3 output dimensions: empty
 * slabs and the general-dimension kernel, still finite and reproducible. */
static void
test_small_and_3d (void)
{
  for (gint64 n = 4; n <= 40; n += 12)
    for (int dim = 2; dim <= 3; dim++)
      {
        float *X = atest_random (n, 3, 30 + n);
        ScmGraph g;
        atest_graph_of (X, n, 3, MIN (n - 1, 5), &g);
        ScmUmapOptions o;
        scm_umap_options_init (&o);
        o.n_components = dim;
        o.n_threads = 8;
        o.n_epochs = 30;
        float *a = g_new (float, n * dim), *b = g_new (float, n * dim);
        g_autoptr (GError) error = NULL;
        g_assert_true (scm_umap_layout (&g, &o, a, &error));
        g_assert_no_error (error);
        g_assert_true (scm_umap_layout (&g, &o, b, &error));
        g_assert_cmpmem (a, n * dim * sizeof (float), b, n * dim * sizeof (float));
        for (gint64 i = 0; i < n * dim; i++)
          g_assert_true (isfinite (a[i]));
        g_free (a);
        g_free (b);
        g_free (X);
        scm_graph_clear (&g);
      }
}

static void
test_disconnected (void)
{
  /* two far-apart blobs: the kNN graph has two components, each gets its
   * own spectral layout and they start apart */
  gint64 n = 400, d = 3;
  float *X = atest_random (n, d, 21);
  for (gint64 i = n / 2; i < n; i++)
    X[i * d] += 100.0f;
  ScmGraph g;
  atest_graph_of (X, n, d, 10, &g);
  gint32 *comp = g_new (gint32, n);
  g_assert_cmpint (scm_graph_components (&g, comp), ==, 2);
  g_free (comp);
  float *E = g_new (float, n * 2);
  for (int T = 1; T <= 2; T++)
  {
  ScmUmapOptions o;
  scm_umap_options_init (&o);
  o.n_threads = T;
  o.n_epochs = 1;
  g_assert_true (scm_umap_layout (&g, &o, E, NULL));
  double c[2][2] = { { 0, 0 }, { 0, 0 } };
  for (gint64 i = 0; i < n; i++)
    for (int a = 0; a < 2; a++)
      c[i >= n / 2][a] += E[i * 2 + a] / (n / 2);
  gint64 own = 0;
  for (gint64 i = 0; i < n; i++)
    {
      int me = i >= n / 2;
      own += hypot (E[i * 2] - c[me][0], E[i * 2 + 1] - c[me][1]) <
             hypot (E[i * 2] - c[!me][0], E[i * 2 + 1] - c[!me][1]);
    }
  g_test_message ("component centroids %.2f apart; %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                  " points nearer their own", hypot (c[0][0] - c[1][0], c[0][1] - c[1][1]), own, n);
  g_assert_cmpint (own, >=, 0.98 * n);
  }
  g_free (E);
  g_free (X);
  scm_graph_clear (&g);
}

static void
test_trustworthiness_metric (void)
{
  gint64 n, d, m;
  float *X = atest_pbmc10k_clr (&n, &d);
  if (!X)
    return;
  float *U = atest_subsample (X, n, d, 3, &m);
  g_assert_cmpfloat (m, ==, atest_ref_scalar ("umap_sub3_n"));
  float *E = g_new (float, m * 2);
  /* a fixed projection W[j] = (cos j, sin j), as the fixture script */
  for (gint64 i = 0; i < m; i++)
    {
      double s0 = 0, s1 = 0;
      for (gint64 j = 0; j < d; j++)
        {
          s0 += (double) U[i * d + j] * cos ((double) j);
          s1 += (double) U[i * d + j] * sin ((double) j);
        }
      E[2 * i] = (float) s0;
      E[2 * i + 1] = (float) s1;
    }
  double t15 = scm_trustworthiness (U, d, E, 2, m, 15);
  double t5 = scm_trustworthiness (U, d, E, 2, m, 5);
  g_test_message ("trustworthiness of a 2-d projection: k15 %.6f (sklearn %.6f), k5 %.6f (%.6f)", t15,
                  atest_ref_scalar ("trust_sub3_proj2_k15"), t5,
                  atest_ref_scalar ("trust_sub3_proj2_k5"));
  g_assert_cmpfloat (fabs (t15 - atest_ref_scalar ("trust_sub3_proj2_k15")), <, 2e-4);
  g_assert_cmpfloat (fabs (t5 - atest_ref_scalar ("trust_sub3_proj2_k5")), <, 2e-4);
  g_free (E);
  g_free (U);
  g_free (X);
}

static void
test_trustworthiness_vs_umap_learn (void)
{
  gint64 n, d, m;
  float *X = atest_pbmc10k_clr (&n, &d);
  if (!X)
    return;
  float *U = atest_subsample (X, n, d, 3, &m);
  ScmGraph g;
  atest_graph_of (U, m, d, 15, &g);
  ScmUmapOptions o;
  scm_umap_options_init (&o);
  o.n_threads = 1;
  float *E = g_new (float, m * 2);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_umap_layout (&g, &o, E, &error));
  g_assert_no_error (error);
  double t = scm_trustworthiness (U, d, E, 2, m, 15);
  double ref = atest_ref_scalar ("umap_sub3_trust_k15_mean");
  g_test_message ("UMAP trustworthiness k=15 on %" G_GINT64_FORMAT " cells: ours %.4f, "
                  "umap-learn %.4f (seeds 0-2: %.4f .. %.4f)", m, t, ref,
                  atest_ref_scalar ("umap_sub3_trust_k15_min"),
                  atest_ref_scalar ("umap_sub3_trust_k15_max"));
  g_assert_cmpfloat (fabs (t - ref), <, 0.01);
  /* the multithreaded path (slabs, snapshots for negative samples) is a
   * different schedule of the same SGD: same quality */
  o.n_threads = 2;
  g_assert_true (scm_umap_layout (&g, &o, E, &error));
  g_assert_no_error (error);
  double t2 = scm_trustworthiness (U, d, E, 2, m, 15);
  g_test_message ("the same on 2 threads: %.4f", t2);
  g_assert_cmpfloat (fabs (t2 - ref), <, 0.01);
  g_free (E);
  g_free (U);
  g_free (X);
  scm_graph_clear (&g);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/analysis/umap/find-ab", test_find_ab);
  g_test_add_func ("/analysis/umap/spectral-path", test_spectral_path);
  g_test_add_func ("/analysis/umap/deterministic", test_deterministic);
  g_test_add_func ("/analysis/umap/disconnected-components", test_disconnected);
  g_test_add_func ("/analysis/umap/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/analysis/umap/small-and-3d", test_small_and_3d);
  g_test_add_func ("/analysis/umap/trustworthiness-metric", test_trustworthiness_metric);
  g_test_add_func ("/analysis/umap/trustworthiness-vs-umap-learn", test_trustworthiness_vs_umap_learn);
  return g_test_run ();
}
