/* test-metrics.c: clustering scores against scikit-learn fixtures.
 *
 * tests/fixtures/stats/gen_metrics.py wrote the labels, the points and
 * sklearn's values; every score must agree to 1e-9 (relative, 1e-12
 * absolute near zero).  The blocked silhouette is also checked against the
 * naive double loop.
 */
#include "stats/scm-metrics.h"
#include "scm-error.h"
#include "stats-fixture.h"

#include <math.h>
#include <string.h>

#define TOL 1e-9

static gint32 *
read_labels (char **cases, const char *kase, const char *which, gint64 *n)
{
  for (char **l = cases; *l; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, "\t", 3);
      if (strcmp (f[0], kase) == 0 && strcmp (f[1], which) == 0)
        {
          g_autofree double *v = stats_parse_doubles (f[2], n);
          gint32 *out = g_new (gint32, *n);
          for (gint64 i = 0; i < *n; i++)
            out[i] = (gint32) v[i];
          return out;
        }
    }
  g_error ("no labels %s/%s", kase, which);
  return NULL;
}

static void
test_partition (void)
{
  g_auto (GStrv) cases = stats_fixture_lines ("stats/metrics_cases.tsv");
  g_auto (GStrv) expected = stats_fixture_lines ("stats/metrics_expected.tsv");
  const char *names[] = { "noisy", "identical_relabelled", "one_cluster", "random", "singletons" };
  for (gsize c = 0; c < G_N_ELEMENTS (names); c++)
    {
      gint64 n1, n2;
      g_autofree gint32 *t = read_labels (cases, names[c], "truth", &n1);
      g_autofree gint32 *p = read_labels (cases, names[c], "pred", &n2);
      g_assert_cmpint (n1, ==, n2);
      ScmPartitionScores s;
      g_autoptr (GError) error = NULL;
      g_assert_true (scm_metrics_partition (t, p, n1, &s, &error));
      g_assert_no_error (error);
      g_assert_cmpint (s.n_used, ==, n1);
      struct { const char *name; double v; } got[] = {
        { "ari", s.ari }, { "nmi", s.nmi }, { "ami", s.ami }, { "fmi", s.fmi },
        { "jaccard", s.jaccard }, { "fmeasure", s.fmeasure }, { "purity", s.purity },
      };
      for (gsize k = 0; k < G_N_ELEMENTS (got); k++)
        {
          g_autofree char *what = g_strdup_printf ("%s/%s", got[k].name, names[c]);
          stats_assert_close (what, got[k].v, stats_expected (expected, got[k].name, names[c]),
                              TOL, 1e-12);
        }
    }
}

