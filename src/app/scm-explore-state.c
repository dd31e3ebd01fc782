/* scm-explore-state.c: shared selection, expression values and annotations. */
#include "config.h"

#include <string.h>

#include "scm-error.h"
#include "scm-explore-state.h"
#include "stats/scm-analyze.h"

/* ---- feature data ---- */

static void
feature_data_free (gpointer p)
{
  ScmFeatureData *fd = p;
  scm_csr_clear (&fd->rna);
  scm_csr_clear (&fd->rna_t);
  scm_csr_clear (&fd->adt);
  scm_csr_clear (&fd->adt_t);
  g_strfreev (fd->rna_names);
  g_strfreev (fd->adt_names);
}

ScmFeatureData *
scm_feature_data_ref (ScmFeatureData *fd)
{
  return g_atomic_rc_box_acquire (fd);
}

void
scm_feature_data_unref (ScmFeatureData *fd)
{
  if (fd)
    g_atomic_rc_box_release_full (fd, feature_data_free);
}

gboolean
scm_csr_transpose_to (ScmCsr *dst, const ScmCsr *src, GError **error)
{
  gint64 nnz = scm_csr_nnz (src);
  if (!scm_csr_alloc (dst, src->n_cols, src->n_rows, nnz, error))
    return FALSE;
  /* Count per column, prefix-sum, scatter: rows come out ascending. */
  for (gint64 k = 0; k < nnz; k++)
    dst->indptr[src->indices[k] + 1]++;
  for (gint64 c = 0; c < src->n_cols; c++)
    dst->indptr[c + 1] += dst->indptr[c];
  gint64 *fill = g_try_new0 (gint64, MAX (src->n_cols, 1));
  if (!fill)
    {
      scm_csr_clear (dst);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot transpose the expression matrix");
      return FALSE;
    }
  for (gint64 r = 0; r < src->n_rows; r++)
    for (gint64 k = src->indptr[r]; k < src->indptr[r + 1]; k++)
      {
        gint32 c = src->indices[k];
        gint64 at = dst->indptr[c] + fill[c]++;
        dst->indices[at] = (gint32) r;
        dst->data[at] = src->data[k];
      }
  g_free (fill);
  return TRUE;
}

float *
scm_feature_data_values (const ScmFeatureData *fd, ScmModalityKind kind, gint64 index)
{
  const ScmCsr *t = kind == SCM_MODALITY_ADT ? &fd->adt_t : &fd->rna_t;
  if (index < 0 || index >= t->n_rows)
    return NULL;
  float *v = g_try_new0 (float, MAX (fd->n_cells, 1));
  if (!v)
    return NULL;
  for (gint64 k = t->indptr[index]; k < t->indptr[index + 1]; k++)
    v[t->indices[k]] = t->data[k];
  return v;
}

static gint64
find_in (char **names, const char *name)
{
  if (!names)
    return -1;
  for (gint64 i = 0; names[i]; i++)
    if (strcmp (names[i], name) == 0)
      return i;
  for (gint64 i = 0; names[i]; i++)
    if (g_ascii_strcasecmp (names[i], name) == 0)
      return i;
  return -1;
}

gboolean
scm_feature_data_find (const ScmFeatureData *fd, const char *name, gboolean prefer_adt,
                       ScmModalityKind *kind, gint64 *index)
{
  if (!fd || !name)
    return FALSE;
  g_autofree char *n = g_strstrip (g_strdup (name));
  if (g_str_has_suffix (n, " (protein)"))
    {
      n[strlen (n) - strlen (" (protein)")] = '\0';
      prefer_adt = TRUE;
      gint64 i = find_in (fd->adt_names, n);
      if (i >= 0)
        {
          *kind = SCM_MODALITY_ADT;
          *index = i;
          return TRUE;
        }
      return FALSE;
    }
  if (g_str_has_prefix (n, "adt:"))
    return scm_feature_data_find (fd, n + 4, TRUE, kind, index) && *kind == SCM_MODALITY_ADT;
  for (int pass = 0; pass < 2; pass++)
    {
      gboolean adt = (pass == 0) == prefer_adt;
      gint64 i = find_in (adt ? fd->adt_names : fd->rna_names, n);
      if (i >= 0)
        {
          *kind = adt ? SCM_MODALITY_ADT : SCM_MODALITY_RNA;
          *index = i;
          return TRUE;
        }
    }
  return FALSE;
}

char *
scm_feature_data_display_name (const ScmFeatureData *fd, ScmModalityKind kind, gint64 index)
{
  if (kind == SCM_MODALITY_ADT)
    return g_strdup_printf ("%s (protein)", fd->adt_names[index]);
  return g_strdup (fd->rna_names[index]);
}

