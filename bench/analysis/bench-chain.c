/* bench-chain.c: our analysis chain vs the Scanpy-style reference stack,
 * side by side in one run on the same input.
 *
 * For each size: 10k = the real pbmc10k 10x file (6855 cells); larger
 * sizes = files built from real pbmc10k profiles by bench-chain-ref.py gen
 * (pairs of same-type cells mixed, library sizes rescaled, Poisson
 * counts), cached in --out-dir.  Ours: read -> normalise+log1p -> Seurat
 * HVG (2000) + scale -> PCA 50 (randomised) -> kNN k=15 -> connectivities
 * -> Leiden (RB, resolution 1) -> UMAP (on all processors, as `scmmae
 * analyze` and the app run it; then again on one thread, timed apart).
 * Both layouts are reproducible for their seed, as umap-learn's serial
 * layout (Scanpy passes a random_state) that they are compared with.  Reference:
 * /usr/bin/python3 bench-chain-ref.py run (ref_pipeline.py's functions:
 * h5py, sklearn PCA arpack/randomized, pynndescent, umap-learn, leidenalg),
 * spawned after our run so the two never compete for the CPU.
 *
 * Prints per-step seconds and peak RSS (VmHWM after clear_refs, as
 * ref_pipeline.py measures it) for both sides, ref/ours ratios,
 * scm_blas_describe(), and quality side by side: cluster count, ARI/NMI of
 * Leiden vs the labels (cell_type and wnn_cluster on pbmc10k), modularity,
 * UMAP trustworthiness (k 15, 5000-cell subsample, vs PCA-50; ours for both
 * thread counts).
 *
 * Usage: nice -n 10 bench-chain [--sizes 10000,100000] [--out-dir DIR] [--no-ref]
 */
#include "config.h"

#include "analysis/scm-graph.h"
#include "analysis/scm-knn.h"
#include "analysis/scm-leiden.h"
#include "analysis/scm-umap.h"
#include "io/scm-io.h"
#include "preprocess/scm-hvg.h"
#include "stats/scm-analyze.h"
#include "stats/scm-metrics.h"
#include "util/scm-blas.h"
#include "util/scm-rng.h"

#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_STEPS 16

typedef struct {
  const char *name;      /* our step */
  const char *ref_name;  /* ref_pipeline step(s), '+' separated, summed */
  double      s, peak_mb, ref_s, ref_peak_mb;
} Step;

typedef struct {
  Step   steps[MAX_STEPS];
  int    n_steps;
  /* quality */
  gint32 n_clusters, ref_n_clusters;
  double modularity, ref_modularity;
  double trust, ref_trust;
  char  *label_names[4];
  double ari[4], nmi[4], ref_ari[4], ref_nmi[4];
  int    n_labels;
  double total_s, ref_total_s;
  double umap_serial_s;    /* the layout again on one thread (not in total_s) */
  int    umap_threads;
  double trust_serial;
  gint64 n_cells, n_genes;
  const char *knn_method;
} Result;

static double
now_s (void)
{
  return (double) g_get_monotonic_time () / 1e6;
}

static void
reset_peak (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  if (f)
    {
      fputs ("5", f);
      fclose (f);
    }
}

static double
peak_mb (void)
{
  FILE *f = fopen ("/proc/self/status", "r");
  char line[256];
  double v = NAN;
  while (f && fgets (line, sizeof line, f))
    if (g_str_has_prefix (line, "VmHWM:"))
      v = g_ascii_strtod (line + 6, NULL) / 1024.0;
  if (f)
    fclose (f);
  return v;
}

static Step *
step_begin (Result *r, const char *name, const char *ref_name, double *t0)
{
  Step *s = &r->steps[r->n_steps++];
  s->name = name;
  s->ref_name = ref_name;
  s->ref_s = s->ref_peak_mb = NAN;
  reset_peak ();
  *t0 = now_s ();
  return s;
}

static void
step_end (Step *s, double t0)
{
  s->s = now_s () - t0;
  s->peak_mb = peak_mb ();
  g_printerr ("  ours %-22s %8.2f s\n", s->name, s->s);
}

static void
evict (const char *path)
{
  int fd = open (path, O_RDONLY);
  if (fd >= 0)
    {
      posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED);
      close (fd);
    }
}

