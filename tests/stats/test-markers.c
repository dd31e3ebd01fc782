/* test-markers.c: Wilcoxon markers against scipy.stats.mannwhitneyu.
 *
 * tests/fixtures/stats/gen_markers.py wrote a small log-normalised matrix,
 * its groups and scipy's p-values (with and without continuity), scanpy's
 * log fold changes, fractions and BH-adjusted p.  p-values must match to
 * 1e-6 relative (they do to ~1e-12); the sparse fast path must equal the
 * dense naive one.
 */
#include "stats/scm-markers.h"
#include "scm-error.h"
#include "stats-fixture.h"

#include <math.h>
#include <string.h>

static void
dense_to_csr (ScmCsr *m, const float *D, gint64 n, gint64 d)
{
  gint64 nnz = 0;
  for (gint64 i = 0; i < n * d; i++)
    nnz += D[i] != 0.0f;
  g_assert_true (scm_csr_alloc (m, n, d, nnz, NULL));
  gint64 k = 0;
  for (gint64 i = 0; i < n; i++)
    {
      for (gint64 j = 0; j < d; j++)
        if (D[i * d + j] != 0.0f)
          {
            m->indices[k] = (gint32) j;
            m->data[k] = D[i * d + j];
            k++;
          }
      m->indptr[i + 1] = k;
    }
}

static void
load_fixture (ScmCsr *X, gint32 **groups)
{
  gint64 n, d, ng;
  g_autofree float *D = stats_fixture_floats ("stats/markers_X.tsv", &n, &d);
  dense_to_csr (X, D, n, d);
  g_auto (GStrv) gl = stats_fixture_lines ("stats/markers_groups.txt");
  g_autofree double *g = stats_parse_doubles (gl[0], &ng);
  g_assert_cmpint (ng, ==, n);
  *groups = g_new (gint32, n);
  for (gint64 i = 0; i < n; i++)
    (*groups)[i] = (gint32) g[i];
}

static void
check_against_scipy (const ScmRankTest *rt, const ScmRankTest *rt_cc, const char *comparison,
                     gint32 only_group)
{
  g_auto (GStrv) lines = stats_fixture_lines ("stats/markers_expected.tsv");
  int checked = 0;
  for (char **l = lines + 1; *l; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, "\t", -1);
      if (strcmp (f[0], comparison) != 0)
        continue;
      gint32 g = atoi (f[1]);
      gint64 j = atoi (f[2]);
      if (only_group >= 0 && g != only_group)
        continue;
      gint64 gj = (gint64) g * rt->n_genes + j;
      g_autofree char *w = g_strdup_printf ("%s g%d gene%" G_GINT64_FORMAT, comparison, g, j);
      stats_assert_close (w, rt->u[gj], g_ascii_strtod (f[3], NULL), 1e-12, 0);
      stats_assert_close (w, rt->pvals[gj], g_ascii_strtod (f[4], NULL), 1e-6, 0);
      stats_assert_close (w, rt_cc->pvals[gj], g_ascii_strtod (f[5], NULL), 1e-6, 0);
      stats_assert_close (w, rt->logfc[gj], g_ascii_strtod (f[6], NULL), 1e-9, 1e-9);
      stats_assert_close (w, rt->pct_in[gj], g_ascii_strtod (f[7], NULL), 1e-12, 0);
      stats_assert_close (w, rt->pct_out[gj], g_ascii_strtod (f[8], NULL), 1e-12, 0);
      stats_assert_close (w, rt->pvals_adj[gj], g_ascii_strtod (f[9], NULL), 1e-6, 0);
      checked++;
    }
  g_assert_cmpint (checked, >=, 40);
}

static void
test_one_vs_rest (void)
{
  ScmCsr X;
  g_autofree gint32 *groups = NULL;
  load_fixture (&X, &groups);
  ScmRankTest rt, rt_cc;
  ScmWilcoxonOptions cc = { .use_continuity = TRUE };
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_wilcoxon (&X, groups, 4, -1, NULL, &rt, &error));
  g_assert_no_error (error);
  g_assert_true (scm_wilcoxon (&X, groups, 4, -1, &cc, &rt_cc, &error));
  check_against_scipy (&rt, &rt_cc, "ovr", -1);
  scm_rank_test_clear (&rt);
  scm_rank_test_clear (&rt_cc);
  scm_csr_clear (&X);
}

static void
test_pair (void)
{
  ScmCsr X;
  g_autofree gint32 *groups = NULL;
  load_fixture (&X, &groups);
  ScmRankTest rt, rt_cc;
  ScmWilcoxonOptions cc = { .use_continuity = TRUE };
  g_assert_true (scm_wilcoxon (&X, groups, 4, 2, NULL, &rt, NULL));
  g_assert_true (scm_wilcoxon (&X, groups, 4, 2, &cc, &rt_cc, NULL));
  check_against_scipy (&rt, &rt_cc, "pair0v2", 0);
  g_assert_cmpint (rt.rest_sizes[0], ==, rt.group_sizes[2]);
  scm_rank_test_clear (&rt);
  scm_rank_test_clear (&rt_cc);
  scm_csr_clear (&X);
}

