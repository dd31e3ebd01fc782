/* bench-graph.c: per-component timings of the analysis graph engine:
 * kNN (exact and NN-descent, recall), UMAP connectivities, Leiden, UMAP
 * layout (trustworthiness), with peak RSS.  Input is an obsm matrix of an
 * .h5ad (e.g. X_pca written by `scmmae pca`) or a synthetic Gaussian
 * mixture for the 100k / 1M scale runs.  Reference figures for the Python
 * stack (pynndescent, umap-learn, leidenalg) are in ../shared/bench.
 *
 *   bench-graph --h5ad pca.h5ad --use-rep X_pca [--labels cell_type]
 *   bench-graph --synthetic 1000000 --dims 50 --skip-exact
 *   bench-graph --synthetic 100000 --dims 50 --dump-npy syn.npy   (for
 *       pynndescent-recall.py: the same points in the Python stack)
 * Results and exact command lines: README.md beside this file.
 */
#include "analysis/scm-leiden.h"
#include "analysis/scm-neighbors.h"
#include "analysis/scm-umap.h"
#include "io/scm-io.h"
#include "util/scm-blas.h"
#include "util/scm-rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sys/resource.h>

static double
now (void)
{
  return (double) g_get_monotonic_time () / 1e6;
}

/* CPU seconds of the process (all threads): less sensitive than wall time
 * to other jobs on a shared machine. */
static double
cpu (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double
peak_rss_mb (void)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return NAN;
  const char *p = strstr (text, "VmHWM:");
  return p ? g_ascii_strtod (p + 6, NULL) / 1024.0 : NAN;
}

