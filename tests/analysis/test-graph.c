/* test-graph.c: UMAP connectivities against umap-learn's
 * fuzzy_simplicial_set (committed fixture), and the graph helpers. */
#include "analysis-test-util.h"
#include "analysis/scm-graph.h"
#include "scm-error.h"

#include <math.h>
#include <stdlib.h>

static void
test_connectivities_parity (void)
{
  g_autofree char *text = atest_fixture_text ("conn_small.txt");
  char *p = text, *end;
  gint64 n = strtoll (p, &end, 10);
  p = end;
  int k = (int) strtol (p, &end, 10);
  p = end;
  gint64 nnz = strtoll (p, &end, 10);
  p = end;
  ScmKnn knn;
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_knn_alloc (&knn, n, k, &error));
  for (gint64 i = 0; i < n * k; i++)
    {
      knn.indices[i] = (gint32) strtol (p, &end, 10);
      p = end;
    }
  for (gint64 i = 0; i < n * k; i++)
    {
      knn.distances[i] = strtof (p, &end);
      p = end;
    }
  double *dense = g_new0 (double, n * n);
  for (gint64 e = 0; e < nnz; e++)
    {
      gint64 r = strtoll (p, &end, 10);
      p = end;
      gint64 c = strtoll (p, &end, 10);
      p = end;
      dense[r * n + c] = strtod (p, &end);
      g_assert_true (end != p);
      p = end;
    }
  ScmGraph g;
  g_assert_true (scm_graph_umap_connectivities (&knn, &g, &error));
  g_assert_no_error (error);
  g_assert_cmpint (scm_graph_nnz (&g), ==, nnz);
  double max_diff = 0;
  for (gint64 i = 0; i < n; i++)
    for (gint64 q = g.indptr[i]; q < g.indptr[i + 1]; q++)
      {
        gint32 j = g.indices[q];
        g_assert_cmpint (j, !=, i);
        if (q > g.indptr[i])
          g_assert_cmpint (j, >, g.indices[q - 1]);
        g_assert_cmpfloat (dense[i * n + j], >, 0);
        max_diff = MAX (max_diff, fabs (g.weights[q] - dense[i * n + j]));
      }
  g_test_message ("connectivities vs umap-learn: %" G_GINT64_FORMAT " entries, max |diff| %.2e",
                  nnz, max_diff);
  g_assert_cmpfloat (max_diff, <, 1e-5);
  g_free (dense);
  scm_graph_clear (&g);
  scm_knn_clear (&knn);
}

static void
test_from_edges_components (void)
{
  /* 0-1-2 triangle, 3-4 pair, 5 isolated; a duplicate and a self loop */
  gint32 s[] = { 0, 1, 2, 3, 1, 4 };
  gint32 t[] = { 1, 2, 0, 4, 0, 4 };
  double w[] = { 1, 2, 3, 4, 0.5, 9 };
  ScmGraph g;
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_graph_from_edges (&g, 6, 6, s, t, w, &error));
  g_assert_cmpint (scm_graph_nnz (&g), ==, 8);
  g_assert_cmpfloat_with_epsilon (scm_graph_total_weight (&g), 10.5, 1e-12);
  g_assert_cmpint (g.indices[g.indptr[0]], ==, 1);
  g_assert_cmpfloat_with_epsilon (g.weights[g.indptr[0]], 1.5, 1e-12);
  gint32 comp[6];
  g_assert_cmpint (scm_graph_components (&g, comp), ==, 3);
  g_assert_cmpint (comp[2], ==, 0);
  g_assert_cmpint (comp[4], ==, 1);
  g_assert_cmpint (comp[5], ==, 2);
  ScmGraph h;
  g_assert_true (scm_graph_copy (&h, &g, &error));
  g_assert_cmpmem (h.weights, 8 * sizeof (double), g.weights, 8 * sizeof (double));
  scm_graph_clear (&h);
  scm_graph_clear (&g);
  gint32 bad_t[] = { 7 };
  g_autoptr (GError) e2 = NULL;
  g_assert_false (scm_graph_from_edges (&g, 6, 1, s, bad_t, w, &e2));
  g_assert_error (e2, SCM_ERROR, SCM_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/analysis/graph/connectivities-parity", test_connectivities_parity);
  g_test_add_func ("/analysis/graph/from-edges-components", test_from_edges_components);
  return g_test_run ();
}