/* Worker: log-normalise / CLR and transpose.  Input: a dataset ref. */
static void
features_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ScmDataset *ds = task_data;
  ScmFeatureData *fd = g_atomic_rc_box_new0 (ScmFeatureData);
  GError *error = NULL;
  fd->n_cells = ds->n_cells;
  if (ds->rna && ds->rna->X.n_rows > 0)
    {
      if (!scm_modality_marker_values (ds, SCM_MODALITY_RNA, &fd->rna, &error) ||
          !scm_csr_transpose_to (&fd->rna_t, &fd->rna, &error))
        goto fail;
      fd->rna_names = g_strdupv (ds->rna->names);
    }
  if (g_cancellable_is_cancelled (cancellable))
    goto cancelled;
  if (ds->adt && ds->adt->X.n_rows > 0)
    {
      if (!scm_modality_marker_values (ds, SCM_MODALITY_ADT, &fd->adt, &error) ||
          !scm_csr_transpose_to (&fd->adt_t, &fd->adt, &error))
        goto fail;
      fd->adt_names = g_strdupv (ds->adt->names);
    }
  g_task_return_pointer (task, fd, (GDestroyNotify) scm_feature_data_unref);
  return;
cancelled:
  g_set_error (&error, SCM_ERROR, SCM_ERROR_CANCELLED, "cancelled");
fail:
  scm_feature_data_unref (fd);
  g_task_return_error (task, error);
}

/* ---- state ---- */

struct _ScmExploreState
{
  GObject parent_instance;

  ScmDocument    *document;      /* weak: the state is the document's data */
  ScmFeatureData *features;
  guint64         feature_gen;
  GCancellable   *feature_cancel;

  guint8         *selection;
  gint64          n_selected;
  gint64          n_cells;
  char           *selection_source;

  ScmAnnotations *annotations;
  gint32         *annotations_clusters;  /* the document clusters they were built on */
  gboolean        annotations_restored;
  gulong          annotations_handler;
  GWeakRef        main_view;
};

G_DEFINE_FINAL_TYPE (ScmExploreState, scm_explore_state, G_TYPE_OBJECT)

