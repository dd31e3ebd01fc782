/* scm-analyze.c: PCA baseline, obs groupings, markers into uns, and the
 * analyze chain (see scm-analyze.h).  Pure kernels live elsewhere
 * (preprocess/, analysis/, scm-pca.c, scm-markers.c); this file only moves
 * data between them and the dataset model. */
#include "stats/scm-analyze.h"

#include "analysis/scm-graph.h"
#include "analysis/scm-knn.h"
#include "analysis/scm-leiden.h"
#include "analysis/scm-neighbors.h"
#include "analysis/scm-umap.h"
#include "preprocess/scm-hvg.h"
#include "preprocess/scm-normalize.h"
#include "scm-error.h"

#include <math.h>
#include <string.h>

static double
now_s (void)
{
  return (double) g_get_monotonic_time () / 1e6;
}

gboolean
scm_rna_lognorm (const ScmDataset *ds, ScmCsr *out, GError **error)
{
  if (!ds->rna || ds->rna->X.n_rows == 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND, "%s: the dataset has no RNA matrix",
                   ds->path ? ds->path : "dataset");
      return FALSE;
    }
  if (ds->rna->is_counts)
    return scm_normalize_log1p (out, &ds->rna->X, 1e4, error);
  return scm_csr_copy (out, &ds->rna->X, error);
}

gboolean
scm_modality_marker_values (const ScmDataset *ds, ScmModalityKind kind, ScmCsr *out,
                            GError **error)
{
  if (kind == SCM_MODALITY_RNA)
    return scm_rna_lognorm (ds, out, error);
  const ScmModality *m = ds->adt;
  if (!m || m->X.n_rows == 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND, "%s: the dataset has no protein (ADT) matrix",
                   ds->path ? ds->path : "dataset");
      return FALSE;
    }
  if (!m->is_counts)
    return scm_csr_copy (out, &m->X, error);
  gint64 N = m->X.n_rows, P = m->X.n_cols;
  g_autofree float *dense = g_try_new (float, MAX (N * P, 1));
  if (!dense)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate CLR proteins");
      return FALSE;
    }
  scm_clr_csr (&m->X, dense);
  gint64 nnz = 0;
  for (gint64 i = 0; i < N * P; i++)
    nnz += dense[i] != 0.0f;
  if (!scm_csr_alloc (out, N, P, nnz, error))
    return FALSE;
  gint64 k = 0;
  for (gint64 r = 0; r < N; r++)
    {
      for (gint64 c = 0; c < P; c++)
        if (dense[r * P + c] != 0.0f)
          {
            out->indices[k] = (gint32) c;
            out->data[k++] = dense[r * P + c];
          }
      out->indptr[r + 1] = k;
    }
  return TRUE;
}

float *
scm_scaled_hvg (const ScmCsr *lognorm, gint64 n_top, gint64 *n_genes, GError **error)
{
  ScmCsr sub = { 0 };
  const ScmCsr *use = lognorm;
  if (lognorm->n_cols > n_top)
    {
      ScmHvgOptions ho;
      scm_hvg_options_init (&ho);
      ho.flavor = SCM_HVG_SEURAT;
      ho.n_top = n_top;
      ScmHvgResult hr = { 0 };
      if (!scm_hvg_select (lognorm, &ho, &hr, error))
        return NULL;
      g_autofree gint32 *idx = scm_hvg_selected_indices (&hr);
      gint64 m = hr.n_selected;
      scm_hvg_result_clear (&hr);
      if (!scm_csr_subset_cols (&sub, lognorm, idx, m, error))
        return NULL;
      use = &sub;
    }
  float *D = scm_csr_to_dense (use, error);
  *n_genes = use->n_cols;
  if (D)
    scm_scale_dense (D, use->n_rows, use->n_cols, 10.0, NULL, NULL);
  scm_csr_clear (&sub);
  return D;
}