static void
compare_fast_naive (const ScmCsr *X, const gint32 *groups, gint32 G, gint32 ref)
{
  ScmRankTest a, b;
  g_assert_true (scm_wilcoxon (X, groups, G, ref, NULL, &a, NULL));
  g_assert_true (scm_wilcoxon_naive (X, groups, G, ref, NULL, &b, NULL));
  double worst = 0;
  for (gint64 k = 0; k < (gint64) G * X->n_cols; k++)
    {
      if (isnan (a.u[k]))
        {
          g_assert_true (isnan (b.u[k]));
          continue;
        }
      g_assert_cmpfloat (fabs (a.u[k] - b.u[k]), <=, 1e-9 * fabs (b.u[k]) + 1e-9);
      g_assert_cmpfloat (fabs (a.pvals[k] - b.pvals[k]), <=, 1e-9 * b.pvals[k] + 1e-300);
      /* logfc is NaN when negative (scaled) values make expm1(mean) < -1 */
      g_assert_cmpint (isnan (a.logfc[k]), ==, isnan (b.logfc[k]));
      if (!isnan (b.logfc[k]))
        g_assert_cmpfloat (fabs (a.logfc[k] - b.logfc[k]), <=, 1e-9 * fabs (b.logfc[k]) + 1e-9);
      worst = MAX (worst, fabs (a.scores[k] - b.scores[k]));
    }
  g_assert_cmpfloat (worst, <, 1e-9);
  scm_rank_test_clear (&a);
  scm_rank_test_clear (&b);
}

static void
test_fast_vs_naive (void)
{
  ScmCsr X;
  g_autofree gint32 *groups = NULL;
  load_fixture (&X, &groups);
  compare_fast_naive (&X, groups, 4, -1);
  compare_fast_naive (&X, groups, 4, 1);
  /* cells left out (-1) and negative values (scaled data) */
  for (gint64 i = 0; i < X.n_rows; i += 7)
    groups[i] = -1;
  for (gint64 k = 0; k < scm_csr_nnz (&X); k += 3)
    X.data[k] = -X.data[k];
  compare_fast_naive (&X, groups, 4, -1);
  compare_fast_naive (&X, groups, 4, 3);
  scm_csr_clear (&X);
}

static void
test_bh_and_edges (void)
{
  double p[] = { 0.01, 0.04, 0.03, 0.5, NAN };
  double adj[5];
  scm_bh_adjust (p, 5, adj);
  /* sorted 0.01 0.03 0.04 0.5 1 -> 0.05 0.0667 0.0667 0.625 1 */
  g_assert_cmpfloat (fabs (adj[0] - 0.05), <, 1e-15);
  g_assert_cmpfloat (fabs (adj[1] - 0.04 * 5 / 3), <, 1e-15);
  g_assert_cmpfloat (fabs (adj[2] - 0.04 * 5 / 3), <, 1e-15);
  g_assert_cmpfloat (fabs (adj[3] - 0.625), <, 1e-15);
  g_assert_cmpfloat (adj[4], ==, 1.0);
  /* a constant gene: z = 0, p = 1 */
  double u, z, pv;
  scm_mwu_from_rank_sum (3 * 3.5, 3, 3, 6.0 * 6 * 6 - 6, FALSE, &u, &z, &pv);
  g_assert_cmpfloat (z, ==, 0.0);
  g_assert_cmpfloat (pv, ==, 1.0);
  /* bad input */
  ScmCsr X;
  g_assert_true (scm_csr_alloc (&X, 2, 1, 0, NULL));
  gint32 g[] = { 0, 5 };
  ScmRankTest rt;
  g_autoptr (GError) error = NULL;
  g_assert_false (scm_wilcoxon (&X, g, 2, -1, NULL, &rt, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (scm_wilcoxon (&X, g, 1, -1, NULL, &rt, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  scm_csr_clear (&X);
}

static void
test_top (void)
{
  ScmCsr X;
  g_autofree gint32 *groups = NULL;
  load_fixture (&X, &groups);
  ScmRankTest rt;
  g_assert_true (scm_wilcoxon (&X, groups, 4, -1, NULL, &rt, NULL));
  gint64 idx[5];
  g_assert_cmpint (scm_rank_test_top (&rt, 1, 5, idx), ==, 5);
  for (int k = 1; k < 5; k++)
    g_assert_cmpfloat (rt.scores[rt.n_genes + idx[k - 1]], >=, rt.scores[rt.n_genes + idx[k]]);
  scm_rank_test_clear (&rt);
  scm_csr_clear (&X);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/markers/one-vs-rest", test_one_vs_rest);
  g_test_add_func ("/stats/markers/pair", test_pair);
  g_test_add_func ("/stats/markers/fast-vs-naive", test_fast_vs_naive);
  g_test_add_func ("/stats/markers/bh-and-edges", test_bh_and_edges);
  g_test_add_func ("/stats/markers/top", test_top);
  return g_test_run ();
}