static gboolean
run_ours (const char *h5, char **label_csvs, Result *r, GError **error)
{
  double t0, tt = now_s ();
  Step *s;
  evict (h5);
  s = step_begin (r, "read_h5_cold", "read_h5_cold", &t0);
  g_autoptr (ScmDataset) ds = scm_dataset_read (h5, NULL, error);
  if (!ds)
    return FALSE;
  step_end (s, t0);
  gint64 n = ds->n_cells;
  r->n_cells = n;
  r->n_genes = ds->rna ? ds->rna->X.n_cols : 0;

  ScmCsr ln = { 0 };
  s = step_begin (r, "normalize_log1p", "normalize_log1p", &t0);
  if (!scm_rna_lognorm (ds, &ln, error))
    return FALSE;
  step_end (s, t0);

  gint64 p = 0;
  s = step_begin (r, "hvg_seurat+scale", "hvg_seurat+scale", &t0);
  g_autofree float *D = scm_scaled_hvg (&ln, 2000, &p, error);
  scm_csr_clear (&ln);
  if (!D)
    return FALSE;
  step_end (s, t0);

  ScmPcaOptions po;
  scm_pca_options_init (&po);
  po.solver = SCM_PCA_RANDOMIZED;
  ScmPca pca;
  s = step_begin (r, "pca50_randomized", "pca50_arpack", &t0);
  if (!scm_pca_fit (D, n, p, &po, &pca, error))
    return FALSE;
  step_end (s, t0);
  g_clear_pointer (&D, g_free);
  float *P = pca.scores;
  gint64 d = pca.n_comps;

  ScmKnnOptions ko;
  scm_knn_options_init (&ko);
  ko.k = 15;
  ScmKnn knn = { 0 };
  r->knn_method = n <= SCM_KNN_EXACT_MAX_CELLS ? "exact" : "nndescent";
  s = step_begin (r, "knn_k15", "knn_nndescent_k15", &t0);
  if (!scm_knn_compute (P, n, d, &ko, &knn, error))
    return FALSE;
  step_end (s, t0);

  ScmGraph g = { 0 };
  s = step_begin (r, "connectivities_k15", "connectivities_k15+igraph_build", &t0);
  gboolean ok = scm_graph_umap_connectivities (&knn, &g, error);
  scm_knn_clear (&knn);
  if (!ok)
    return FALSE;
  step_end (s, t0);

  ScmLeidenOptions lo;
  scm_leiden_options_init (&lo);
  g_autofree gint32 *memb = g_new (gint32, n);
  s = step_begin (r, "leiden_rbconfig_r1", "leiden_rbconfig_r1", &t0);
  if (!scm_leiden (&g, &lo, memb, &r->n_clusters, NULL, error))
    return FALSE;
  step_end (s, t0);
  r->modularity = scm_leiden_quality (&g, memb, SCM_LEIDEN_MODULARITY, 1.0);

  ScmUmapOptions uo;
  scm_umap_options_init (&uo);
  uo.min_dist = 0.1;
  uo.n_threads = 0;
  r->umap_threads = (int) g_get_num_processors ();
  g_autofree float *E = g_new (float, n * 2);
  s = step_begin (r, "umap_layout", "umap_layout_serial", &t0);
  if (!scm_umap_layout (&g, &uo, E, error))
    return FALSE;
  step_end (s, t0);
  r->total_s = now_s () - tt;
  /* the same layout on one thread, timed apart */
  uo.n_threads = 1;
  g_autofree float *E2 = g_new (float, n * 2);
  double tu = now_s ();
  if (!scm_umap_layout (&g, &uo, E2, error))
    return FALSE;
  r->umap_serial_s = now_s () - tu;
  g_printerr ("  ours %-22s %8.2f s\n", "umap_layout_1_thread", r->umap_serial_s);
  scm_graph_clear (&g);

  /* quality */
  for (int l = 0; label_csvs[l] && l < 4; l++)
    {
      ScmLabelsReport rep = { 0 };
      g_autofree char *col = g_strdup_printf ("__label%d", l);
      if (!scm_labels_join_csv (ds, label_csvs[l], col, &rep, error))
        return FALSE;
      scm_labels_report_clear (&rep);
      g_auto (GStrv) cats = NULL;
      gint32 k = 0;
      g_autofree gint32 *codes = scm_obs_group_codes (ds, col, &cats, &k, error);
      if (!codes)
        return FALSE;
      ScmPartitionScores ps;
      if (!scm_metrics_partition (codes, memb, n, &ps, error))
        return FALSE;
      g_autofree char *base = g_path_get_basename (label_csvs[l]);
      char *dot = strrchr (base, '.');
      if (dot)
        *dot = '\0';
      /* "labels_cell_type" and "pbmc10k_resampled_N_labels_cell_type" -> "cell_type" */
      char *lab = g_strrstr (base, "labels_");
      r->label_names[l] = g_strdup (lab ? lab + 7 : base);
      r->ari[l] = ps.ari;
      r->nmi[l] = ps.nmi;
      r->n_labels = l + 1;
    }
  gint64 m = MIN (n, 5000);
  g_autofree gint32 *idx = g_new (gint32, n);
  for (gint64 i = 0; i < n; i++)
    idx[i] = (gint32) i;
  ScmRng rng;
  scm_rng_seed (&rng, 0);
  scm_rng_shuffle_i32 (&rng, idx, n);
  g_autofree float *Ps = g_new (float, m * d);
  g_autofree float *Es = g_new (float, m * 2), *Es2 = g_new (float, m * 2);
  for (gint64 i = 0; i < m; i++)
    {
      memcpy (Ps + i * d, P + (gint64) idx[i] * d, sizeof (float) * d);
      memcpy (Es + i * 2, E + (gint64) idx[i] * 2, sizeof (float) * 2);
      memcpy (Es2 + i * 2, E2 + (gint64) idx[i] * 2, sizeof (float) * 2);
    }
  r->trust = scm_trustworthiness (Ps, d, Es, 2, m, 15);
  r->trust_serial = scm_trustworthiness (Ps, d, Es2, 2, m, 15);
  scm_pca_clear (&pca);
  return TRUE;
}

