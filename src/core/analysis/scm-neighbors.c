/* scm-neighbors.c: dataset-level kNN + connectivities, and their obsp /
 * uns form (see scm-neighbors.h). */
#include "scm-neighbors.h"
#include "scm-error.h"

#include <string.h>

ScmMatrix *
scm_neighbors_find_rep (const ScmDataset *ds, const char *use_rep, GError **error)
{
  const char *name = use_rep ? use_rep : "X_pca";
  ScmMatrix *m = scm_dataset_get_obsm (ds, name);
  if (m)
    {
      if (m->n_rows != ds->n_cells || m->n_cols < 1)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                       "%s: obsm/%s has shape %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                       " but the dataset has %" G_GINT64_FORMAT " cells",
                       ds->path ? ds->path : "dataset", name, m->n_rows, m->n_cols, ds->n_cells);
          return NULL;
        }
      return m;
    }
  GString *keys = g_string_new (NULL);
  for (guint i = 0; ds->obsm && i < ds->obsm->len; i++)
    {
      const ScmMatrix *o = g_ptr_array_index (ds->obsm, i);
      g_string_append_printf (keys, "%s%s", i ? ", " : "", o->name);
    }
  g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND,
               "%s: no representation obsm/%s (available: %s)%s",
               ds->path ? ds->path : "dataset", name, keys->len ? keys->str : "none",
               use_rep ? "" : "; run `scmmae pca` first or pass --use-rep");
  g_string_free (keys, TRUE);
  return NULL;
}

gboolean
scm_neighbors_compute (const ScmDataset *ds, const char *use_rep, const ScmKnnOptions *opts,
                       ScmKnn *knn_out, ScmGraph *graph_out, GError **error)
{
  memset (graph_out, 0, sizeof *graph_out);
  ScmMatrix *m = scm_neighbors_find_rep (ds, use_rep, error);
  if (!m)
    return FALSE;
  ScmKnn knn;
  if (!scm_knn_compute (m->data, m->n_rows, m->n_cols, opts, &knn, error))
    {
      g_prefix_error (error, "%s: obsm/%s: ", ds->path ? ds->path : "dataset", m->name);
      return FALSE;
    }
  gboolean ok = scm_graph_umap_connectivities (&knn, graph_out, error);
  if (ok && knn_out)
    *knn_out = knn;
  else
    scm_knn_clear (&knn);
  return ok;
}

gboolean
scm_knn_to_distances_csr (const ScmKnn *knn, ScmCsr *out, GError **error)
{
  gint64 n = knn->n;
  int k = knn->k;
  gint64 nnz = 0;
  for (gint64 i = 0; i < n; i++)
    for (int j = 0; j < k; j++)
      {
        gint32 v = knn->indices[i * k + j];
        nnz += v >= 0 && v != i;
      }
  if (!scm_csr_alloc (out, n, n, nnz, error))
    return FALSE;
  gint64 o = 0;
  for (gint64 i = 0; i < n; i++)
    {
      gint64 start = o;
      for (int j = 0; j < k; j++)
        {
          gint32 v = knn->indices[i * k + j];
          float d = knn->distances[i * k + j];
          if (v < 0 || v == i)
            continue;
          /* insertion by column (k is small); a repeated column keeps the
           * first, nearer entry so the row stays strictly ascending */
          gint64 p = o;
          while (p > start && out->indices[p - 1] > v)
            p--;
          if (p > start && out->indices[p - 1] == v)
            continue;
          memmove (out->indices + p + 1, out->indices + p, (o - p) * sizeof (gint32));
          memmove (out->data + p + 1, out->data + p, (o - p) * sizeof (float));
          out->indices[p] = v;
          out->data[p] = d;
          o++;
        }
      out->indptr[i + 1] = o;
    }
  return TRUE;
}

