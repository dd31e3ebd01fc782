/* scm-explore-state.h: what the Explore, Markers and Annotate pages share.
 *
 * One per document (attached to it as object data, created on first use):
 *  - expression values to colour by: log-normalised RNA and CLR proteins,
 *    computed off the main thread after each load, kept as CSR (cells x
 *    features, for markers) and CSC (features x cells, so one gene's values
 *    are one contiguous slice);
 *  - the current cell selection (lasso on the UMAP, a gate on the biaxial
 *    plot), so selecting on one page selects everywhere;
 *  - "colour the UMAP by X" requests (a click in the marker table);
 *  - the annotations (labels, undo/redo, autosaved session), rebuilt from
 *    the clusters or restored from the last session of the same file, and
 *    published to the document as the label column "annotation".
 * The document itself stays untouched (it belongs to the shell).
 */
#pragma once

#include <gio/gio.h>

#include "scm-document.h"
#include "session/scm-annotations.h"

G_BEGIN_DECLS

/* Immutable once published; workers take a reference. */
typedef struct {
  gint64  n_cells;
  ScmCsr  rna;        /* cells x genes, log-normalised; n_rows = 0 if no RNA */
  ScmCsr  rna_t;      /* genes x cells */
  char  **rna_names;  /* GStrv */
  ScmCsr  adt;        /* cells x proteins, CLR */
  ScmCsr  adt_t;
  char  **adt_names;  /* GStrv */
} ScmFeatureData;

ScmFeatureData *scm_feature_data_ref   (ScmFeatureData *fd);
void            scm_feature_data_unref (ScmFeatureData *fd);
/* Dense values of one feature (n_cells), newly allocated. */
float          *scm_feature_data_values (const ScmFeatureData *fd, ScmModalityKind kind,
                                         gint64 index);
/* Looks a feature up: "CD8A" (genes first, exact then case-insensitive),
 * "CD8a (protein)" / "adt:CD8a" (proteins); prefer_adt tries proteins first. */
gboolean        scm_feature_data_find  (const ScmFeatureData *fd, const char *name,
                                        gboolean prefer_adt, ScmModalityKind *kind,
                                        gint64 *index);
/* Display name: gene symbol, or "<protein> (protein)". */
char           *scm_feature_data_display_name (const ScmFeatureData *fd, ScmModalityKind kind,
                                               gint64 index);

/* Transpose of a CSR (exposed for tests). */
gboolean        scm_csr_transpose_to (ScmCsr *dst, const ScmCsr *src, GError **error);

#define SCM_TYPE_EXPLORE_STATE (scm_explore_state_get_type ())
G_DECLARE_FINAL_TYPE (ScmExploreState, scm_explore_state, SCM, EXPLORE_STATE, GObject)

/* The state of a document (created and attached on first call; borrowed). */
ScmExploreState *scm_explore_state_get            (ScmDocument *document);
ScmDocument     *scm_explore_state_get_document   (ScmExploreState *self);

/* NULL while computing or without a dataset ("features-changed" when it changes). */
ScmFeatureData  *scm_explore_state_get_features   (ScmExploreState *self);

/* Selection mask (n_cells) copied; NULL clears.  origin is passed to
 * "selection-changed" so the sender can ignore its own echo. */
void             scm_explore_state_set_selection  (ScmExploreState *self, const guint8 *mask,
                                                   gpointer origin);
const guint8    *scm_explore_state_get_selection  (ScmExploreState *self, gint64 *n_selected);
/* A source description of the selection for the annotation log ("lasso", "gate CD3 vs CD19"). */
const char      *scm_explore_state_get_selection_source (ScmExploreState *self);
void             scm_explore_state_set_selection_source (ScmExploreState *self, const char *source);

/* key: a label column name, or a feature display name ("CD8A", "CD8a (protein)"). */
void             scm_explore_state_request_color  (ScmExploreState *self, const char *key);

/* The main embedding view (an ScmScatterView, weakly held) so other pages
 * can export "the current view". */
void             scm_explore_state_set_main_view  (ScmExploreState *self, GObject *view);
GObject         *scm_explore_state_get_main_view  (ScmExploreState *self);   /* new ref or NULL */

/* NULL until the document has clusters. */
ScmAnnotations  *scm_explore_state_get_annotations (ScmExploreState *self);
/* TRUE when the annotations were built on a different clustering than the
 * document's current one (the user re-clustered after annotating). */
gboolean         scm_explore_state_annotations_outdated (ScmExploreState *self);
/* Throws the annotations away and starts again from the current clusters. */
void             scm_explore_state_reset_annotations (ScmExploreState *self);
/* TRUE if the current annotations were restored from a session file. */
gboolean         scm_explore_state_annotations_restored (ScmExploreState *self);

G_END_DECLS
