/* scm-annotate-page.h: the Annotate page: name and merge clusters, label
 * the selected cells, notes, undo/redo, the history, and exports. */
#pragma once

#include <adwaita.h>

#include "scm-document.h"
#include "session/scm-annotations.h"

G_BEGIN_DECLS

#define SCM_TYPE_ANNOTATE_PAGE (scm_annotate_page_get_type ())
G_DECLARE_FINAL_TYPE (ScmAnnotatePage, scm_annotate_page, SCM, ANNOTATE_PAGE, AdwBin)

ScmAnnotatePage *scm_annotate_page_new          (void);
void             scm_annotate_page_set_document (ScmAnnotatePage *self, ScmDocument *document);

/* For tests and scripting: the same paths as the widgets take. */
ScmAnnotations  *scm_annotate_page_get_annotations (ScmAnnotatePage *self);
/* Types a name into the cluster's row and activates it. */
gboolean         scm_annotate_page_rename_cluster  (ScmAnnotatePage *self, gint32 cluster,
                                                    const char *name);
/* Ticks these clusters and presses Merge. */
gboolean         scm_annotate_page_merge_clusters  (ScmAnnotatePage *self, const gint32 *clusters,
                                                    guint n);
guint            scm_annotate_page_get_n_cluster_rows (ScmAnnotatePage *self);
guint            scm_annotate_page_get_n_log_rows  (ScmAnnotatePage *self);
/* Exports without a file dialog (the dialogs call these). */
gboolean         scm_annotate_page_export_labels   (ScmAnnotatePage *self, const char *path,
                                                    GError **error);
gboolean         scm_annotate_page_export_image    (ScmAnnotatePage *self, const char *path,
                                                    GError **error);
/* Runs in a worker; callback gets the page as source object. */
void             scm_annotate_page_export_h5ad_async  (ScmAnnotatePage *self, const char *path,
                                                       GCancellable *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer user_data);
gboolean         scm_annotate_page_export_h5ad_finish (ScmAnnotatePage *self, GAsyncResult *res,
                                                       GError **error);

G_END_DECLS