static Step *
find_step_by_ref (Result *r, const char *ref_step)
{
  for (int i = 0; i < r->n_steps; i++)
    {
      g_auto (GStrv) parts = g_strsplit (r->steps[i].ref_name, "+", -1);
      for (char **q = parts; *q; q++)
        if (strcmp (*q, ref_step) == 0)
          return &r->steps[i];
    }
  return NULL;
}

static gboolean
run_ref (const char *script, const char *h5, char **label_csvs, Result *r, double *ref_pca_rand,
         GError **error)
{
  g_autofree char *labels = g_strjoinv (",", label_csvs);
  const char *argv[] = { "/usr/bin/python3", script, "run", "--h5", h5, "--labels", labels, NULL };
  g_autofree char *out = NULL;
  int status = 0;
  g_printerr ("  running the reference (JIT warm-up first)...\n");
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                     error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  r->ref_total_s = 0;
  for (char **l = lines; *l; l++)
    {
      if (**l != '{')
        continue;
      g_autoptr (JsonParser) jp = json_parser_new ();
      if (!json_parser_load_from_data (jp, *l, -1, NULL))
        continue;
      JsonObject *o = json_node_get_object (json_parser_get_root (jp));
      const char *step = json_object_get_string_member_with_default (o, "step", "");
      if (strcmp (step, "quality") == 0)
        {
          r->ref_n_clusters = (gint32) json_object_get_int_member_with_default (o, "n_clusters_rbconfig", 0);
          r->ref_modularity = json_object_get_double_member_with_default (o, "modularity_rbconfig", NAN);
          r->ref_trust = json_object_get_double_member_with_default (o, "trustworthiness_k15_sub5000", NAN);
          for (int i = 0; i < r->n_labels; i++)
            {
              g_autofree char *a = g_strdup_printf ("ari_%s", r->label_names[i]);
              g_autofree char *b = g_strdup_printf ("nmi_%s", r->label_names[i]);
              r->ref_ari[i] = json_object_get_double_member_with_default (o, a, NAN);
              r->ref_nmi[i] = json_object_get_double_member_with_default (o, b, NAN);
            }
          continue;
        }
      if (!json_object_has_member (o, "min_s"))
        continue;
      double s = json_object_get_double_member_with_default (o, "min_s", NAN);
      double pk = json_object_get_double_member_with_default (o, "peak_rss_mb", NAN);
      if (strcmp (step, "pca50_randomized") == 0)
        *ref_pca_rand = s;
      if (strcmp (step, "read_h5_warm") != 0 && strcmp (step, "pca50_randomized") != 0
          && strcmp (step, "leiden_modularity") != 0)
        r->ref_total_s += s;
      Step *st = find_step_by_ref (r, step);
      if (!st)
        continue;
      st->ref_s = isnan (st->ref_s) ? s : st->ref_s + s;
      st->ref_peak_mb = isnan (st->ref_peak_mb) ? pk : MAX (st->ref_peak_mb, pk);
    }
  return TRUE;
}