enum {
  SIGNAL_FEATURES_CHANGED,
  SIGNAL_SELECTION_CHANGED,
  SIGNAL_COLOR_REQUESTED,
  SIGNAL_ANNOTATIONS_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
drop_annotations (ScmExploreState *self)
{
  if (self->annotations)
    {
      GError *error = NULL;
      /* Never lose the last edits: write a pending autosave now. */
      if (!scm_annotations_flush_autosave (self->annotations, &error))
        {
          g_warning ("annotations: %s", error->message);
          g_clear_error (&error);
        }
      g_clear_signal_handler (&self->annotations_handler, self->annotations);
      g_clear_object (&self->annotations);
    }
  g_clear_pointer (&self->annotations_clusters, g_free);
  self->annotations_restored = FALSE;
}

static void
scm_explore_state_dispose (GObject *object)
{
  ScmExploreState *self = SCM_EXPLORE_STATE (object);
  if (self->feature_cancel)
    g_cancellable_cancel (self->feature_cancel);
  g_clear_object (&self->feature_cancel);
  drop_annotations (self);
  G_OBJECT_CLASS (scm_explore_state_parent_class)->dispose (object);
}

static void
scm_explore_state_finalize (GObject *object)
{
  ScmExploreState *self = SCM_EXPLORE_STATE (object);
  scm_feature_data_unref (self->features);
  g_free (self->selection);
  g_free (self->selection_source);
  g_weak_ref_clear (&self->main_view);
  G_OBJECT_CLASS (scm_explore_state_parent_class)->finalize (object);
}

static void
scm_explore_state_class_init (ScmExploreStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = scm_explore_state_dispose;
  object_class->finalize = scm_explore_state_finalize;
  signals[SIGNAL_FEATURES_CHANGED] =
    g_signal_new ("features-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_COLOR_REQUESTED] =
    g_signal_new ("color-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_ANNOTATIONS_CHANGED] =
    g_signal_new ("annotations-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
}

static void
scm_explore_state_init (ScmExploreState *self)
{
  g_weak_ref_init (&self->main_view, NULL);
}

void
scm_explore_state_set_main_view (ScmExploreState *self, GObject *view)
{
  g_weak_ref_set (&self->main_view, view);
}

GObject *
scm_explore_state_get_main_view (ScmExploreState *self)
{
  return g_weak_ref_get (&self->main_view);
}

static void
features_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  ScmExploreState *self = SCM_EXPLORE_STATE (source);
  GError *error = NULL;
  ScmFeatureData *fd = g_task_propagate_pointer (G_TASK (res), &error);
  guint64 gen = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (res), "scm-gen"));
  if (!fd)
    {
      /* Cancellation is routine (a new dataset or a closed window), from
       * the engine or from GTask itself. */
      if (!g_error_matches (error, SCM_ERROR, SCM_ERROR_CANCELLED) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("expression values: %s", error->message);
      g_clear_error (&error);
      return;
    }
  if (gen != self->feature_gen)
    {
      /* A newer dataset arrived while this one was computing. */
      scm_feature_data_unref (fd);
      return;
    }
  scm_feature_data_unref (self->features);
  self->features = fd;
  g_signal_emit (self, signals[SIGNAL_FEATURES_CHANGED], 0);
}

static void
start_features (ScmExploreState *self)
{
  ScmDataset *ds = scm_document_get_dataset (self->document);
  if (self->feature_cancel)
    g_cancellable_cancel (self->feature_cancel);
  g_clear_object (&self->feature_cancel);
  g_clear_pointer (&self->features, scm_feature_data_unref);
  self->feature_gen++;
  g_signal_emit (self, signals[SIGNAL_FEATURES_CHANGED], 0);
  if (!ds)
    return;
  self->feature_cancel = g_cancellable_new ();
  GTask *task = g_task_new (self, self->feature_cancel, features_done, NULL);
  g_task_set_source_tag (task, start_features);
  g_task_set_name (task, "[scmmae] expression values");
  g_task_set_task_data (task, scm_dataset_ref (ds), (GDestroyNotify) scm_dataset_unref);
  g_object_set_data (G_OBJECT (task), "scm-gen", GSIZE_TO_POINTER (self->feature_gen));
  g_task_run_in_thread (task, features_thread);
  g_object_unref (task);
}

static void
publish_annotations (ScmExploreState *self)
{
  if (!self->annotations || !self->document)
    return;
  ScmColumn *col = scm_annotations_to_label_column (self->annotations, "annotation");
  if (col)
    scm_document_set_label_column (self->document, col);
}

static void
annotations_changed_cb (ScmAnnotations *ann, ScmExploreState *self)
{
  publish_annotations (self);
  g_signal_emit (self, signals[SIGNAL_ANNOTATIONS_CHANGED], 0);
}

static char *
session_path (ScmExploreState *self)
{
  const char *p = scm_document_get_path (self->document);
  if (!p)
    p = scm_document_get_title (self->document);
  return scm_annotations_session_path (p);
}

static void
adopt_annotations (ScmExploreState *self, ScmAnnotations *ann, const gint32 *clusters, gint64 n)
{
  self->annotations = ann;
  self->annotations_clusters = g_memdup2 (clusters, sizeof (gint32) * MAX (n, 1));
  g_autofree char *path = session_path (self);
  scm_annotations_set_autosave (ann, path, scm_document_get_path (self->document), 500);
  self->annotations_handler =
    g_signal_connect (ann, "changed", G_CALLBACK (annotations_changed_cb), self);
  publish_annotations (self);
}

/* Operations or gates: a session holding only gates is worth keeping too. */
static gboolean
has_edits (ScmAnnotations *ann)
{
  return scm_annotations_get_n_ops (ann) > 0 || scm_annotations_get_n_gates (ann) > 0;
}

/* Clusters arrived or changed.  Keep edited annotations (labels are per
 * cell); otherwise restore the last session of this file or start fresh. */
static void
update_annotations (ScmExploreState *self)
{
  gint64 n = 0;
  guint k = 0;
  const gint32 *clusters = scm_document_get_clusters (self->document, &n, &k, NULL);
  if (!clusters)
    {
      if (self->annotations && has_edits (self->annotations))
        return;
      drop_annotations (self);
      g_signal_emit (self, signals[SIGNAL_ANNOTATIONS_CHANGED], 0);
      return;
    }
  if (self->annotations && has_edits (self->annotations) &&
      scm_annotations_get_n_cells (self->annotations) == n)
    {
      g_signal_emit (self, signals[SIGNAL_ANNOTATIONS_CHANGED], 0);
      return;
    }
  gboolean first = self->annotations == NULL;
  drop_annotations (self);
  GError *error = NULL;
  if (first)
    {
      g_autofree char *path = session_path (self);
      ScmAnnotations *ann = scm_annotations_load (path, n, &error);
      if (ann && has_edits (ann))
        {
          adopt_annotations (self, ann, clusters, n);
          self->annotations_restored = TRUE;
          g_signal_emit (self, signals[SIGNAL_ANNOTATIONS_CHANGED], 0);
          return;
        }
      g_clear_object (&ann);
      g_clear_error (&error);
    }
  ScmAnnotations *ann = scm_annotations_new (n, clusters, k, &error);
  if (!ann)
    {
      g_warning ("annotations: %s", error->message);
      g_clear_error (&error);
      return;
    }
  adopt_annotations (self, ann, clusters, n);
  g_signal_emit (self, signals[SIGNAL_ANNOTATIONS_CHANGED], 0);
}

static void
document_changed (ScmDocument *doc, guint flags, ScmExploreState *self)
{
  if (flags & SCM_DOCUMENT_CHANGE_DATASET)
    {
      drop_annotations (self);
      self->n_cells = scm_document_get_n_cells (doc);
      g_clear_pointer (&self->selection, g_free);
      self->n_selected = 0;
      g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0, NULL);
      start_features (self);
    }
  if (flags & (SCM_DOCUMENT_CHANGE_DATASET | SCM_DOCUMENT_CHANGE_CLUSTERS))
    update_annotations (self);
}

static void
document_gone (gpointer data, GObject *where)
{
  ScmExploreState *self = data;
  self->document = NULL;
}

static void
state_free (gpointer data)
{
  ScmExploreState *self = data;
  if (self->document)
    g_object_weak_unref (G_OBJECT (self->document), document_gone, self);
  self->document = NULL;
  g_object_run_dispose (G_OBJECT (self));
  g_object_unref (self);
}

ScmExploreState *
scm_explore_state_get (ScmDocument *document)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (document), NULL);
  ScmExploreState *self = g_object_get_data (G_OBJECT (document), "scm-explore-state");
  if (self)
    return self;
  self = g_object_new (SCM_TYPE_EXPLORE_STATE, NULL);
  self->document = document;
  g_object_weak_ref (G_OBJECT (document), document_gone, self);
  g_signal_connect_object (document, "changed", G_CALLBACK (document_changed), self, 0);
  g_object_set_data_full (G_OBJECT (document), "scm-explore-state", self, state_free);
  self->n_cells = scm_document_get_n_cells (document);
  if (scm_document_has_dataset (document))
    {
      start_features (self);
      update_annotations (self);
    }
  return self;
}

