/* test-leiden.c: Leiden against leidenalg on pbmc10k's graph (quality and
 * ARI), monotone quality across iterations, connected communities,
 * determinism, and a toy graph. */
#include "analysis-test-util.h"
#include "analysis/scm-leiden.h"

#include <math.h>
#include <stdlib.h>

static ScmGraph pbmc_graph;
static gboolean have_pbmc;

static gboolean
pbmc10k_graph (void)
{
  if (have_pbmc)
    return TRUE;
  gint64 n, d;
  float *X = atest_pbmc10k_clr (&n, &d);
  if (!X)
    return FALSE;
  atest_graph_of (X, n, d, 15, &pbmc_graph);
  g_free (X);
  have_pbmc = TRUE;
  return TRUE;
}

static gint32 *
ref_membership (gint64 n)
{
  g_autofree char *text = atest_fixture_text ("leiden_rb.txt");
  gint32 *m = g_new (gint32, n);
  char *p = text, *end;
  for (gint64 i = 0; i < n; i++)
    {
      m[i] = (gint32) strtol (p, &end, 10);
      g_assert_true (end != p);
      p = end;
    }
  return m;
}

static void
test_parity_pbmc10k (void)
{
  if (!pbmc10k_graph ())
    return;
  ScmGraph *g = &pbmc_graph;
  g_test_message ("graph: %" G_GINT64_FORMAT " nodes, %" G_GINT64_FORMAT " stored entries"
                  " (umap-learn %g), total weight %.4f (umap-learn %.4f)",
                  g->n, scm_graph_nnz (g), atest_ref_scalar ("graph_nnz"),
                  scm_graph_total_weight (g), atest_ref_scalar ("graph_total_weight"));
  g_assert_cmpfloat (fabs (scm_graph_total_weight (g) - atest_ref_scalar ("graph_total_weight")),
                     <, 1e-3 * atest_ref_scalar ("graph_total_weight"));
  gint32 *ref = ref_membership (g->n);
  double q_ref = atest_ref_scalar ("leiden_rb_quality");
  double q_ref_here = scm_leiden_quality (g, ref, SCM_LEIDEN_RB_CONFIGURATION, 1.0);
  /* our quality formula on the same partition agrees with leidenalg's */
  g_assert_cmpfloat (fabs (q_ref_here - q_ref), <, 1e-3 * fabs (q_ref));

  ScmLeidenOptions o;
  scm_leiden_options_init (&o);
  gint32 *m = g_new (gint32, g->n);
  gint32 nc;
  double q;
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_leiden (g, &o, m, &nc, &q, &error));
  g_assert_no_error (error);
  double ari = atest_ari (m, ref, g->n);
  g_test_message ("RB config: ours Q=%.4f with %d clusters, leidenalg Q=%.4f with %g clusters;"
                  " ARI %.4f", q, nc, q_ref, atest_ref_scalar ("leiden_rb_n_clusters"), ari);
  g_assert_cmpfloat (q, >=, 0.99 * q_ref);
  g_assert_cmpfloat (ari, >=, 0.9);

  o.quality = SCM_LEIDEN_MODULARITY;
  g_assert_true (scm_leiden (g, &o, m, &nc, &q, &error));
  double qm_ref = atest_ref_scalar ("leiden_mod_igraph_modularity");
  g_test_message ("modularity: ours %.5f (%d clusters), leidenalg %.5f (%g clusters)", q, nc,
                  qm_ref, atest_ref_scalar ("leiden_mod_n_clusters"));
  g_assert_cmpfloat (q, >=, 0.99 * qm_ref);
  g_assert_cmpfloat (fabs (atest_ref_scalar ("leiden_mod_quality") - qm_ref), <, 1e-6);
  g_free (m);
  g_free (ref);
}

static void
test_quality_monotone (void)
{
  if (!pbmc10k_graph ())
    return;
  ScmGraph *g = &pbmc_graph;
  for (int kind = 0; kind < 2; kind++)
    {
      ScmLeidenOptions o;
      scm_leiden_options_init (&o);
      o.quality = kind ? SCM_LEIDEN_MODULARITY : SCM_LEIDEN_RB_CONFIGURATION;
      o.resolution = 0.5;
      o.seed = 11;
      gint32 *m = g_new (gint32, g->n);
      for (gint64 i = 0; i < g->n; i++)
        m[i] = (gint32) i;
      double q = scm_leiden_quality (g, m, o.quality, o.resolution);
      int it;
      for (it = 0; it < 20; it++)
        {
          gboolean changed;
          g_autoptr (GError) error = NULL;
          g_assert_true (scm_leiden_iterate (g, &o, it, m, &changed, &error));
          double q2 = scm_leiden_quality (g, m, o.quality, o.resolution);
          g_assert_cmpfloat (q2, >=, q - 1e-9 * fabs (q));
          q = q2;
          if (!changed)
            break;
        }
      g_test_message ("quality %d: stable after %d iterations, Q = %.5f", kind, it + 1, q);
      g_assert_cmpint (it, <, 20);
      g_free (m);
    }
}