static void
print_result (const char *title, Result *r, gboolean with_ref, double ref_pca_rand)
{
  g_print ("\n== %s: %" G_GINT64_FORMAT " cells x %" G_GINT64_FORMAT " genes ==\n", title,
           r->n_cells, r->n_genes);
  g_print ("%-20s %9s %9s %9s %9s %9s   %s\n", "step", "ours s", "ref s", "ref/ours", "ours MB",
           "ref MB", "reference step");
  for (int i = 0; i < r->n_steps; i++)
    {
      Step *s = &r->steps[i];
      g_print ("%-20s %9.3f %9.3f %9.2f %9.0f %9.0f   %s\n", s->name, s->s, s->ref_s,
               s->ref_s / s->s, s->peak_mb, s->ref_peak_mb, s->ref_name);
    }
  g_print ("%-20s %9.3f %9.3f %9.2f\n", "total (chain)", r->total_s, with_ref ? r->ref_total_s : NAN,
           with_ref ? r->ref_total_s / r->total_s : NAN);
  if (with_ref)
    g_print ("(ref pca50_randomized: %.3f s, ratio vs our randomised PCA %.2f; kNN ours: %s)\n",
             ref_pca_rand, ref_pca_rand / r->steps[3].s, r->knn_method);
  /* the measure: the graph chain kNN -> connectivities -> Leiden -> UMAP */
  double g_ours = 0, g_ref = 0, umap_ours = 0;
  for (int i = 0; i < r->n_steps; i++)
    {
      Step *s = &r->steps[i];
      if (g_str_has_prefix (s->name, "knn") || g_str_has_prefix (s->name, "connectivities") ||
          g_str_has_prefix (s->name, "leiden") || g_str_has_prefix (s->name, "umap"))
        {
          g_ours += s->s;
          g_ref += s->ref_s;
        }
      if (g_str_has_prefix (s->name, "umap"))
        umap_ours = s->s;
    }
  g_print ("%-20s %9.3f %9.3f %9.2f   kNN + connectivities + Leiden + UMAP (our layout on %d "
           "threads, umap-learn's serial)\n", "graph chain", g_ours, with_ref ? g_ref : NAN,
           with_ref ? g_ref / g_ours : NAN, r->umap_threads);
  double g_one = g_ours - umap_ours + r->umap_serial_s;
  g_print ("%-20s %9.3f %9.3f %9.2f   the same with our layout on 1 thread\n",
           "graph chain (1 thr)", g_one, with_ref ? g_ref : NAN, with_ref ? g_ref / g_one : NAN);
  g_print ("%-28s %9s %9s\n", "quality", "ours", "ref");
  g_print ("%-28s %9d %9d\n", "Leiden clusters (RB r=1)", r->n_clusters, r->ref_n_clusters);
  for (int i = 0; i < r->n_labels; i++)
    {
      g_autofree char *a = g_strdup_printf ("ARI vs %s", r->label_names[i]);
      g_autofree char *b = g_strdup_printf ("NMI vs %s", r->label_names[i]);
      g_print ("%-28s %9.4f %9.4f\n", a, r->ari[i], r->ref_ari[i]);
      g_print ("%-28s %9.4f %9.4f\n", b, r->nmi[i], r->ref_nmi[i]);
    }
  g_print ("%-28s %9.4f %9.4f\n", "modularity of the partition", r->modularity, r->ref_modularity);
  g_print ("%-28s %9.4f %9.4f\n", "UMAP trustworthiness k15", r->trust, r->ref_trust);
  g_print ("%-28s %9.4f %9s\n", "  ours on 1 thread", r->trust_serial, "");
}