static void
test_missing_labels (void)
{
  /* a negative code drops the cell; result equals the score without it */
  gint32 t[] = { 0, 0, 1, 1, 2, 2, -1 };
  gint32 p[] = { 5, 5, 7, 7, 7, 9, 3 };
  ScmPartitionScores a, b;
  g_assert_true (scm_metrics_partition (t, p, 7, &a, NULL));
  g_assert_true (scm_metrics_partition (t, p, 6, &b, NULL));
  g_assert_cmpint (a.n_used, ==, 6);
  g_assert_cmpfloat (a.ari, ==, b.ari);
  g_assert_cmpfloat (a.ami, ==, b.ami);
  gint32 none[] = { -1, -1 };
  g_autoptr (GError) error = NULL;
  g_assert_false (scm_metrics_partition (none, none, 2, &a, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
}

static void
test_geometry (void)
{
  g_auto (GStrv) cases = stats_fixture_lines ("stats/metrics_cases.tsv");
  g_auto (GStrv) expected = stats_fixture_lines ("stats/metrics_expected.tsv");
  gint64 n, d, nl;
  g_autofree float *X = stats_fixture_floats ("stats/metrics_X.tsv", &n, &d);
  const char *which[] = { "pred", "truth" };
  for (int w = 0; w < 2; w++)
    {
      g_autofree gint32 *lab = read_labels (cases, "noisy", which[w], &nl);
      g_assert_cmpint (nl, ==, n);
      ScmGeometryScores g;
      g_autoptr (GError) error = NULL;
      g_assert_true (scm_metrics_geometry (X, n, d, lab, 0, 0, &g, &error));
      g_assert_no_error (error);
      stats_assert_close ("silhouette", g.silhouette, stats_expected (expected, "silhouette", which[w]), TOL, 1e-12);
      stats_assert_close ("chi", g.calinski_harabasz,
                          stats_expected (expected, "calinski_harabasz", which[w]), TOL, 1e-12);
      stats_assert_close ("dbi", g.davies_bouldin,
                          stats_expected (expected, "davies_bouldin", which[w]), TOL, 1e-12);
      g_assert_cmpfloat (g.asw_norm, >, 0.0);
      g_assert_cmpfloat (g.asw_norm, <, 1.0);
      g_assert_cmpfloat (fabs (g.dbi_norm - 1.0 / (1.0 + g.davies_bouldin)), <, 1e-15);
      /* chi_norm is the between-cluster share of the sum of squares */
      double tot = 0, within = 0;
      for (gint64 t = 0; t < d; t++)
        {
          double mean = 0;
          for (gint64 i = 0; i < n; i++)
            mean += X[i * d + t];
          mean /= (double) n;
          for (gint64 i = 0; i < n; i++)
            tot += (X[i * d + t] - mean) * (X[i * d + t] - mean);
          for (gint32 c = 0; c < 8; c++)
            {
              double cm = 0;
              gint64 cn = 0;
              for (gint64 i = 0; i < n; i++)
                if (lab[i] == c)
                  {
                    cm += X[i * d + t];
                    cn++;
                  }
              if (cn == 0)
                continue;
              cm /= (double) cn;
              for (gint64 i = 0; i < n; i++)
                if (lab[i] == c)
                  within += (X[i * d + t] - cm) * (X[i * d + t] - cm);
            }
        }
      stats_assert_close ("chi_norm", g.chi_norm, (tot - within) / tot, 1e-9, 0);
    }
  g_autofree gint32 *lab = read_labels (cases, "noisy", "pred", &nl);
  g_autofree double *fast = g_new (double, n);
  g_autofree double *naive = g_new (double, n);
  g_assert_true (scm_metric_silhouette_samples (X, n, d, lab, fast, NULL));
  g_assert_true (scm_metric_silhouette_samples_naive (X, n, d, lab, naive, NULL));
  double worst = 0;
  for (gint64 i = 0; i < n; i++)
    worst = MAX (worst, fabs (fast[i] - naive[i]));
  g_test_message ("silhouette blocked vs naive: max diff %.3g", worst);
  g_assert_cmpfloat (worst, <, 1e-12);
  const int idx[] = { 0, 1, 7, 123, 299 };
  for (gsize k = 0; k < G_N_ELEMENTS (idx); k++)
    {
      g_autofree char *name = g_strdup_printf ("silhouette_sample_%d", idx[k]);
      stats_assert_close (name, fast[idx[k]], stats_expected (expected, name, "pred"), TOL, 1e-12);
    }
}

static void
test_geometry_errors (void)
{
  float X[] = { 0, 1, 2, 3 };
  gint32 one[] = { 0, 0, 0, 0 };
  gint32 all[] = { 0, 1, 2, 3 };
  double v;
  g_autoptr (GError) error = NULL;
  g_assert_false (scm_metric_silhouette (X, 4, 1, one, &v, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (scm_metric_silhouette (X, 4, 1, all, &v, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (scm_metric_davies_bouldin (X, 4, 1, one, &v, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/metrics/partition", test_partition);
  g_test_add_func ("/stats/metrics/missing-labels", test_missing_labels);
  g_test_add_func ("/stats/metrics/geometry", test_geometry);
  g_test_add_func ("/stats/metrics/geometry-errors", test_geometry_errors);
  return g_test_run ();
}