/* Every community induces a connected subgraph (Leiden's guarantee). */
static void
assert_communities_connected (const ScmGraph *g, const gint32 *m, gint32 nc)
{
  gint32 *seen = g_new0 (gint32, g->n), *stack = g_new (gint32, g->n);
  gint64 *size = g_new0 (gint64, nc);
  for (gint64 i = 0; i < g->n; i++)
    size[m[i]]++;
  guint8 *done = g_new0 (guint8, nc);
  for (gint64 s = 0; s < g->n; s++)
    {
      if (done[m[s]])
        continue;
      done[m[s]] = 1;
      gint64 top = 0, reached = 1;
      stack[top++] = (gint32) s;
      seen[s] = 1;
      while (top)
        {
          gint32 u = stack[--top];
          for (gint64 p = g->indptr[u]; p < g->indptr[u + 1]; p++)
            {
              gint32 v = g->indices[p];
              if (!seen[v] && m[v] == m[s])
                {
                  seen[v] = 1;
                  reached++;
                  stack[top++] = v;
                }
            }
        }
      g_assert_cmpint (reached, ==, size[m[s]]);
    }
  g_free (seen);
  g_free (stack);
  g_free (size);
  g_free (done);
}

static void
test_connected_communities (void)
{
  if (!pbmc10k_graph ())
    return;
  const double res[] = { 0.2, 1.0, 3.0 };
  for (gsize r = 0; r < G_N_ELEMENTS (res); r++)
    {
      ScmLeidenOptions o;
      scm_leiden_options_init (&o);
      o.resolution = res[r];
      o.n_iterations = 2;
      gint32 *m = g_new (gint32, pbmc_graph.n);
      gint32 nc;
      g_autoptr (GError) error = NULL;
      g_assert_true (scm_leiden (&pbmc_graph, &o, m, &nc, NULL, &error));
      g_test_message ("resolution %.1f: %d clusters", res[r], nc);
      assert_communities_connected (&pbmc_graph, m, nc);
      /* renumbered by decreasing size */
      gint64 *size = g_new0 (gint64, nc);
      for (gint64 i = 0; i < pbmc_graph.n; i++)
        size[m[i]]++;
      for (gint32 c = 1; c < nc; c++)
        g_assert_cmpint (size[c], <=, size[c - 1]);
      g_free (size);
      g_free (m);
    }
}

static void
test_deterministic (void)
{
  if (!pbmc10k_graph ())
    return;
  ScmLeidenOptions o;
  scm_leiden_options_init (&o);
  o.seed = 3;
  gint64 n = pbmc_graph.n;
  gint32 *a = g_new (gint32, n), *b = g_new (gint32, n);
  g_assert_true (scm_leiden (&pbmc_graph, &o, a, NULL, NULL, NULL));
  g_assert_true (scm_leiden (&pbmc_graph, &o, b, NULL, NULL, NULL));
  g_assert_cmpmem (a, n * sizeof (gint32), b, n * sizeof (gint32));
  g_free (a);
  g_free (b);
}

static void
test_two_cliques (void)
{
  /* two 5-cliques joined by one weak edge, plus an isolated node */
  GArray *s = g_array_new (FALSE, FALSE, sizeof (gint32));
  GArray *t = g_array_new (FALSE, FALSE, sizeof (gint32));
  GArray *w = g_array_new (FALSE, FALSE, sizeof (double));
  for (int c = 0; c < 2; c++)
    for (int i = 0; i < 5; i++)
      for (int j = i + 1; j < 5; j++)
        {
          gint32 a = c * 5 + i, b = c * 5 + j;
          double one = 1;
          g_array_append_val (s, a);
          g_array_append_val (t, b);
          g_array_append_val (w, one);
        }
  gint32 a = 4, b = 5;
  double weak = 0.1;
  g_array_append_val (s, a);
  g_array_append_val (t, b);
  g_array_append_val (w, weak);
  ScmGraph g;
  g_assert_true (scm_graph_from_edges (&g, 11, s->len, (gint32 *) (gpointer) s->data,
                                       (gint32 *) (gpointer) t->data,
                                       (double *) (gpointer) w->data, NULL));
  gint32 m[11], nc;
  g_assert_true (scm_leiden (&g, NULL, m, &nc, NULL, NULL));
  g_assert_cmpint (nc, ==, 3);
  for (int i = 1; i < 5; i++)
    {
      g_assert_cmpint (m[i], ==, m[0]);
      g_assert_cmpint (m[5 + i], ==, m[5]);
    }
  g_assert_cmpint (m[0], !=, m[5]);
  g_assert_cmpint (m[10], ==, 2);
  scm_graph_clear (&g);
  g_array_unref (s);
  g_array_unref (t);
  g_array_unref (w);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/analysis/leiden/two-cliques", test_two_cliques);
  g_test_add_func ("/analysis/leiden/parity-pbmc10k", test_parity_pbmc10k);
  g_test_add_func ("/analysis/leiden/quality-monotone", test_quality_monotone);
  g_test_add_func ("/analysis/leiden/connected-communities", test_connected_communities);
  g_test_add_func ("/analysis/leiden/deterministic", test_deterministic);
  int r = g_test_run ();
  scm_graph_clear (&pbmc_graph);
  return r;
}