int
main (int argc, char **argv)
{
  g_autofree char *sizes = NULL, *out_dir = NULL;
  gboolean no_ref = FALSE;
  GOptionEntry entries[] = {
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes, "Comma-separated cell counts (10000 = real pbmc10k)", "LIST" },
    { "out-dir", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, "Where generated inputs are cached", "DIR" },
    { "no-ref", 0, 0, G_OPTION_ARG_NONE, &no_ref, "Skip the Python reference", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- analysis chain vs the reference stack");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  const char *shared = g_getenv ("SCM_SHARED_DATA");
  if (!shared)
    shared = SCM_SHARED_DATA_DIR;
  g_autofree char *pbmc = g_build_filename (shared, "pbmc10k", NULL);
  g_autofree char *script = g_build_filename (SCM_SOURCE_DIR, "bench", "analysis", "bench-chain-ref.py", NULL);
  if (!out_dir)
    out_dir = g_build_filename (g_get_tmp_dir (), "scmmae-bench-chain", NULL);
  g_mkdir_with_parents (out_dir, 0755);
  g_auto (GStrv) size_list = g_strsplit (sizes ? sizes : "10000,100000", ",", -1);
  g_print ("bench-chain: %s; %d processors; reference: %s\n", scm_blas_describe (),
           g_get_num_processors (), no_ref ? "skipped" : "ref_pipeline.py (bench-chain-ref.py)");
  int rc = 0;
  for (char **sz = size_list; *sz; sz++)
    {
      gint64 n = g_ascii_strtoll (*sz, NULL, 10);
      g_autofree char *h5 = NULL, *title = NULL;
      char *labels[4] = { NULL };
      if (n == 10000)
        {
          h5 = g_build_filename (pbmc, "pbmc10k_filtered_feature_bc_matrix.h5", NULL);
          labels[0] = g_build_filename (pbmc, "labels_cell_type.csv", NULL);
          labels[1] = g_build_filename (pbmc, "labels_wnn_cluster.csv", NULL);
          title = g_strdup ("pbmc10k (real)");
        }
      else
        {
          g_autofree char *base = g_strdup_printf ("pbmc10k_resampled_%" G_GINT64_FORMAT, n);
          g_autofree char *hn = g_strdup_printf ("%s.h5", base);
          g_autofree char *ln = g_strdup_printf ("%s_labels_cell_type.csv", base);
          h5 = g_build_filename (out_dir, hn, NULL);
          labels[0] = g_build_filename (out_dir, ln, NULL);
          title = g_strdup_printf ("%" G_GINT64_FORMAT " cells resampled from pbmc10k", n);
          if (!g_file_test (h5, G_FILE_TEST_EXISTS) || !g_file_test (labels[0], G_FILE_TEST_EXISTS))
            {
              g_autofree char *src = g_build_filename (pbmc, "pbmc10k_filtered_feature_bc_matrix.h5", NULL);
              g_autofree char *src_l = g_build_filename (pbmc, "labels_cell_type.csv", NULL);
              const char *gargv[] = { "/usr/bin/python3", script, "gen", "--n", *sz, "--out", h5,
                                      "--labels-out", labels[0], "--src", src, "--src-labels", src_l, NULL };
              int status = 0;
              g_printerr ("generating %s ...\n", h5);
              if (!g_spawn_sync (NULL, (char **) gargv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                                 &status, &error)
                  || !g_spawn_check_wait_status (status, &error))
                {
                  g_printerr ("bench-chain: cannot generate %s: %s\n", h5, error->message);
                  return 1;
                }
            }
        }
      g_printerr ("%s: %s\n", title, h5);
      Result r;
      memset (&r, 0, sizeof r);
      for (int i = 0; i < 4; i++)
        r.ref_ari[i] = r.ref_nmi[i] = NAN;
      r.ref_modularity = r.ref_trust = NAN;
      double ref_pca_rand = NAN;
      if (!run_ours (h5, labels, &r, &error))
        {
          g_printerr ("bench-chain: ours failed on %s: %s\n", h5, error->message);
          return 1;
        }
      gboolean with_ref = !no_ref;
      if (with_ref && !run_ref (script, h5, labels, &r, &ref_pca_rand, &error))
        {
          g_printerr ("bench-chain: reference failed: %s\n", error->message);
          g_clear_error (&error);
          with_ref = FALSE;
          rc = 1;
        }
      print_result (title, &r, with_ref, ref_pca_rand);
      for (int i = 0; i < 4; i++)
        {
          g_free (labels[i]);
          g_free (r.label_names[i]);
        }
    }
  g_print ("\n%s\n", scm_blas_describe ());
  return rc;
}
