/* scm-neighbors.c: dataset-level kNN + connectivities (see scm-neighbors.h). */
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
