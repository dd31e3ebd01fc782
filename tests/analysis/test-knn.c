/* test-knn.c: exact kNN (blocked vs naive), NN-descent recall on real data,
 * determinism, and refusal of bad input. */
#include "analysis-test-util.h"
#include "analysis/scm-knn.h"
#include "scm-error.h"

#include <math.h>
#include <string.h>

/* Same neighbour sets row by row, distances within tolerance. */
static void
assert_knn_close (const ScmKnn *a, const ScmKnn *b, double min_row_match)
{
  g_assert_cmpint (a->n, ==, b->n);
  g_assert_cmpint (a->k, ==, b->k);
  gint64 same_rows = 0;
  double max_dd = 0;
  for (gint64 i = 0; i < a->n; i++)
    {
      g_assert_cmpint (a->indices[i * a->k], ==, i);
      g_assert_cmpint (b->indices[i * b->k], ==, i);
      int hits = 0;
      for (int x = 0; x < a->k; x++)
        {
          for (int y = 0; y < a->k; y++)
            hits += a->indices[i * a->k + x] == b->indices[i * b->k + y];
          max_dd = MAX (max_dd, fabs (a->distances[i * a->k + x] - b->distances[i * b->k + x]));
          if (x > 0)
            g_assert_cmpfloat (a->distances[i * a->k + x], >=, a->distances[i * a->k + x - 1]);
        }
      same_rows += hits == a->k;
    }
  g_test_message ("rows with identical sets %.4f, max |distance diff| %.2e",
                  (double) same_rows / a->n, max_dd);
  g_assert_cmpfloat ((double) same_rows / a->n, >=, min_row_match);
  g_assert_cmpfloat (max_dd, <, 1e-4);
}

static void
check_blocked_vs_naive (gint64 n, gint64 d, int k, ScmMetric metric, int threads)
{
  float *X = atest_random (n, d, 42 + n);
  ScmKnn a, b;
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_knn_alloc (&a, n, k, &error));
  g_assert_true (scm_knn_alloc (&b, n, k, &error));
  scm_knn_exact_naive (X, n, d, metric, &a);
  g_assert_true (scm_knn_exact_blocked (X, n, d, metric, threads, NULL, &b, &error));
  g_assert_no_error (error);
  /* random uniform data: ties are essentially impossible, float32 sgemm vs
   * double naive may swap the k-th neighbour in very rare rows */
  assert_knn_close (&a, &b, 0.995);
  scm_knn_clear (&a);
  scm_knn_clear (&b);
  g_free (X);
}

static void
test_exact_blocked_vs_naive (void)
{
  check_blocked_vs_naive (300, 13, 10, SCM_METRIC_EUCLIDEAN, 1);
  check_blocked_vs_naive (2500, 7, 15, SCM_METRIC_EUCLIDEAN, 2);   /* crosses blocks */
  check_blocked_vs_naive (700, 21, 20, SCM_METRIC_COSINE, 2);
}

static void
test_nndescent_vs_naive_small (void)
{
  gint64 n = 1500, d = 10;
  float *X = atest_random (n, d, 7);
  ScmKnn a, b;
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_knn_alloc (&a, n, 15, &error));
  g_assert_true (scm_knn_alloc (&b, n, 15, &error));
  scm_knn_exact_naive (X, n, d, SCM_METRIC_EUCLIDEAN, &a);
  g_assert_true (scm_knn_nndescent (X, n, d, SCM_METRIC_EUCLIDEAN, 0, 2, NULL, &b, &error));
  double r = scm_knn_recall (&b, &a);
  g_test_message ("NN-descent recall@15 on uniform 1500 x 10: %.4f", r);
  g_assert_cmpfloat (r, >=, 0.95);
  scm_knn_clear (&a);
  scm_knn_clear (&b);
  g_free (X);
}

static void
test_nndescent_recall_pbmc10k (void)
{
  gint64 n, d;
  float *X = atest_pbmc10k_clr (&n, &d);
  if (!X)
    return;
  ScmKnnOptions o;
  scm_knn_options_init (&o);
  o.k = 15;
  ScmKnn exact, approx;
  g_autoptr (GError) error = NULL;
  o.method = SCM_KNN_EXACT;
  g_assert_true (scm_knn_compute (X, n, d, &o, &exact, &error));
  o.method = SCM_KNN_NNDESCENT;
  g_assert_true (scm_knn_compute (X, n, d, &o, &approx, &error));
  g_assert_no_error (error);
  double r = scm_knn_recall (&approx, &exact);
  g_test_message ("pbmc10k ADT-CLR recall@15: ours %.4f, pynndescent %.4f", r,
                  atest_ref_scalar ("pynndescent_recall_k15"));
  g_assert_cmpfloat (r, >=, 0.95);
  scm_knn_clear (&exact);
  scm_knn_clear (&approx);
  g_free (X);
}

