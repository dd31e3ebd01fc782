/* scm-analysis-runner.h: the background analysis after a load.
 *
 * As soon as a dataset is in the document, computes the PCA baseline
 * representation ("X_pca", 50 components of the log-normalised highly
 * variable genes) in a GTask, then kNN -> Leiden -> UMAP on the current
 * representation, handing each result to the document as it is ready so
 * the Explore page shows something within seconds.  When the training job
 * later replaces the representation, scm_analysis_runner_start() runs the
 * kNN/Leiden/UMAP steps again on the new one.
 *
 * Each run takes a generation from the document and a fresh cancellable;
 * results from an older generation are dropped by the document setters.
 * Engine pieces not yet built into the engine are skipped with a message.
 */
#pragma once

#include <gio/gio.h>

#include "scm-document.h"

G_BEGIN_DECLS

#define SCM_TYPE_ANALYSIS_RUNNER (scm_analysis_runner_get_type ())
G_DECLARE_FINAL_TYPE (ScmAnalysisRunner, scm_analysis_runner, SCM, ANALYSIS_RUNNER, GObject)

ScmAnalysisRunner *scm_analysis_runner_new        (ScmDocument *document);
/* Starts (or restarts) from the document's current state: PCA first when
 * the document has no representation, else the graph steps. */
void               scm_analysis_runner_start      (ScmAnalysisRunner *self);
void               scm_analysis_runner_cancel     (ScmAnalysisRunner *self);
gboolean           scm_analysis_runner_is_running (ScmAnalysisRunner *self);
/* Leiden resolution used by the next run (default 1.0). */
void               scm_analysis_runner_set_resolution (ScmAnalysisRunner *self, double resolution);

/* Worker-side helper: the clustering graph of a kNN table searched with
 * kopts (its first k columns and their UMAP connectivities), with the
 * parameters uns/neighbors records.  use_rep NULL means "X_pca". */
ScmNeighborGraph  *scm_neighbor_graph_build       (const ScmKnn *knn, int k,
                                                   const ScmKnnOptions *kopts,
                                                   const char *use_rep, GError **error);

G_END_DECLS