ScmDocument *scm_explore_state_get_document (ScmExploreState *self) { return self->document; }
ScmFeatureData *scm_explore_state_get_features (ScmExploreState *self) { return self->features; }

void
scm_explore_state_set_selection (ScmExploreState *self, const guint8 *mask, gpointer origin)
{
  g_clear_pointer (&self->selection, g_free);
  self->n_selected = 0;
  if (mask && self->n_cells > 0)
    {
      self->selection = g_malloc (self->n_cells);
      for (gint64 i = 0; i < self->n_cells; i++)
        {
          self->selection[i] = mask[i] ? 1 : 0;
          self->n_selected += self->selection[i];
        }
      if (self->n_selected == 0)
        g_clear_pointer (&self->selection, g_free);
    }
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0, origin);
}

const guint8 *
scm_explore_state_get_selection (ScmExploreState *self, gint64 *n_selected)
{
  if (n_selected)
    *n_selected = self->n_selected;
  return self->selection;
}

const char *
scm_explore_state_get_selection_source (ScmExploreState *self)
{
  return self->selection_source ? self->selection_source : "lasso";
}

void
scm_explore_state_set_selection_source (ScmExploreState *self, const char *source)
{
  g_free (self->selection_source);
  self->selection_source = g_strdup (source);
}

void
scm_explore_state_request_color (ScmExploreState *self, const char *key)
{
  g_signal_emit (self, signals[SIGNAL_COLOR_REQUESTED], 0, key);
}

ScmAnnotations *scm_explore_state_get_annotations (ScmExploreState *self) { return self->annotations; }
gboolean scm_explore_state_annotations_restored (ScmExploreState *self) { return self->annotations_restored; }

gboolean
scm_explore_state_annotations_outdated (ScmExploreState *self)
{
  gint64 n = 0;
  const gint32 *clusters = scm_document_get_clusters (self->document, &n, NULL, NULL);
  if (!self->annotations || !clusters || !self->annotations_clusters)
    return FALSE;
  return memcmp (clusters, self->annotations_clusters, sizeof (gint32) * n) != 0;
}

void
scm_explore_state_reset_annotations (ScmExploreState *self)
{
  drop_annotations (self);
  gint64 n = 0;
  guint k = 0;
  const gint32 *clusters = scm_document_get_clusters (self->document, &n, &k, NULL);
  if (clusters)
    {
      ScmAnnotations *ann = scm_annotations_new (n, clusters, k, NULL);
      if (ann)
        {
          adopt_annotations (self, ann, clusters, n);
          /* Overwrite the old session now so a restart does not bring it back. */
          scm_annotations_flush_autosave (ann, NULL);
          g_autofree char *path = session_path (self);
          scm_annotations_save (ann, path, scm_document_get_path (self->document), NULL);
        }
    }
  g_signal_emit (self, signals[SIGNAL_ANNOTATIONS_CHANGED], 0);
}