static void
test_nndescent_deterministic (void)
{
  gint64 n = 3000, d = 8;
  float *X = atest_random (n, d, 3);
  for (int threads = 1; threads <= 2; threads++)
    {
      ScmKnn a, b;
      g_autoptr (GError) error = NULL;
      g_assert_true (scm_knn_alloc (&a, n, 10, &error));
      g_assert_true (scm_knn_alloc (&b, n, 10, &error));
      g_assert_true (scm_knn_nndescent (X, n, d, SCM_METRIC_COSINE, 5, threads, NULL, &a, &error));
      g_assert_true (scm_knn_nndescent (X, n, d, SCM_METRIC_COSINE, 5, threads, NULL, &b, &error));
      g_assert_cmpmem (a.indices, n * 10 * sizeof (gint32), b.indices, n * 10 * sizeof (gint32));
      g_assert_cmpmem (a.distances, n * 10 * sizeof (float), b.distances, n * 10 * sizeof (float));
      scm_knn_clear (&a);
      scm_knn_clear (&b);
    }
  g_free (X);
}

static void
test_bad_input (void)
{
  float X[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
  ScmKnnOptions o;
  scm_knn_options_init (&o);
  ScmKnn out;
  g_autoptr (GError) e1 = NULL;
  o.k = 7;   /* more than the 6 points */
  g_assert_false (scm_knn_compute (X, 6, 2, &o, &out, &e1));
  g_assert_error (e1, SCM_ERROR, SCM_ERROR_INVALID);
  g_assert_null (out.indices);
  X[5] = NAN;
  o.k = 3;
  g_autoptr (GError) e2 = NULL;
  g_assert_false (scm_knn_compute (X, 6, 2, &o, &out, &e2));
  g_assert_error (e2, SCM_ERROR, SCM_ERROR_INVALID);
  g_assert_nonnull (strstr (e2->message, "point 2"));
  ScmMetric m;
  g_assert_true (scm_metric_from_name ("Cosine", &m));
  g_assert_cmpint (m, ==, SCM_METRIC_COSINE);
  g_assert_false (scm_metric_from_name ("manhattan", &m));
}

/* scm_knn_prefix: the first k columns, row by row; k past the table fails. */
static void
test_prefix (void)
{
  ScmKnn src = { 0 }, dst = { 0 };
  GError *error = NULL;

  g_assert_true (scm_knn_alloc (&src, 5, 4, NULL));
  for (int i = 0; i < 5 * 4; i++)
    {
      src.indices[i] = i;
      src.distances[i] = (float) i * 0.5f;
    }
  g_assert_true (scm_knn_prefix (&src, 3, &dst, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dst.n, ==, 5);
  g_assert_cmpint (dst.k, ==, 3);
  for (int i = 0; i < 5; i++)
    for (int c = 0; c < 3; c++)
      {
        g_assert_cmpint (dst.indices[i * 3 + c], ==, i * 4 + c);
        g_assert_cmpfloat (dst.distances[i * 3 + c], ==, (float) (i * 4 + c) * 0.5f);
      }
  scm_knn_clear (&dst);
  g_assert_false (scm_knn_prefix (&src, 5, &dst, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  scm_knn_clear (&src);
}

/* AUTO switches from exact to NN-descent above SCM_KNN_EXACT_MAX_CELLS;
 * an explicit choice is kept whatever the size. */
static void
test_resolve_method (void)
{
  g_assert_cmpint (scm_knn_resolve_method (SCM_KNN_AUTO, SCM_KNN_EXACT_MAX_CELLS), ==,
                   SCM_KNN_EXACT);
  g_assert_cmpint (scm_knn_resolve_method (SCM_KNN_AUTO, SCM_KNN_EXACT_MAX_CELLS + 1), ==,
                   SCM_KNN_NNDESCENT);
  g_assert_cmpint (scm_knn_resolve_method (SCM_KNN_EXACT, 1000000), ==, SCM_KNN_EXACT);
  g_assert_cmpint (scm_knn_resolve_method (SCM_KNN_NNDESCENT, 10), ==, SCM_KNN_NNDESCENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/analysis/knn/resolve-method", test_resolve_method);
  g_test_add_func ("/analysis/knn/prefix", test_prefix);
  g_test_add_func ("/analysis/knn/exact-blocked-vs-naive", test_exact_blocked_vs_naive);
  g_test_add_func ("/analysis/knn/nndescent-vs-naive-small", test_nndescent_vs_naive_small);
  g_test_add_func ("/analysis/knn/nndescent-recall-pbmc10k", test_nndescent_recall_pbmc10k);
  g_test_add_func ("/analysis/knn/nndescent-deterministic", test_nndescent_deterministic);
  g_test_add_func ("/analysis/knn/bad-input", test_bad_input);
  return g_test_run ();
}
