/* scm-loader.c: GTask wrapper around scm_dataset_read (see scm-loader.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "io/scm-io.h"
#include "scm-error.h"
#include "scm-loader.h"

typedef struct {
  char       *path;
  ScmDataset *dataset;
  ScmQcModel *qc;
} LoadData;

static void
load_data_free (LoadData *d)
{
  g_free (d->path);
  g_clear_pointer (&d->dataset, scm_dataset_unref);
  g_clear_object (&d->qc);
  g_free (d);
}

ScmDataset *
scm_loader_load (const char *path, ScmQcModel **qc, GCancellable *cancellable, GError **error)
{
  g_autoptr(ScmDataset) ds = NULL;

  if (qc != NULL)
    *qc = NULL;

  ds = scm_dataset_read (path, NULL, error);
  if (ds == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (ds->n_cells == 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   _("%s: the file holds no cells"), path);
      return NULL;
    }
  if (qc != NULL)
    *qc = scm_qc_model_new_from_dataset (ds);
  return g_steal_pointer (&ds);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LoadData *d = task_data;
  GError *error = NULL;

  d->dataset = scm_loader_load (d->path, &d->qc, cancellable, &error);
  if (d->dataset == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
scm_loader_load_async (const char *path, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *d;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, scm_loader_load_async);
  g_task_set_name (task, "[scm] load dataset");
  /* Stale results are dropped by the caller; keep the GTask from racing
   * the callback with a "cancelled" error after the work is done. */
  g_task_set_return_on_cancel (task, FALSE);
  d = g_new0 (LoadData, 1);
  d->path = g_strdup (path);
  g_task_set_task_data (task, d, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

ScmDataset *
scm_loader_load_finish (GAsyncResult *result, ScmQcModel **qc, GError **error)
{
  GTask *task = G_TASK (result);
  LoadData *d;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (task) == scm_loader_load_async, NULL);

  if (qc != NULL)
    *qc = NULL;
  if (!g_task_propagate_boolean (task, error))
    return NULL;
  d = g_task_get_task_data (task);
  if (qc != NULL)
    *qc = g_steal_pointer (&d->qc);
  return g_steal_pointer (&d->dataset);
}
