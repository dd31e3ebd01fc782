/* test-pca.c: exact PCA vs scikit-learn, randomised vs exact.
 *
 * tests/fixtures/stats/gen_pca.py wrote a 200 x 60 matrix with a decaying
 * spectrum and sklearn's PCA(10, svd_solver='full') results.  The exact
 * path must match sklearn (explained variance ratio 1e-9, scores with the
 * same svd_flip signs to 1e-4 absolute: we store them in float32); the
 * randomised path must match the exact one on the top components (EVR to
 * 1e-4 relative, |cos| of each component > 1 - 1e-4).
 */
#include "stats/scm-pca.h"
#include "scm-error.h"
#include "stats-fixture.h"
#include "util/scm-rng.h"

#include <math.h>

static void
test_exact_vs_sklearn (void)
{
  gint64 n, p, sn, sk;
  g_autofree float *X = stats_fixture_floats ("stats/pca_X.tsv", &n, &p);
  g_autofree float *S = stats_fixture_floats ("stats/pca_scores.tsv", &sn, &sk);
  g_auto (GStrv) evr = stats_fixture_lines ("stats/pca_evr.txt");
  ScmPcaOptions o;
  scm_pca_options_init (&o);
  o.n_comps = 10;
  o.solver = SCM_PCA_EXACT;
  ScmPca pca;
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_pca_fit (X, n, p, &o, &pca, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pca.solver, ==, "exact");
  g_assert_cmpint (pca.n_comps, ==, 10);
  for (int c = 0; c < 10; c++)
    {
      gint64 m;
      g_autofree double *v = stats_parse_doubles (evr[c], &m);
      stats_assert_close ("evr", pca.explained_variance_ratio[c], v[0], 1e-9, 0);
      stats_assert_close ("ev", pca.explained_variance[c], v[1], 1e-9, 0);
    }
  double worst = 0;
  for (gint64 i = 0; i < n * 10; i++)
    worst = MAX (worst, fabs (pca.scores[i] - S[i]));
  g_test_message ("exact vs sklearn scores: max abs diff %.3g", worst);
  g_assert_cmpfloat (worst, <, 1e-4);
  scm_pca_clear (&pca);
}

static void
check_randomized_vs_exact (const float *X, gint64 n, gint64 p, gint64 k, gint64 k_check)
{
  ScmPcaOptions o;
  scm_pca_options_init (&o);
  o.n_comps = k;
  o.seed = 11;
  ScmPca ex, rd;
  o.solver = SCM_PCA_EXACT;
  g_assert_true (scm_pca_fit (X, n, p, &o, &ex, NULL));
  o.solver = SCM_PCA_RANDOMIZED;
  g_assert_true (scm_pca_fit (X, n, p, &o, &rd, NULL));
  g_assert_cmpstr (rd.solver, ==, "randomized");
  for (gint64 c = 0; c < k_check; c++)
    {
      stats_assert_close ("evr randomized vs exact", rd.explained_variance_ratio[c],
                          ex.explained_variance_ratio[c], 1e-4, 0);
      double dot = 0;
      for (gint64 j = 0; j < p; j++)
        dot += (double) rd.components[c * p + j] * ex.components[c * p + j];
      g_assert_cmpfloat (dot, >, 1.0 - 1e-4);  /* same signs too (svd_flip) */
    }
  g_assert_cmpfloat (fabs (rd.total_variance - ex.total_variance), <, 1e-9 * ex.total_variance);
  scm_pca_clear (&ex);
  scm_pca_clear (&rd);
}

static void
test_randomized_fixture (void)
{
  gint64 n, p;
  g_autofree float *X = stats_fixture_floats ("stats/pca_X.tsv", &n, &p);
  check_randomized_vs_exact (X, n, p, 10, 8);
}

static void
test_randomized_larger (void)
{
  /* 1500 x 300, 30 factors with a slowly decaying spectrum + noise, not
   * centred (offset per gene), 50 components: the top 20 must agree */
  gint64 n = 1500, p = 300, f = 30;
  ScmRng rng;
  scm_rng_seed (&rng, 5);
  g_autofree float *L = g_new (float, n * f);
  g_autofree float *W = g_new (float, f * p);
  g_autofree float *X = g_new (float, n * p);
  for (gint64 i = 0; i < n * f; i++)
    L[i] = (float) (scm_rng_normal (&rng) * 8.0 * pow (0.85, (double) (i % f)));
  for (gint64 i = 0; i < f * p; i++)
    W[i] = (float) scm_rng_normal (&rng);
  for (gint64 i = 0; i < n; i++)
    for (gint64 j = 0; j < p; j++)
      {
        double acc = 0.3 * j / p + 0.5 * scm_rng_normal (&rng);
        for (gint64 t = 0; t < f; t++)
          acc += L[i * f + t] * W[t * p + j];
        X[i * p + j] = (float) MIN (acc, 10.0 * 8);
      }
  check_randomized_vs_exact (X, n, p, 50, 20);
}

static void
test_errors (void)
{
  float X[6] = { 1, 2, 3, NAN, 5, 6 };
  ScmPca pca;
  g_autoptr (GError) error = NULL;
  g_assert_false (scm_pca_fit (X, 3, 2, NULL, &pca, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (scm_pca_fit (X, 1, 2, NULL, &pca, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  /* a cancelled job stops with G_IO_ERROR_CANCELLED (as GCancellable sets it) */
  {
    gint64 n = 300, p = 100;
    g_autofree float *Z = g_new (float, n * p);
    ScmRng rng;
    scm_rng_seed (&rng, 2);
    for (gint64 i = 0; i < n * p; i++)
      Z[i] = (float) scm_rng_normal (&rng);
    ScmPcaOptions co;
    scm_pca_options_init (&co);
    co.n_comps = 10;
    co.solver = SCM_PCA_RANDOMIZED;
    g_autoptr (GCancellable) c = g_cancellable_new ();
    g_cancellable_cancel (c);
    co.cancellable = c;
    g_clear_error (&error);
    g_assert_false (scm_pca_fit (Z, n, p, &co, &pca, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
  /* more components than the data holds are clamped */
  float Y[6] = { 1, 2, 3, 4, 5, 7 };
  ScmPcaOptions o;
  scm_pca_options_init (&o);
  g_assert_true (scm_pca_fit (Y, 3, 2, &o, &pca, NULL));
  g_assert_cmpint (pca.n_comps, ==, 2);
  scm_pca_clear (&pca);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/pca/exact-vs-sklearn", test_exact_vs_sklearn);
  g_test_add_func ("/stats/pca/randomized-vs-exact", test_randomized_fixture);
  g_test_add_func ("/stats/pca/randomized-vs-exact-larger", test_randomized_larger);
  g_test_add_func ("/stats/pca/errors", test_errors);
  return g_test_run ();
}
