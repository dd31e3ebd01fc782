/* scm-loader.h: reading a dataset off the main thread.
 *
 * One GTask per load: the worker calls scm_dataset_read() (which takes the
 * HDF5 lock itself) and computes the per-cell QC metrics, so the main
 * thread gets a ready dataset and a QC model in one callback.  Cancelling
 * only discards the result: HDF5 reads cannot be interrupted midway.
 */
#pragma once

#include <gio/gio.h>

#include "scm-dataset.h"
#include "scm-qc-model.h"

G_BEGIN_DECLS

void        scm_loader_load_async  (const char          *path,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
/* Returns the dataset (a new ref) and, in *qc, a new ScmQcModel. */
ScmDataset *scm_loader_load_finish (GAsyncResult        *result,
                                    ScmQcModel         **qc,
                                    GError             **error);

/* The synchronous core of the above, for tests and the CLI-like paths. */
ScmDataset *scm_loader_load        (const char          *path,
                                    ScmQcModel         **qc,
                                    GCancellable        *cancellable,
                                    GError             **error);

G_END_DECLS