gboolean
scm_graph_to_csr (const ScmGraph *g, ScmCsr *out, GError **error)
{
  gint64 nnz = scm_graph_nnz (g);
  if (!scm_csr_alloc (out, g->n, g->n, nnz, error))
    return FALSE;
  memcpy (out->indptr, g->indptr, (g->n + 1) * sizeof (gint64));
  memcpy (out->indices, g->indices, nnz * sizeof (gint32));
  /* the weights are float32 values held in doubles (scm-graph.c), so this
   * cast is exact; Scanpy stores float32 too */
  for (gint64 p = 0; p < nnz; p++)
    out->data[p] = (float) g->weights[p];
  return TRUE;
}

gboolean
scm_neighbors_store (ScmDataset *ds, const ScmKnn *knn, const ScmGraph *g,
                     const ScmNeighborsParams *params, GError **error)
{
  if (knn->n != ds->n_cells || g->n != ds->n_cells)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "neighbors: graph of %" G_GINT64_FORMAT " cells for a dataset of %"
                   G_GINT64_FORMAT, g->n, ds->n_cells);
      return FALSE;
    }
  ScmCsr D = { 0 }, C = { 0 };
  if (!scm_knn_to_distances_csr (knn, &D, error))
    return FALSE;
  if (!scm_graph_to_csr (g, &C, error))
    {
      scm_csr_clear (&D);
      return FALSE;
    }
  scm_dataset_set_obsp (ds, scm_pairwise_new ("distances", &D));
  scm_dataset_set_obsp (ds, scm_pairwise_new ("connectivities", &C));

  ScmUnsNode *u = scm_uns_group_new ("neighbors");
  scm_uns_set (u, scm_uns_string_new ("connectivities_key", "connectivities"));
  scm_uns_set (u, scm_uns_string_new ("distances_key", "distances"));
  ScmUnsNode *p = scm_uns_group_new ("params");
  scm_uns_set (p, scm_uns_int_new ("n_neighbors", params->n_neighbors));
  scm_uns_set (p, scm_uns_string_new ("method", "umap"));
  scm_uns_set (p, scm_uns_string_new ("metric", scm_metric_name (params->metric)));
  scm_uns_set (p, scm_uns_string_new ("use_rep", params->use_rep ? params->use_rep : "X_pca"));
  scm_uns_set (p, scm_uns_int_new ("random_state", (gint64) params->random_state));
  if (params->knn_method)
    scm_uns_set (p, scm_uns_string_new ("knn_method", params->knn_method));
  scm_uns_set (u, p);
  scm_uns_set (ds->uns, u);
  return TRUE;
}

void
scm_umap_record_init (ScmUmapRecord *rec, const ScmUmapOptions *opts, int n_neighbors)
{
  ScmUmapOptions def;
  if (opts == NULL)
    {
      scm_umap_options_init (&def);
      opts = &def;
    }
  scm_umap_find_ab (opts->spread, opts->min_dist, &rec->a, &rec->b);
  rec->min_dist = opts->min_dist;
  rec->spread = opts->spread;
  rec->n_neighbors = n_neighbors;
  rec->random_state = (gint64) opts->seed;
  rec->n_threads = scm_umap_layout_threads (opts);
}

void
scm_umap_record_store (ScmDataset *ds, const ScmUmapRecord *rec)
{
  ScmUnsNode *u = scm_uns_group_new ("umap");
  ScmUnsNode *p = scm_uns_group_new ("params");
  scm_uns_set (p, scm_uns_float_new ("a", rec->a));
  scm_uns_set (p, scm_uns_float_new ("b", rec->b));
  scm_uns_set (p, scm_uns_float_new ("min_dist", rec->min_dist));
  scm_uns_set (p, scm_uns_float_new ("spread", rec->spread));
  scm_uns_set (p, scm_uns_int_new ("n_neighbors", rec->n_neighbors));
  scm_uns_set (p, scm_uns_int_new ("random_state", rec->random_state));
  scm_uns_set (p, scm_uns_int_new ("n_threads", rec->n_threads));
  scm_uns_set (u, p);
  scm_uns_set (ds->uns, u);
}