static float *
synthetic (gint64 n, gint64 d, int n_clusters, guint64 seed, gint32 *labels)
{
  ScmRng r;
  scm_rng_seed (&r, seed);
  float *C = g_new (float, (gsize) n_clusters * d);
  double *scale = g_new (double, n_clusters);
  for (gint64 i = 0; i < (gint64) n_clusters * d; i++)
    C[i] = (float) (4.0 * scm_rng_normal (&r));
  for (int c = 0; c < n_clusters; c++)
    scale[c] = 0.5 + scm_rng_uniform (&r);
  float *X = g_try_new (float, (gsize) n * d);
  if (!X)
    g_error ("cannot allocate %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT, n, d);
  for (gint64 i = 0; i < n; i++)
    {
      int c = (int) scm_rng_below (&r, n_clusters);
      labels[i] = c;
      for (gint64 j = 0; j < d; j++)
        X[i * d + j] = C[c * d + j] + (float) (scale[c] * scm_rng_normal (&r));
    }
  g_free (C);
  g_free (scale);
  return X;
}

static double
ari (const gint32 *a, const gint32 *b, gint64 n)
{
  gint32 na = 0, nb = 0;
  for (gint64 i = 0; i < n; i++)
    {
      na = MAX (na, a[i] + 1);
      nb = MAX (nb, b[i] + 1);
    }
  double *tab = g_new0 (double, (gsize) na * nb), *ra = g_new0 (double, na), *rb = g_new0 (double, nb);
  for (gint64 i = 0; i < n; i++)
    if (a[i] >= 0 && b[i] >= 0)
      {
        tab[(gsize) a[i] * nb + b[i]]++;
        ra[a[i]]++;
        rb[b[i]]++;
      }
#define C2(x) ((x) * ((x) - 1) / 2)
  double sij = 0, sa = 0, sb = 0, tot = 0;
  for (gsize i = 0; i < (gsize) na * nb; i++)
    sij += C2 (tab[i]);
  for (gint32 i = 0; i < na; i++)
    {
      sa += C2 (ra[i]);
      tot += ra[i];
    }
  for (gint32 i = 0; i < nb; i++)
    sb += C2 (rb[i]);
  double e = sa * sb / C2 (tot), mx = 0.5 * (sa + sb);
#undef C2
  g_free (tab);
  g_free (ra);
  g_free (rb);
  return (sij - e) / (mx - e);
}

/* X as a NumPy .npy file (float32, C order) so the Python stack can run
 * on the very same synthetic points (pynndescent-recall.py). */
static void
dump_npy (const char *path, const float *X, gint64 n, gint64 d)
{
  FILE *f = fopen (path, "wb");
  if (!f)
    g_error ("cannot write %s", path);
  char head[128];
  int len = g_snprintf (head, sizeof head,
                        "{'descr': '<f4', 'fortran_order': False, 'shape': (%" G_GINT64_FORMAT
                        ", %" G_GINT64_FORMAT "), }", n, d);
  /* magic (6) + version (2) + length (2) + header, padded to 64 with '\n' */
  int total = (10 + len + 1 + 63) / 64 * 64;
  while (10 + len < total - 1)
    head[len++] = ' ';
  head[len++] = '\n';
  guint16 hl = GUINT16_TO_LE ((guint16) len);
  if (fwrite ("\x93NUMPY\x01\x00", 1, 8, f) != 8 || fwrite (&hl, 2, 1, f) != 1
      || fwrite (head, 1, len, f) != (size_t) len
      || fwrite (X, sizeof (float), (size_t) (n * d), f) != (size_t) (n * d) || fclose (f) != 0)
    g_error ("write failed: %s", path);
}

/* Recall of approx against exact neighbours of `sample` random rows. */
static double
sampled_recall (const float *X, gint64 n, gint64 d, const ScmKnn *approx, int sample)
{
  ScmRng r;
  scm_rng_seed (&r, 99);
  int k = approx->k;
  gint32 *hi = g_new (gint32, k);
  float *hd = g_new (float, k);
  gint64 hits = 0, total = 0;
  for (int s = 0; s < sample; s++)
    {
      gint64 i = (gint64) scm_rng_below (&r, n);
      for (int q = 0; q < k - 1; q++)
        hi[q] = -1, hd[q] = INFINITY;
      for (gint64 j = 0; j < n; j++)
        {
          if (j == i)
            continue;
          float dd = 0;
          for (gint64 c = 0; c < d; c++)
            dd += (X[i * d + c] - X[j * d + c]) * (X[i * d + c] - X[j * d + c]);
          /* insertion into a sorted list of k - 1 */
          if (dd < hd[k - 2])
            {
              int p = k - 2;
              while (p > 0 && hd[p - 1] > dd)
                {
                  hd[p] = hd[p - 1];
                  hi[p] = hi[p - 1];
                  p--;
                }
              hd[p] = dd;
              hi[p] = (gint32) j;
            }
        }
      for (int q = 0; q < k - 1; q++)
        {
          total++;
          for (int y = 1; y < k; y++)
            if (approx->indices[i * k + y] == hi[q])
              {
                hits++;
                break;
              }
        }
    }
  g_free (hi);
  g_free (hd);
  return (double) hits / (double) total;
}

int
main (int argc, char **argv)
{
  g_autofree char *h5ad = NULL, *use_rep = NULL, *labels_col = NULL, *dump = NULL;
  gint64 n_syn = 0, dims = 50, k = 15, threads = 0, epochs = 0, trust_sub = 3000;
  gboolean skip_exact = FALSE, skip_umap = FALSE, skip_nnd = FALSE, skip_leiden = FALSE;
  GOptionEntry entries[] = {
    { "h5ad", 0, 0, G_OPTION_ARG_FILENAME, &h5ad, "Input .h5ad", "FILE" },
    { "use-rep", 0, 0, G_OPTION_ARG_STRING, &use_rep, "obsm key (default X_pca)", "KEY" },
    { "labels", 0, 0, G_OPTION_ARG_STRING, &labels_col, "obs column for ARI", "COL" },
    { "synthetic", 0, 0, G_OPTION_ARG_INT64, &n_syn, "Synthetic mixture of N cells", "N" },
    { "dims", 0, 0, G_OPTION_ARG_INT64, &dims, "Synthetic dimensions (50)", "D" },
    { "k", 'k', 0, G_OPTION_ARG_INT64, &k, "Neighbours incl. self (15)", "K" },
    { "threads", 0, 0, G_OPTION_ARG_INT64, &threads, "Threads (0 = all)", "T" },
    { "epochs", 0, 0, G_OPTION_ARG_INT64, &epochs, "UMAP epochs (0 = umap-learn rule)", "E" },
    { "trust-sample", 0, 0, G_OPTION_ARG_INT64, &trust_sub, "Cells for trustworthiness (3000)", "N" },
    { "skip-exact", 0, 0, G_OPTION_ARG_NONE, &skip_exact, "No exact kNN (sampled recall instead)", NULL },
    { "skip-nndescent", 0, 0, G_OPTION_ARG_NONE, &skip_nnd, "No NN-descent (graph from exact)", NULL },
    { "skip-umap", 0, 0, G_OPTION_ARG_NONE, &skip_umap, "No UMAP layout", NULL },
    { "skip-leiden", 0, 0, G_OPTION_ARG_NONE, &skip_leiden, "No Leiden", NULL },
    { "dump-npy", 0, 0, G_OPTION_ARG_FILENAME, &dump, "Write the input points to FILE.npy and stop", "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- time kNN, connectivities, Leiden, UMAP");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!h5ad && n_syn <= 0)
    {
      g_printerr ("give --h5ad FILE (e.g. from `scmmae pca`) or --synthetic N\n");
      return 2;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);   /* lines appear as steps finish */
  printf ("# %s, %d processors\n", scm_blas_describe (), (int) g_get_num_processors ());
  gint64 n, d;
  float *X;
  gint32 *truth = NULL;
  g_autoptr (ScmDataset) ds = NULL;
  double t0 = now (), c0 = cpu ();
  if (h5ad)
    {
      ds = scm_dataset_read (h5ad, NULL, &error);
      if (!ds)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      ScmMatrix *m = scm_neighbors_find_rep (ds, use_rep, &error);
      if (!m)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      n = m->n_rows;
      d = m->n_cols;
      X = m->data;
      if (labels_col)
        {
          ScmColumn *c = scm_dataset_get_obs (ds, labels_col);
          if (c && c->kind == SCM_COLUMN_CATEGORICAL)
            truth = g_memdup2 (c->codes, n * sizeof (gint32));
        }
    }
  else
    {
      n = n_syn;
      d = dims;
      truth = g_new (gint32, n);
      X = synthetic (n, d, 30, 1, truth);
    }
  printf ("input: %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT " (%.2f s), rss %.0f MB\n", n, d,
          now () - t0, peak_rss_mb ());
  if (dump)
    {
      dump_npy (dump, X, n, d);
      printf ("wrote %s\n", dump);
      g_free (truth);
      if (!h5ad)
        g_free (X);
      return 0;
    }

  ScmKnn exact = { 0 }, approx = { 0 };
  ScmKnnOptions o;
  scm_knn_options_init (&o);
  o.k = (int) k;
  o.n_threads = (int) threads;
  double t_exact = NAN, t_nnd = NAN;
  if (!skip_exact)
    {
      o.method = SCM_KNN_EXACT;
      t0 = now ();
  c0 = cpu ();
      c0 = cpu ();
      if (!scm_knn_compute (X, n, d, &o, &exact, &error))
        g_error ("%s", error->message);
      t_exact = now () - t0;
      printf ("knn_exact_k%d: %.3f s (cpu %.3f s), peak rss %.0f MB\n", o.k, t_exact, cpu () - c0, peak_rss_mb ());
    }
  if (!skip_nnd)
    {
      o.method = SCM_KNN_NNDESCENT;
      t0 = now ();
  c0 = cpu ();
      c0 = cpu ();
      if (!scm_knn_compute (X, n, d, &o, &approx, &error))
        g_error ("%s", error->message);
      t_nnd = now () - t0;
      double c_nnd = cpu () - c0;
      double rec = skip_exact ? sampled_recall (X, n, d, &approx, 500) : scm_knn_recall (&approx, &exact);
      printf ("knn_nndescent_k%d: %.3f s (cpu %.3f s), recall %.4f%s, peak rss %.0f MB\n", o.k, t_nnd, c_nnd, rec,
              skip_exact ? " (500 sampled cells)" : "", peak_rss_mb ());
    }
  /* the graph from the method AUTO would use */
  gboolean use_exact = !skip_exact && (skip_nnd || n <= SCM_KNN_EXACT_MAX_CELLS);
  ScmKnn *knn = use_exact ? &exact : &approx;
  t0 = now ();
  c0 = cpu ();
  ScmGraph g;
  if (!scm_graph_umap_connectivities (knn, &g, &error))
    g_error ("%s", error->message);
  double t_conn = now () - t0;
  printf ("connectivities (from %s kNN): %.3f s (cpu %.3f s), %" G_GINT64_FORMAT " edges\n",
          use_exact ? "exact" : "NN-descent", t_conn, cpu () - c0, scm_graph_nnz (&g) / 2);
  scm_knn_clear (&exact);
  scm_knn_clear (&approx);

  ScmLeidenOptions lo;
  scm_leiden_options_init (&lo);
  gint32 *memb = g_new (gint32, n), nc;
  double q;
  double t_leiden = 0;
  if (!skip_leiden)
    {
      t0 = now ();
      c0 = cpu ();
      if (!scm_leiden (&g, &lo, memb, &nc, &q, &error))
        g_error ("%s", error->message);
      t_leiden = now () - t0;
      printf ("leiden_rbconfig_r1: %.3f s (cpu %.3f s), %d clusters, quality %.6g", t_leiden, cpu () - c0, nc, q);
      if (truth)
        printf (", ARI vs truth %.4f", ari (memb, truth, n));
      printf (", peak rss %.0f MB\n", peak_rss_mb ());
      lo.quality = SCM_LEIDEN_MODULARITY;
      t0 = now ();
      c0 = cpu ();
      if (!scm_leiden (&g, &lo, memb, &nc, &q, &error))
        g_error ("%s", error->message);
      printf ("leiden_modularity: %.3f s, %d clusters, modularity %.5f\n", now () - t0, nc, q);
    }

  double t_umap = NAN;
  if (!skip_umap)
    {
      ScmUmapOptions uo;
      scm_umap_options_init (&uo);
      uo.n_threads = (int) threads;
      uo.n_epochs = (int) epochs;
      float *E = g_try_new (float, (gsize) n * 2);
      /* the spectral initialisation alone (the layout repeats it) */
      t0 = now ();
      c0 = cpu ();
      gboolean spec = E && scm_umap_spectral_init (&g, 2, 0, E);
      printf ("umap_spectral_init: %.3f s (cpu %.3f s)%s\n", now () - t0, cpu () - c0,
              spec ? "" : ", not used (graph disconnected or solver failed)");
      t0 = now ();
  c0 = cpu ();
      c0 = cpu ();
      if (!E || !scm_umap_layout (&g, &uo, E, &error))
        g_error ("UMAP failed");
      t_umap = now () - t0;
      double c_umap = cpu () - c0;
      /* trustworthiness on a subsample (O(m^2)) */
      gint64 m = MIN (n, trust_sub), stride = n / m;
      float *Xs = g_new (float, m * d), *Es = g_new (float, m * 2);
      for (gint64 i = 0; i < m; i++)
        {
          memcpy (Xs + i * d, X + i * stride * d, d * sizeof (float));
          memcpy (Es + i * 2, E + i * stride * 2, 2 * sizeof (float));
        }
      double tw = scm_trustworthiness (Xs, d, Es, 2, m, 15);
      printf ("umap_layout: %.3f s (cpu %.3f s), trustworthiness k15 on %" G_GINT64_FORMAT
              " cells %.4f, peak rss %.0f MB\n", t_umap, c_umap, m, tw, peak_rss_mb ());
      g_free (Xs);
      g_free (Es);
      g_free (E);
    }
  double knn_t = use_exact ? t_exact : t_nnd;
  printf ("total (kNN used + connectivities + Leiden RB + UMAP): %.3f s\n",
          knn_t + t_conn + t_leiden + (isnan (t_umap) ? 0 : t_umap));
  g_free (memb);
  g_free (truth);
  scm_graph_clear (&g);
  if (!h5ad)
    g_free (X);
  return 0;
}
