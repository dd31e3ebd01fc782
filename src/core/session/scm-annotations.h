/* scm-annotations.h: per-cell labels built from a history of operations.
 *
 * A biologist names clusters, merges over-split ones, labels a lasso or a
 * gate, applies the model's predictions and writes notes.  Each of these is
 * an operation appended to a list; the labels are what replaying the list
 * from the base clustering gives.  That makes undo/redo exact (move a cursor
 * and replay), gives a log of how every label was made (operation, time,
 * source), and makes the session file just the base clustering plus the
 * operations (and the gates drawn on protein plots, kept to be shown again).
 *
 * Semantics (the last operation touching a cell wins):
 *  - a cell starts labelled with its cluster's name (default: the cluster id);
 *  - rename k: cluster k gets the name, and every cell now in k gets it;
 *  - merge [t, a, b...]: cells of a, b... join t; t gets the given name (or
 *    keeps its own) and all its cells get that name; a, b... become empty;
 *  - label cells: the given cells get the label (lasso, gate);
 *  - predictions: each cell with a prediction gets it;
 *  - note k: free text about cluster k; labels do not change.
 *
 * Sessions live in g_get_user_data_dir()/scmmae-studio/sessions/<sha256 of
 * the input path>.json, are written atomically (temp + fsync + rename) and
 * autosaved a moment after each change.  GLib/GObject + json-glib, no GTK.
 */
#pragma once

#include <glib-object.h>

#include "scm-dataset.h"
#include "session/scm-gates.h"

G_BEGIN_DECLS

typedef enum {
  SCM_ANNOT_OP_RENAME,
  SCM_ANNOT_OP_MERGE,
  SCM_ANNOT_OP_LABEL_CELLS,
  SCM_ANNOT_OP_PREDICTIONS,
  SCM_ANNOT_OP_NOTE,
} ScmAnnotOpKind;

/* One entry of the history (read-only for callers). */
typedef struct {
  ScmAnnotOpKind kind;
  gint64   time_us;      /* wall clock, g_get_real_time() */
  char    *source;       /* who/what: "user", "lasso", "gate CD3 vs CD19", "scMMAE" */
  gint32   cluster;      /* rename / note target, merge target */
  gint32  *clusters;     /* merge: the clusters merged into `cluster` */
  guint    n_clusters;
  char    *text;         /* rename/merge: name, label: label, note: note */
  gint64  *cells;        /* label: cell indices (ascending) */
  gint64   n_cells;
  gint32  *codes;        /* predictions: (n_cells_total) code, -1 = no prediction */
  char   **categories;   /* predictions: GStrv */
  gint64   n_affected;   /* cells whose label this operation set (at replay) */
} ScmAnnotOp;

#define SCM_TYPE_ANNOTATIONS (scm_annotations_get_type ())
G_DECLARE_FINAL_TYPE (ScmAnnotations, scm_annotations, SCM, ANNOTATIONS, GObject)

/* Base clustering: codes (n_cells) in [0, n_clusters), -1 = unclustered
 * (label "unassigned"); copied. */
ScmAnnotations *scm_annotations_new (gint64 n_cells, const gint32 *clusters, guint n_clusters,
                                     GError **error);

/* Operations.  Each validates its input (SCM_ERROR_INVALID with a message
 * naming the cluster or label), appends to the history, drops the redo
 * tail, replays and emits "changed".  source may be NULL ("user"). */
gboolean scm_annotations_rename_cluster  (ScmAnnotations *self, gint32 cluster, const char *name,
                                          const char *source, GError **error);
/* clusters[0] is the target; name NULL keeps the target's name. */
gboolean scm_annotations_merge_clusters  (ScmAnnotations *self, const gint32 *clusters, guint n,
                                          const char *name, const char *source, GError **error);
/* mask (n_cells) != 0 marks the cells. */
gboolean scm_annotations_label_cells     (ScmAnnotations *self, const guint8 *mask,
                                          const char *label, const char *source, GError **error);
/* labels (n_cells), NULL entries keep the current label. */
gboolean scm_annotations_apply_predictions (ScmAnnotations *self, const char *const *labels,
                                            const char *source, GError **error);
gboolean scm_annotations_set_note        (ScmAnnotations *self, gint32 cluster, const char *text,
                                          const char *source, GError **error);