ScmMatrix *
scm_pca_baseline_full (const ScmDataset *ds, const ScmPcaOptions *opts,
                       GCancellable *cancellable, ScmPca *pca_out, GError **error)
{
  ScmCsr ln = { 0 };
  if (!scm_rna_lognorm (ds, &ln, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      scm_csr_clear (&ln);
      return NULL;
    }
  gint64 p = 0, n = ln.n_rows;
  g_autofree float *D = scm_scaled_hvg (&ln, 2000, &p, error);
  scm_csr_clear (&ln);
  if (!D || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  ScmPcaOptions po;
  if (opts)
    po = *opts;
  else
    scm_pca_options_init (&po);
  if (!po.cancellable)
    po.cancellable = cancellable;
  ScmPca pca;
  if (!scm_pca_fit (D, n, p, &po, &pca, error))
    return NULL;
  ScmMatrix *m = scm_matrix_new ("X_pca", n, pca.n_comps, error);
  if (m)
    memcpy (m->data, pca.scores, sizeof (float) * n * pca.n_comps);
  if (pca_out && m)
    *pca_out = pca;
  else
    scm_pca_clear (&pca);
  return m;
}

ScmMatrix *
scm_pca_baseline (const ScmDataset *ds, gint64 n_comps, GCancellable *cancellable, GError **error)
{
  ScmPcaOptions o;
  scm_pca_options_init (&o);
  o.n_comps = n_comps;
  return scm_pca_baseline_full (ds, &o, cancellable, NULL, error);
}

gint32 *
scm_obs_group_codes (const ScmDataset *ds, const char *column, char ***categories,
                     gint32 *n_groups, GError **error)
{
  const ScmColumn *c = scm_dataset_get_obs (ds, column);
  if (!c)
    {
      GString *names = g_string_new (NULL);
      for (guint i = 0; i < ds->obs->len; i++)
        g_string_append_printf (names, "%s%s", i ? ", " : "",
                                ((ScmColumn *) ds->obs->pdata[i])->name);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND, "%s: no obs column '%s' (columns: %s)",
                   ds->path ? ds->path : "dataset", column, names->len ? names->str : "none");
      g_string_free (names, TRUE);
      return NULL;
    }
  gint64 n = ds->n_cells;
  gint32 *codes = g_new (gint32, MAX (n, 1));
  if (c->kind == SCM_COLUMN_CATEGORICAL)
    {
      for (gint64 i = 0; i < n; i++)
        codes[i] = c->codes[i] >= 0 && (guint) c->codes[i] < c->n_categories ? c->codes[i] : -1;
      *categories = g_strdupv (c->categories);
      *n_groups = (gint32) c->n_categories;
      return codes;
    }
  char **labels = g_new0 (char *, n + 1);
  for (gint64 i = 0; i < n; i++)
    labels[i] = scm_column_value_string (c, i);
  ScmColumn *tmp = scm_column_new_from_labels ("tmp", n, (const char *const *) labels);
  for (gint64 i = 0; i < n; i++)
    g_free (labels[i]);
  g_free (labels);
  memcpy (codes, tmp->codes, sizeof (gint32) * n);
  *categories = g_strdupv (tmp->categories);
  *n_groups = (gint32) tmp->n_categories;
  scm_column_free (tmp);
  return codes;
}

void
scm_markers_to_uns (ScmDataset *ds, const ScmRankTest *rt, char **group_names, char **gene_names,
                    gint64 top_n, const char *groupby, const char *reference, const char *modality)
{
  ScmUnsNode *root = scm_uns_group_new ("rank_genes_groups");
  ScmUnsNode *params = scm_uns_group_new ("params");
  scm_uns_set (params, scm_uns_string_new ("groupby", groupby));
  scm_uns_set (params, scm_uns_string_new ("method", "wilcoxon"));
  scm_uns_set (params, scm_uns_string_new ("reference", reference ? reference : "rest"));
  scm_uns_set (params, scm_uns_string_new ("corr_method", "benjamini-hochberg"));
  scm_uns_set (params, scm_uns_string_new ("tie_correct", "True"));
  scm_uns_set (params, scm_uns_string_new ("modality", modality));
  scm_uns_set (root, params);
  const char *fields[] = { "scores", "logfoldchanges", "pvals", "pvals_adj", "pct_nz_group",
                           "pct_nz_reference" };
  const double *src[] = { rt->scores, rt->logfc, rt->pvals, rt->pvals_adj, rt->pct_in,
                          rt->pct_out };
  ScmUnsNode *names = scm_uns_group_new ("names");
  ScmUnsNode *groups[G_N_ELEMENTS (fields)];
  for (gsize f = 0; f < G_N_ELEMENTS (fields); f++)
    groups[f] = scm_uns_group_new (fields[f]);
  gint64 J = rt->n_genes;
  gint64 top = top_n > 0 ? MIN (top_n, J) : J;
  g_autofree gint64 *idx = g_new (gint64, MAX (J, 1));
  gint32 ref_code = -1;
  for (gint32 g = 0; g < rt->n_groups; g++)
    if (reference && g_strcmp0 (group_names[g], reference) == 0)
      ref_code = g;
  for (gint32 g = 0; g < rt->n_groups; g++)
    {
      if (g == ref_code || rt->group_sizes[g] == 0)
        continue;
      gint64 m = scm_rank_test_top (rt, g, top, idx);
      char **nm = g_new0 (char *, m + 1);
      for (gint64 k = 0; k < m; k++)
        nm[k] = g_strdup (gene_names ? gene_names[idx[k]] : "");
      scm_uns_set (names, scm_uns_strings_new (group_names[g], nm));
      for (gsize f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          double *v = g_new (double, MAX (m, 1));
          for (gint64 k = 0; k < m; k++)
            v[k] = src[f][(gint64) g * J + idx[k]];
          scm_uns_set (groups[f], scm_uns_floats_new (group_names[g], m, v));
        }
    }
  scm_uns_set (root, names);
  for (gsize f = 0; f < G_N_ELEMENTS (fields); f++)
    scm_uns_set (root, groups[f]);
  scm_uns_set (ds->uns, root);
}

void
scm_analyze_options_init (ScmAnalyzeOptions *o)
{
  memset (o, 0, sizeof *o);
  o->n_pcs = 50;
  o->k = 20;
  o->umap_k = 15;
  o->resolution = 1.0;
  o->min_dist = 0.1;
  o->markers = TRUE;
  o->markers_top = 100;
}

gboolean
scm_analyze_run (ScmDataset *ds, const ScmAnalyzeOptions *o_in, ScmAnalyzeReport *rep,
                 GError **error)
{
  ScmAnalyzeOptions o;
  if (o_in)
    o = *o_in;
  else
    scm_analyze_options_init (&o);
  ScmAnalyzeReport r;
  memset (&r, 0, sizeof r);
  double t_start = now_s (), t;
  gint64 n = ds->n_cells;
  ScmKnn knn = { 0 }, knn_u = { 0 };
  ScmGraph graph = { 0 }, graph_u = { 0 };
  gint32 *membership = NULL;
  gboolean ok = FALSE;

  /* 1. representation */
  const ScmMatrix *rep_m = NULL;
  if (o.use_rep)
    {
      rep_m = scm_dataset_get_obsm (ds, o.use_rep);
      if (!rep_m && g_strcmp0 (o.use_rep, "X_pca") != 0)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND, "%s: no obsm entry '%s'",
                       ds->path ? ds->path : "dataset", o.use_rep);
          return FALSE;
        }
    }
  else
    {
      rep_m = scm_dataset_get_obsm (ds, "X_scmmae");
      if (!rep_m)
        rep_m = scm_dataset_get_obsm (ds, "X_pca");
    }
  if (!rep_m)
    {
      ScmCsr ln = { 0 };
      t = now_s ();
      if (!scm_rna_lognorm (ds, &ln, error))
        return FALSE;
      r.t_lognorm = now_s () - t;
      t = now_s ();
      gint64 p = 0;
      float *D = scm_scaled_hvg (&ln, 2000, &p, error);
      scm_csr_clear (&ln);
      r.t_hvg_scale = now_s () - t;
      if (!D)
        return FALSE;
      ScmPcaOptions po;
      scm_pca_options_init (&po);
      po.n_comps = o.n_pcs;
      po.seed = o.seed;
      po.cancellable = o.cancellable;
      ScmPca pca;
      t = now_s ();
      gboolean pok = !g_cancellable_set_error_if_cancelled (o.cancellable, error)
                     && scm_pca_fit (D, n, p, &po, &pca, error);
      g_free (D);
      r.t_pca = now_s () - t;
      if (!pok)
        return FALSE;
      ScmMatrix *m = scm_matrix_new ("X_pca", n, pca.n_comps, error);
      if (!m)
        {
          scm_pca_clear (&pca);
          return FALSE;
        }
      memcpy (m->data, pca.scores, sizeof (float) * n * pca.n_comps);
      scm_dataset_set_obsm (ds, m);
      ScmUnsNode *u = scm_uns_group_new ("pca");
      scm_uns_set (u, scm_uns_floats_new ("variance_ratio", pca.n_comps,
                                          g_memdup2 (pca.explained_variance_ratio,
                                                     sizeof (double) * pca.n_comps)));
      scm_uns_set (u, scm_uns_floats_new ("variance", pca.n_comps,
                                          g_memdup2 (pca.explained_variance,
                                                     sizeof (double) * pca.n_comps)));
      scm_uns_set (u, scm_uns_string_new ("solver", pca.solver));
      scm_uns_set (ds->uns, u);
      scm_pca_clear (&pca);
      rep_m = m;
      r.pca_computed = TRUE;
    }
  g_strlcpy (r.rep_used, rep_m->name, sizeof r.rep_used);
  if (rep_m->n_rows != n)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT, "obsm/%s has %" G_GINT64_FORMAT
                   " rows for %" G_GINT64_FORMAT " cells", rep_m->name, rep_m->n_rows, n);
      return FALSE;
    }

  /* 2. kNN and the two graphs (k for Leiden, umap_k for the layout) */
  ScmKnnOptions ko;
  scm_knn_options_init (&ko);
  ko.k = MAX (o.k, o.umap_k);
  ko.seed = o.seed;
  ko.n_threads = o.n_threads;
  ko.cancellable = o.cancellable;
  if (ko.k > n)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "%" G_GINT64_FORMAT " cells are too few for %d neighbours", n, ko.k);
      return FALSE;
    }
  t = now_s ();
  if (!scm_knn_compute (rep_m->data, n, rep_m->n_cols, &ko, &knn, error))
    goto out;
  r.t_knn = now_s () - t;
  t = now_s ();
  {
    ScmKnn kl = { 0 };
    if (!scm_knn_prefix (&knn, o.k, &kl, error))
      goto out;
    gboolean gok = scm_graph_umap_connectivities (&kl, &graph, error);
    /* the clustering graph is the one Scanpy would keep in obsp */
    ScmNeighborsParams np = { o.k, ko.metric, r.rep_used,
                              scm_knn_method_name (scm_knn_resolve_method (ko.method, n)), o.seed };
    gok = gok && scm_neighbors_store (ds, &kl, &graph, &np, error);
    scm_knn_clear (&kl);
    if (!gok)
      goto out;
  }
  r.t_connectivities = now_s () - t;

  /* 3. Leiden */
  ScmLeidenOptions lo;
  scm_leiden_options_init (&lo);
  lo.resolution = o.resolution;
  lo.seed = o.seed;
  lo.cancellable = o.cancellable;
  membership = g_try_new (gint32, MAX (n, 1));
  if (!membership)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate cluster labels");
      goto out;
    }
  t = now_s ();
  if (!scm_leiden (&graph, &lo, membership, &r.n_clusters, &r.quality, error))
    goto out;
  r.t_leiden = now_s () - t;
  r.modularity = scm_leiden_quality (&graph, membership, SCM_LEIDEN_MODULARITY, 1.0);
  {
    char **cats = g_new0 (char *, r.n_clusters + 1);
    for (gint32 c = 0; c < r.n_clusters; c++)
      cats[c] = g_strdup_printf ("%d", c);
    scm_dataset_set_obs (ds, scm_column_new_categorical ("leiden", n,
                                                         g_memdup2 (membership, sizeof (gint32) * n),
                                                         cats));
    ScmUnsNode *u = scm_uns_group_new ("leiden");
    ScmUnsNode *pp = scm_uns_group_new ("params");
    scm_uns_set (pp, scm_uns_floats_new ("resolution", 1, g_memdup2 (&o.resolution, sizeof (double))));
    gint64 seed = (gint64) o.seed, k = o.k;
    scm_uns_set (pp, scm_uns_ints_new ("random_state", 1, g_memdup2 (&seed, sizeof seed)));
    scm_uns_set (pp, scm_uns_ints_new ("n_neighbors", 1, g_memdup2 (&k, sizeof k)));
    scm_uns_set (pp, scm_uns_string_new ("use_rep", r.rep_used));
    scm_uns_set (u, pp);
    scm_uns_set (ds->uns, u);
  }

  /* 4. UMAP on the umap_k graph */
  t = now_s ();
  if (!scm_knn_prefix (&knn, o.umap_k, &knn_u, error)
      || !scm_graph_umap_connectivities (&knn_u, &graph_u, error))
    goto out;
  r.t_umap_graph = now_s () - t;
  {
    ScmUmapOptions uo;
    scm_umap_options_init (&uo);
    uo.min_dist = o.min_dist;
    uo.seed = o.seed;
    /* On all processors unless told otherwise: each thread owns a slab
     * of cells, so the layout is reproducible for a (seed, thread count)
     * and faster than one thread (bench-chain, 2026-12-02: pbmc10k
     * 1.0 vs 1.6 s, 100k cells 11.4 vs 15.0 s on 2 cores). */
    uo.n_threads = o.n_threads;
    uo.cancellable = o.cancellable;
    ScmMatrix *xy = scm_matrix_new ("X_umap", n, 2, error);
    if (!xy)
      goto out;
    t = now_s ();
    if (!scm_umap_layout (&graph_u, &uo, xy->data, error))
      {
        scm_matrix_free (xy);
        goto out;
      }
    r.t_umap = now_s () - t;
    scm_dataset_set_obsm (ds, xy);
    ScmUmapRecord rec;
    scm_umap_record_init (&rec, &uo, o.umap_k);
    scm_umap_record_store (ds, &rec);
  }

  /* 5. markers per cluster on log-normalised RNA */
  if (o.markers && ds->rna && ds->rna->X.n_rows == n && r.n_clusters >= 2)
    {
      t = now_s ();
      ScmCsr ln = { 0 };
      ScmRankTest rt;
      if (!scm_rna_lognorm (ds, &ln, error))
        goto out;
      gboolean mok = scm_wilcoxon (&ln, membership, r.n_clusters, -1, NULL, &rt, error);
      scm_csr_clear (&ln);
      if (!mok)
        goto out;
      ScmColumn *lc = scm_dataset_get_obs (ds, "leiden");
      scm_markers_to_uns (ds, &rt, lc->categories, ds->rna->names, o.markers_top, "leiden", NULL,
                          "rna");
      scm_rank_test_clear (&rt);
      r.t_markers = now_s () - t;
    }
  ok = TRUE;

out:
  scm_knn_clear (&knn);
  scm_knn_clear (&knn_u);
  scm_graph_clear (&graph);
  scm_graph_clear (&graph_u);
  g_free (membership);
  r.t_total = now_s () - t_start;
  if (rep)
    *rep = r;
  return ok;
}
