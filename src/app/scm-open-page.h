/* scm-open-page.h: the Open page.
 *
 * Empty state (open a file, the demo, recent files, drop target), a
 * loading state, an error state, and once a dataset is in the document a
 * summary card with the QC histograms and filter thresholds.  Loading
 * itself is the window's job: the page only activates actions
 * (app.open, app.open-demo, win.open-path).
 */
#pragma once

#include <adwaita.h>

#include "scm-document.h"
#include "scm-qc-model.h"

G_BEGIN_DECLS

#define SCM_TYPE_OPEN_PAGE (scm_open_page_get_type ())
G_DECLARE_FINAL_TYPE (ScmOpenPage, scm_open_page, SCM, OPEN_PAGE, AdwBin)

void        scm_open_page_set_document (ScmOpenPage *self, ScmDocument *document);
void        scm_open_page_set_loading  (ScmOpenPage *self, const char *name);
void        scm_open_page_set_error    (ScmOpenPage *self, const char *title, const char *message);
void        scm_open_page_set_qc_model (ScmOpenPage *self, ScmQcModel *qc);
ScmQcModel *scm_open_page_get_qc_model (ScmOpenPage *self);
/* Replaces (in a GTask) the document's dataset by the cells inside the QC thresholds
 * and restarts the analysis (the "Keep Selected Cells" button). */
void        scm_open_page_apply_qc_filter (ScmOpenPage *self);
/* Joins a `barcode,<column>` CSV as a label column of the document (the
 * "Add Labels from CSV…" button), reading the file in a GTask.  The column
 * is added on the main thread only if the same dataset is still open;
 * otherwise _finish fails with G_IO_ERROR_CANCELLED. */
void        scm_open_page_join_labels_async  (ScmOpenPage *self, const char *csv_path,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
gboolean    scm_open_page_join_labels_finish (ScmOpenPage *self, GAsyncResult *result, GError **error);
/* What the dialog does: join, and show a failure on the error page and in a toast. */
void        scm_open_page_add_labels         (ScmOpenPage *self, const char *csv_path);
/* "empty", "loading", "error" or "summary" (for tests). */
const char *scm_open_page_get_state    (ScmOpenPage *self);

G_END_DECLS