/* Gates (scm-gates.h), one per feature pair: setting a gate on a pair that
 * has one replaces it and makes it the newest.  They are saved with the
 * session but are not operations: no undo, no "changed" (labels stay). */
gboolean    scm_annotations_set_gate        (ScmAnnotations *self, const char *x, const char *y,
                                             const float *polygon, int n_vertices, GError **error);
gboolean    scm_annotations_remove_gate     (ScmAnnotations *self, const char *x, const char *y);
guint       scm_annotations_get_n_gates     (ScmAnnotations *self);
/* Oldest first: the last one is the most recently drawn. */
const ScmGate *scm_annotations_get_gate     (ScmAnnotations *self, guint i);
const ScmGate *scm_annotations_find_gate    (ScmAnnotations *self, const char *x, const char *y);

gboolean    scm_annotations_can_undo        (ScmAnnotations *self);
gboolean    scm_annotations_can_redo        (ScmAnnotations *self);
gboolean    scm_annotations_undo            (ScmAnnotations *self);
gboolean    scm_annotations_redo            (ScmAnnotations *self);
/* One line describing operation i ("Renamed cluster 3 to “CD4 T”"), newly allocated. */
char       *scm_annotations_describe_op     (ScmAnnotations *self, guint i);

/* State after replaying the applied operations. */
gint64      scm_annotations_get_n_cells     (ScmAnnotations *self);
guint       scm_annotations_get_n_clusters  (ScmAnnotations *self);    /* base, incl. merged-away */
const gint32 *scm_annotations_get_base_clusters (ScmAnnotations *self);
const char *scm_annotations_get_label       (ScmAnnotations *self, gint64 cell);
gint32      scm_annotations_get_cluster     (ScmAnnotations *self, gint64 cell); /* after merges */
const char *scm_annotations_get_cluster_name (ScmAnnotations *self, gint32 cluster);
const char *scm_annotations_get_note        (ScmAnnotations *self, gint32 cluster); /* NULL = none */
/* -1 if live, else the cluster it was merged into. */
gint32      scm_annotations_get_merged_into (ScmAnnotations *self, gint32 cluster);
gint64      scm_annotations_get_cluster_size (ScmAnnotations *self, gint32 cluster);
/* Index into the history of the operation that set the cell's label, or -1
 * (the initial cluster name). */
gint        scm_annotations_get_label_op    (ScmAnnotations *self, gint64 cell);
/* History: all operations (applied ones are [0, n_applied)). */
guint       scm_annotations_get_n_ops       (ScmAnnotations *self);
guint       scm_annotations_get_n_applied   (ScmAnnotations *self);
const ScmAnnotOp *scm_annotations_get_op    (ScmAnnotations *self, guint i);

/* The labels as a categorical obs column (categories sorted), and the
 * merged clusters as another. */
ScmColumn  *scm_annotations_to_label_column   (ScmAnnotations *self, const char *name);
ScmColumn  *scm_annotations_to_cluster_column (ScmAnnotations *self, const char *name);
/* The log as CSV: index,time,operation,source,description,cells (applied ops). */
char       *scm_annotations_log_to_csv      (ScmAnnotations *self);

/* Session files. */
char       *scm_annotations_session_path    (const char *input_path);
char       *scm_annotations_to_json         (ScmAnnotations *self, const char *input_path);
ScmAnnotations *scm_annotations_new_from_json (const char *data, gssize len, const char *what,
                                               GError **error);
gboolean    scm_annotations_save            (ScmAnnotations *self, const char *path,
                                             const char *input_path, GError **error);
/* expected_n_cells > 0: refuse a session made for another dataset. */
ScmAnnotations *scm_annotations_load        (const char *path, gint64 expected_n_cells,
                                             GError **error);

/* Autosave: after each change, save to path once no further change came
 * for delay_ms (debounced on the thread-default main context).  path NULL
 * turns it off.  flush writes a pending save now.  "saved" is emitted
 * after each autosave, with the GError message or NULL. */
void        scm_annotations_set_autosave    (ScmAnnotations *self, const char *path,
                                             const char *input_path, guint delay_ms);
gboolean    scm_annotations_flush_autosave  (ScmAnnotations *self, GError **error);

G_END_DECLS
