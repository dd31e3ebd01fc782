/* test-lasso.c: point-in-polygon for lasso selection and gates. */
#include <math.h>

#include "scm-lasso.h"

static void
test_square (void)
{
  const float sq[] = { 0, 0, 10, 0, 10, 10, 0, 10 };
  g_assert_true (scm_lasso_contains (sq, 4, 5, 5));
  g_assert_true (scm_lasso_contains (sq, 4, 0.1f, 9.9f));
  g_assert_false (scm_lasso_contains (sq, 4, -1, 5));
  g_assert_false (scm_lasso_contains (sq, 4, 5, 10.5f));
  g_assert_false (scm_lasso_contains (sq, 4, 11, 11));
  g_assert_cmpfloat_with_epsilon (scm_lasso_area (sq, 4), 100.0, 1e-9);
}

static void
test_concave (void)
{
  /* A "U": the notch between the arms is outside. */
  const float u[] = { 0, 0, 9, 0, 9, 9, 6, 9, 6, 3, 3, 3, 3, 9, 0, 9 };
  g_assert_true (scm_lasso_contains (u, 8, 1.5f, 6));   /* left arm */
  g_assert_true (scm_lasso_contains (u, 8, 7.5f, 6));   /* right arm */
  g_assert_true (scm_lasso_contains (u, 8, 4.5f, 1.5f)); /* base */
  g_assert_false (scm_lasso_contains (u, 8, 4.5f, 6));  /* notch */
}

static void
test_vertex_on_ray (void)
{
  /* Diamond: a ray from the centre passes exactly through vertices; each
   * crossing must be counted once. */
  const float d[] = { 0, -1, 1, 0, 0, 1, -1, 0 };
  g_assert_true (scm_lasso_contains (d, 4, 0, 0));
  g_assert_false (scm_lasso_contains (d, 4, -2, 0));
  g_assert_false (scm_lasso_contains (d, 4, 2, 0));
}

static void
test_degenerate (void)
{
  const float line[] = { 0, 0, 1, 1 };
  g_assert_false (scm_lasso_contains (line, 2, 0.5f, 0.5f));
  const float sq[] = { 0, 0, 1, 0, 1, 1, 0, 1 };
  g_assert_false (scm_lasso_contains (sq, 4, NAN, 0.5f));
}

static void
test_select_matches_contains (void)
{
  /* Star-shaped polygon against a grid of points, with visibility. */
  float poly[20];
  for (int k = 0; k < 10; k++)
    {
      double r = (k % 2) ? 2.0 : 5.0, a = k * G_PI / 5;
      poly[2 * k] = (float) (r * cos (a));
      poly[2 * k + 1] = (float) (r * sin (a));
    }
  enum { N = 61 * 61 };
  static float xy[2 * N];
  static guint8 vis[N], mask[N];
  for (int i = 0; i < N; i++)
    {
      xy[2 * i] = -6 + 12.f * (i % 61) / 60;
      xy[2 * i + 1] = -6 + 12.f * (i / 61) / 60;
      vis[i] = (i % 7) != 0;
    }
  gint64 count = scm_lasso_select (poly, 10, xy, N, vis, mask);
  gint64 expect = 0;
  for (int i = 0; i < N; i++)
    {
      gboolean in = vis[i] && scm_lasso_contains (poly, 10, xy[2 * i], xy[2 * i + 1]);
      g_assert_cmpint (mask[i], ==, in);
      expect += in;
    }
  g_assert_cmpint (count, ==, expect);
  g_assert_cmpint (count, >, 100);
  /* Hidden points are never selected. */
  g_assert_cmpint (mask[30 * 61 + 30 - (30 * 61 + 30) % 7], ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/lasso/square", test_square);
  g_test_add_func ("/app/lasso/concave", test_concave);
  g_test_add_func ("/app/lasso/vertex-on-ray", test_vertex_on_ray);
  g_test_add_func ("/app/lasso/degenerate", test_degenerate);
  g_test_add_func ("/app/lasso/select-matches-contains", test_select_matches_contains);
  return g_test_run ();
}
