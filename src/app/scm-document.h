/* scm-document.h: the app's central state, one per window.
 *
 * ScmDocument holds what every page shows: the loaded dataset (a ref, never
 * modified), the preprocessed model inputs, the current representation
 * ("X_pca" baseline, later "X_scmmae" after training), UMAP coordinates,
 * the Leiden clustering and the label columns a page can colour by.
 *
 * It lives on the main thread only.  Background jobs copy what they need,
 * remember scm_document_get_generation() when they start, and hand results
 * back with the generation they computed against: a setter given a stale
 * generation drops the result and returns FALSE.  The generation moves on
 * whenever the dataset or the representation changes, since everything
 * downstream (kNN, Leiden, UMAP) is then out of date.
 *
 * Change notification: "changed" (ScmDocumentChange flags) once per setter
 * call, plus GObject "notify" for the properties.  Pages usually connect to
 * "changed" and look at the flags.
 */
#pragma once

#include <gio/gio.h>

#include "scm-dataset.h"
#include "analysis/scm-graph.h"
#include "analysis/scm-knn.h"
#include "analysis/scm-neighbors.h"

G_BEGIN_DECLS

typedef enum {
  SCM_DOCUMENT_CHANGE_DATASET        = 1 << 0,  /* new dataset (everything below reset too) */
  SCM_DOCUMENT_CHANGE_PROCESSED      = 1 << 1,  /* preprocessed model inputs */
  SCM_DOCUMENT_CHANGE_REPRESENTATION = 1 << 2,  /* X_pca / X_scmmae replaced */
  SCM_DOCUMENT_CHANGE_UMAP           = 1 << 3,
  SCM_DOCUMENT_CHANGE_CLUSTERS       = 1 << 4,
  SCM_DOCUMENT_CHANGE_LABELS         = 1 << 5,  /* a label column added/replaced/removed */
  SCM_DOCUMENT_CHANGE_STATUS         = 1 << 6,  /* busy / status text */
} ScmDocumentChange;

#define SCM_TYPE_DOCUMENT (scm_document_get_type ())
G_DECLARE_FINAL_TYPE (ScmDocument, scm_document, SCM, DOCUMENT, GObject)

ScmDocument      *scm_document_new                 (void);

/* Generation: pass it back to the setters below; 0 = "current" (main-thread
 * code that is never stale). */
guint64           scm_document_get_generation      (ScmDocument *self);
gboolean          scm_document_is_current          (ScmDocument *self, guint64 generation);

/* Dataset.  Replaces everything (processed, representation, UMAP, clusters,
 * extra label columns) and bumps the generation.  ds may be NULL (close). */
void              scm_document_set_dataset         (ScmDocument *self, ScmDataset *ds);
ScmDataset       *scm_document_get_dataset         (ScmDocument *self);   /* borrowed, may be NULL */
gboolean          scm_document_has_dataset         (ScmDocument *self);
const char       *scm_document_get_path            (ScmDocument *self);   /* ds->path or NULL */
const char       *scm_document_get_format          (ScmDocument *self);   /* ds->format or NULL */
gint64            scm_document_get_n_cells         (ScmDocument *self);   /* 0 without dataset */
/* Short display name: basename of the path, or "Demo dataset". */
const char       *scm_document_get_title           (ScmDocument *self);
void              scm_document_set_title           (ScmDocument *self, const char *title);

/* Preprocessed model inputs (normalised RNA / CLR ADT, the cells kept by
 * QC), as a dataset derived from the loaded one.  Takes a ref. */
gboolean          scm_document_set_processed       (ScmDocument *self, guint64 generation,
                                                    ScmDataset *processed);
ScmDataset       *scm_document_get_processed       (ScmDocument *self);   /* borrowed, may be NULL */

/* Current representation (cells x dims).  Takes ownership of m; m->name is
 * the obsm key ("X_pca", "X_scmmae").  Drops UMAP and clusters (they were
 * computed from the old one) and bumps the generation.  Returns FALSE (and
 * frees m) when generation is stale or m has the wrong number of rows. */
gboolean          scm_document_set_representation  (ScmDocument *self, guint64 generation,
                                                    ScmMatrix *m);
const ScmMatrix  *scm_document_get_representation  (ScmDocument *self);
const char       *scm_document_get_representation_name (ScmDocument *self);

/* UMAP coordinates: (n_cells, 2) row-major, and how they were made
 * (record may be NULL: not known); both copied, cleared together. */
gboolean          scm_document_set_umap            (ScmDocument *self, guint64 generation,
                                                    const float *xy, gint64 n_cells,
                                                    const ScmUmapRecord *record);
const float      *scm_document_get_umap            (ScmDocument *self, gint64 *n_cells);
const ScmUmapRecord *scm_document_get_umap_record  (ScmDocument *self);   /* NULL if none */

/* Leiden clustering: codes (n_cells) in [0, n_clusters); copied.  Also
 * published as the categorical label column "leiden". */
gboolean          scm_document_set_clusters        (ScmDocument *self, guint64 generation,
                                                    const gint32 *codes, gint64 n_cells,
                                                    guint n_clusters, double resolution);
const gint32     *scm_document_get_clusters        (ScmDocument *self, gint64 *n_cells,
                                                    guint *n_clusters, double *resolution);

/* The neighbour graph the clustering ran on, for the annotated export
 * (obsp/distances, obsp/connectivities, uns/neighbors, as Scanpy).
 * Immutable once handed over and reference counted, so the worker that
 * built it and an export worker can keep reading it. */
typedef struct {
  ScmKnn    knn;            /* (n_cells, n_neighbors), column 0 = self */
  ScmGraph  graph;          /* UMAP connectivities of knn */
  ScmMetric metric;
  char     *use_rep;        /* obsm key of the representation */
  char     *knn_method;     /* "exact" / "nndescent" */
  guint64   random_state;
} ScmNeighborGraph;

ScmNeighborGraph *scm_neighbor_graph_new           (void);
ScmNeighborGraph *scm_neighbor_graph_ref           (ScmNeighborGraph *g);
void              scm_neighbor_graph_unref         (ScmNeighborGraph *g);

/* Takes the reference (g may be NULL: clear).  Returns FALSE (and drops g)
 * when generation is stale or g is not n_cells x n_cells.  Cleared with
 * UMAP and clusters when the dataset or representation changes.  No
 * "changed" emission: no page shows the graph. */
gboolean          scm_document_set_neighbors       (ScmDocument *self, guint64 generation,
                                                    ScmNeighborGraph *g);
ScmNeighborGraph *scm_document_get_neighbors       (ScmDocument *self);   /* borrowed, may be NULL */

/* Label columns: the categorical obs columns of the dataset, then the
 * document's own (leiden, predictions, annotations) in insertion order.
 * Returns a newly allocated GStrv of names. */
char            **scm_document_list_label_columns  (ScmDocument *self);
const ScmColumn  *scm_document_get_label_column    (ScmDocument *self, const char *name);
/* Adds or replaces a document-level column (takes ownership; must have
 * n == n_cells, else FALSE and freed).  Dataset columns are never
 * replaced: a document column with the same name shadows it. */
gboolean          scm_document_set_label_column    (ScmDocument *self, ScmColumn *col);
gboolean          scm_document_remove_label_column (ScmDocument *self, const char *name);

/* What the background analysis is doing, for banners and spinners. */
void              scm_document_set_status          (ScmDocument *self, gboolean busy,
                                                    const char *text);
gboolean          scm_document_get_busy            (ScmDocument *self);
const char       *scm_document_get_status_text     (ScmDocument *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmNeighborGraph, scm_neighbor_graph_unref)

G_END_DECLS
