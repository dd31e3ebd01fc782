/* scm-annotations.c: operation history, replay, JSON session files, autosave. */
#include "scm-annotations.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "scm-error.h"
#include "util/scm-atomic-file.h"

#define SESSION_FORMAT "scmmae-studio-session"
#define SESSION_VERSION 1
#define UNASSIGNED "unassigned"

struct _ScmAnnotations
{
  GObject parent_instance;

  gint64  n;
  guint   k;
  gint32 *base;          /* (n) base clusters */

  GPtrArray *ops;        /* ScmAnnotOp* */
  guint      n_applied;
  GPtrArray *gates;      /* ScmGate*, oldest first; not operations (no undo) */

  /* Replayed state. */
  gint32 *cluster;       /* (n) after merges */
  gint32 *label;         /* (n) index into labels */
  gint   *label_op;      /* (n) op that set it, -1 initial */
  GPtrArray  *labels;    /* char*, interned label strings */
  GHashTable *label_ids; /* char* -> index+1 */
  char  **cluster_name;  /* (k) */
  char  **note;          /* (k) */
  gint32 *merged_into;   /* (k) */
  gint64 *cluster_size;  /* (k) */

  /* Autosave. */
  char  *autosave_path;
  char  *autosave_input;
  guint  autosave_delay;
  guint  autosave_id;
};

G_DEFINE_FINAL_TYPE (ScmAnnotations, scm_annotations, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, SIGNAL_SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
op_free (gpointer p)
{
  ScmAnnotOp *op = p;
  g_free (op->source);
  g_free (op->clusters);
  g_free (op->text);
  g_free (op->cells);
  g_free (op->codes);
  g_strfreev (op->categories);
  g_free (op);
}

static void
free_state (ScmAnnotations *self)
{
  if (self->cluster_name)
    for (guint c = 0; c < self->k; c++)
      {
        g_free (self->cluster_name[c]);
        g_free (self->note[c]);
      }
  g_clear_pointer (&self->cluster_name, g_free);
  g_clear_pointer (&self->note, g_free);
  g_clear_pointer (&self->labels, g_ptr_array_unref);
  g_clear_pointer (&self->label_ids, g_hash_table_unref);
}

static void
scm_annotations_finalize (GObject *object)
{
  ScmAnnotations *self = SCM_ANNOTATIONS (object);
  g_clear_handle_id (&self->autosave_id, g_source_remove);
  free_state (self);
  g_free (self->base);
  g_free (self->cluster);
  g_free (self->label);
  g_free (self->label_op);
  g_free (self->merged_into);
  g_free (self->cluster_size);
  g_ptr_array_unref (self->ops);
  g_ptr_array_unref (self->gates);
  g_free (self->autosave_path);
  g_free (self->autosave_input);
  G_OBJECT_CLASS (scm_annotations_parent_class)->finalize (object);
}

static void
scm_annotations_class_init (ScmAnnotationsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = scm_annotations_finalize;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
scm_annotations_init (ScmAnnotations *self)
{
  self->ops = g_ptr_array_new_with_free_func (op_free);
  self->gates = g_ptr_array_new_with_free_func ((GDestroyNotify) scm_gate_free);
}

static gint32
intern (ScmAnnotations *self, const char *s)
{
  gpointer v = g_hash_table_lookup (self->label_ids, s);
  if (v)
    return GPOINTER_TO_INT (v) - 1;
  char *copy = g_strdup (s);
  g_ptr_array_add (self->labels, copy);
  g_hash_table_insert (self->label_ids, copy, GINT_TO_POINTER ((gint) self->labels->len));
  return (gint32) self->labels->len - 1;
}

static void
apply_op (ScmAnnotations *self, ScmAnnotOp *op, gint op_index)
{
  gint64 affected = 0;
  switch (op->kind)
    {
    case SCM_ANNOT_OP_RENAME:
      {
        g_free (self->cluster_name[op->cluster]);
        self->cluster_name[op->cluster] = g_strdup (op->text);
        gint32 id = intern (self, op->text);
        for (gint64 i = 0; i < self->n; i++)
          if (self->cluster[i] == op->cluster)
            {
              self->label[i] = id;
              self->label_op[i] = op_index;
              affected++;
            }
      }
      break;
    case SCM_ANNOT_OP_MERGE:
      {
        gint32 t = op->cluster;
        for (guint j = 0; j < op->n_clusters; j++)
          if (op->clusters[j] != t)
            self->merged_into[op->clusters[j]] = t;
        /* Clusters merged earlier into a source now point at the target. */
        for (guint c = 0; c < self->k; c++)
          if (self->merged_into[c] >= 0 && self->merged_into[self->merged_into[c]] >= 0)
            self->merged_into[c] = self->merged_into[self->merged_into[c]];
        if (op->text)
          {
            g_free (self->cluster_name[t]);
            self->cluster_name[t] = g_strdup (op->text);
          }
        gint32 id = intern (self, self->cluster_name[t]);
        for (gint64 i = 0; i < self->n; i++)
          {
            gint32 c = self->cluster[i];
            if (c < 0)
              continue;
            gboolean in = c == t;
            for (guint j = 0; j < op->n_clusters && !in; j++)
              in = c == op->clusters[j];
            if (!in)
              continue;
            self->cluster[i] = t;
            self->label[i] = id;
            self->label_op[i] = op_index;
            affected++;
          }
      }
      break;
    case SCM_ANNOT_OP_LABEL_CELLS:
      {
        gint32 id = intern (self, op->text);
        for (gint64 j = 0; j < op->n_cells; j++)
          {
            gint64 i = op->cells[j];
            self->label[i] = id;
            self->label_op[i] = op_index;
          }
        affected = op->n_cells;
      }
      break;
    case SCM_ANNOT_OP_PREDICTIONS:
      {
        guint nc = g_strv_length (op->categories);
        gint32 *ids = g_new (gint32, MAX (nc, 1));
        for (guint c = 0; c < nc; c++)
          ids[c] = intern (self, op->categories[c]);
        for (gint64 i = 0; i < self->n; i++)
          if (op->codes[i] >= 0 && (guint) op->codes[i] < nc)
            {
              self->label[i] = ids[op->codes[i]];
              self->label_op[i] = op_index;
              affected++;
            }
        g_free (ids);
      }
      break;
    case SCM_ANNOT_OP_NOTE:
      g_free (self->note[op->cluster]);
      self->note[op->cluster] = (op->text && *op->text) ? g_strdup (op->text) : NULL;
      break;
    }
  op->n_affected = affected;
}

/* Rebuilds the state from the base by replaying the applied operations.
 * O(n_ops * n_cells): a session has tens of operations, so this stays
 * well under a frame for typical datasets and keeps undo trivially exact. */
static void
replay (ScmAnnotations *self)
{
  free_state (self);
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->label_ids = g_hash_table_new (g_str_hash, g_str_equal);
  self->cluster_name = g_new0 (char *, self->k + 1);
  self->note = g_new0 (char *, self->k + 1);
  for (guint c = 0; c < self->k; c++)
    {
      self->cluster_name[c] = g_strdup_printf ("%u", c);
      self->merged_into[c] = -1;
    }
  gint32 *ids = g_new (gint32, self->k + 1);
  for (guint c = 0; c < self->k; c++)
    ids[c] = intern (self, self->cluster_name[c]);
  gint32 unassigned = -1;
  for (gint64 i = 0; i < self->n; i++)
    {
      gint32 c = self->base[i];
      self->cluster[i] = c;
      if (c < 0 && unassigned < 0)
        unassigned = intern (self, UNASSIGNED);
      self->label[i] = c >= 0 ? ids[c] : unassigned;
      self->label_op[i] = -1;
    }
  g_free (ids);
  for (guint j = 0; j < self->n_applied; j++)
    apply_op (self, g_ptr_array_index (self->ops, j), (gint) j);
  memset (self->cluster_size, 0, sizeof (gint64) * MAX (self->k, 1));
  for (gint64 i = 0; i < self->n; i++)
    if (self->cluster[i] >= 0)
      self->cluster_size[self->cluster[i]]++;
}

static void schedule_autosave (ScmAnnotations *self);

static void
changed (ScmAnnotations *self)
{
  replay (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  schedule_autosave (self);
}

ScmAnnotations *
scm_annotations_new (gint64 n_cells, const gint32 *clusters, guint n_clusters, GError **error)
{
  if (n_cells < 0 || n_clusters > G_MAXINT32)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "annotations: bad size %" G_GINT64_FORMAT
                   " cells, %u clusters", n_cells, n_clusters);
      return NULL;
    }
  for (gint64 i = 0; i < n_cells; i++)
    if (clusters[i] < -1 || (clusters[i] >= 0 && (guint) clusters[i] >= n_clusters))
      {
        g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                     "annotations: cell %" G_GINT64_FORMAT " has cluster %d, outside [0, %u)", i,
                     clusters[i], n_clusters);
        return NULL;
      }
  gsize nn = (gsize) MAX (n_cells, 1);
  gint32 *base = g_try_new (gint32, nn), *cl = g_try_new (gint32, nn), *lab = g_try_new (gint32, nn);
  gint *lop = g_try_new (gint, nn);
  if (!base || !cl || !lab || !lop)
    {
      g_free (base);
      g_free (cl);
      g_free (lab);
      g_free (lop);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                   "annotations: cannot allocate state for %" G_GINT64_FORMAT " cells", n_cells);
      return NULL;
    }
  ScmAnnotations *self = g_object_new (SCM_TYPE_ANNOTATIONS, NULL);
  self->n = n_cells;
  self->k = n_clusters;
  self->base = base;
  if (n_cells > 0)
    memcpy (self->base, clusters, sizeof (gint32) * n_cells);
  self->cluster = cl;
  self->label = lab;
  self->label_op = lop;
  self->merged_into = g_new (gint32, MAX (n_clusters, 1));
  self->cluster_size = g_new0 (gint64, MAX (n_clusters, 1));
  replay (self);
  return self;
}

static ScmAnnotOp *
op_new (ScmAnnotOpKind kind, const char *source)
{
  ScmAnnotOp *op = g_new0 (ScmAnnotOp, 1);
  op->kind = kind;
  op->time_us = g_get_real_time ();
  op->source = g_strdup (source ? source : "user");
  op->cluster = -1;
  return op;
}

static void
push (ScmAnnotations *self, ScmAnnotOp *op)
{
  /* A new operation after undo discards the redo branch. */
  if (self->ops->len > self->n_applied)
    g_ptr_array_remove_range (self->ops, self->n_applied, self->ops->len - self->n_applied);
  g_ptr_array_add (self->ops, op);
  self->n_applied = self->ops->len;
  changed (self);
}

static gboolean
check_live_cluster (ScmAnnotations *self, gint32 cluster, GError **error)
{
  if (cluster < 0 || (guint) cluster >= self->k)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND, "there is no cluster %d (clusters are 0 to %d)",
                   cluster, (int) self->k - 1);
      return FALSE;
    }
  if (self->merged_into[cluster] >= 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "cluster %d was merged into cluster %d (“%s”)",
                   cluster, self->merged_into[cluster], self->cluster_name[self->merged_into[cluster]]);
      return FALSE;
    }
  return TRUE;
}

static char *
clean_name (const char *name, const char *what, GError **error)
{
  char *s = g_strstrip (g_strdup (name ? name : ""));
  if (!*s)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "%s: the name is empty", what);
      g_free (s);
      return NULL;
    }
  if (!g_utf8_validate (s, -1, NULL))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "%s: the name is not valid UTF-8", what);
      g_free (s);
      return NULL;
    }
  return s;
}

gboolean
scm_annotations_rename_cluster (ScmAnnotations *self, gint32 cluster, const char *name,
                                const char *source, GError **error)
{
  g_return_val_if_fail (SCM_IS_ANNOTATIONS (self), FALSE);
  if (!check_live_cluster (self, cluster, error))
    return FALSE;
  char *s = clean_name (name, "rename cluster", error);
  if (!s)
    return FALSE;
  ScmAnnotOp *op = op_new (SCM_ANNOT_OP_RENAME, source);
  op->cluster = cluster;
  op->text = s;
  push (self, op);
  return TRUE;
}

gboolean
scm_annotations_merge_clusters (ScmAnnotations *self, const gint32 *clusters, guint n,
                                const char *name, const char *source, GError **error)
{
  g_return_val_if_fail (SCM_IS_ANNOTATIONS (self), FALSE);
  GArray *uniq = g_array_new (FALSE, FALSE, sizeof (gint32));
  for (guint j = 0; j < n; j++)
    {
      if (!check_live_cluster (self, clusters[j], error))
        {
          g_array_unref (uniq);
          return FALSE;
        }
      gboolean dup = FALSE;
      for (guint q = 0; q < uniq->len; q++)
        dup |= g_array_index (uniq, gint32, q) == clusters[j];
      if (!dup)
        g_array_append_val (uniq, clusters[j]);
    }
  if (uniq->len < 2)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "merge: choose at least two different clusters");
      g_array_unref (uniq);
      return FALSE;
    }
  char *s = NULL;
  if (name && *name && !(s = clean_name (name, "merge clusters", error)))
    {
      g_array_unref (uniq);
      return FALSE;
    }
  ScmAnnotOp *op = op_new (SCM_ANNOT_OP_MERGE, source);
  op->cluster = g_array_index (uniq, gint32, 0);
  op->n_clusters = uniq->len - 1;
  op->clusters = g_new (gint32, op->n_clusters);
  memcpy (op->clusters, &g_array_index (uniq, gint32, 1), sizeof (gint32) * op->n_clusters);
  op->text = s;
  g_array_unref (uniq);
  push (self, op);
  return TRUE;
}

gboolean
scm_annotations_label_cells (ScmAnnotations *self, const guint8 *mask, const char *label,
                             const char *source, GError **error)
{
  g_return_val_if_fail (SCM_IS_ANNOTATIONS (self), FALSE);
  gint64 m = 0;
  for (gint64 i = 0; i < self->n; i++)
    m += mask[i] != 0;
  if (m == 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "label cells: no cells are selected");
      return FALSE;
    }
  char *s = clean_name (label, "label cells", error);
  if (!s)
    return FALSE;
  ScmAnnotOp *op = op_new (SCM_ANNOT_OP_LABEL_CELLS, source);
  op->text = s;
  op->cells = g_try_new (gint64, m);
  if (!op->cells)
    {
      op_free (op);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "label cells: out of memory");
      return FALSE;
    }
  for (gint64 i = 0; i < self->n; i++)
    if (mask[i])
      op->cells[op->n_cells++] = i;
  push (self, op);
  return TRUE;
}

gboolean
scm_annotations_apply_predictions (ScmAnnotations *self, const char *const *labels,
                                   const char *source, GError **error)
{
  g_return_val_if_fail (SCM_IS_ANNOTATIONS (self), FALSE);
  GHashTable *ids = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *cats = g_ptr_array_new ();
  gint32 *codes = g_try_new (gint32, MAX (self->n, 1));
  if (!codes)
    {
      g_hash_table_unref (ids);
      g_ptr_array_unref (cats);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "predictions: out of memory");
      return FALSE;
    }
  gint64 m = 0;
  for (gint64 i = 0; i < self->n; i++)
    {
      const char *l = labels[i];
      if (!l || !*l)
        {
          codes[i] = -1;
          continue;
        }
      gpointer v = g_hash_table_lookup (ids, l);
      if (!v)
        {
          g_ptr_array_add (cats, g_strdup (l));
          v = GINT_TO_POINTER ((gint) cats->len);
          g_hash_table_insert (ids, (gpointer) l, v);
        }
      codes[i] = GPOINTER_TO_INT (v) - 1;
      m++;
    }
  g_hash_table_unref (ids);
  if (m == 0)
    {
      g_ptr_array_free (cats, TRUE);
      g_free (codes);
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "predictions: no cell has a predicted label");
      return FALSE;
    }
  g_ptr_array_add (cats, NULL);
  ScmAnnotOp *op = op_new (SCM_ANNOT_OP_PREDICTIONS, source);
  op->codes = codes;
  op->categories = (char **) g_ptr_array_free (cats, FALSE);
  push (self, op);
  return TRUE;
}

gboolean
scm_annotations_set_note (ScmAnnotations *self, gint32 cluster, const char *text,
                          const char *source, GError **error)
{
  g_return_val_if_fail (SCM_IS_ANNOTATIONS (self), FALSE);
  if (!check_live_cluster (self, cluster, error))
    return FALSE;
  if (text && !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "note on cluster %d is not valid UTF-8", cluster);
      return FALSE;
    }
  ScmAnnotOp *op = op_new (SCM_ANNOT_OP_NOTE, source);
  op->cluster = cluster;
  op->text = g_strdup (text ? text : "");
  push (self, op);
  return TRUE;
}

/* ---- gates: kept with the session, outside the history ---- */

static gint
find_gate (ScmAnnotations *self, const char *x, const char *y)
{
  for (guint i = 0; i < self->gates->len; i++)
    if (scm_gate_is_on (g_ptr_array_index (self->gates, i), x, y))
      return (gint) i;
  return -1;
}

gboolean
scm_annotations_set_gate (ScmAnnotations *self, const char *x, const char *y, const float *polygon,
                          int n_vertices, GError **error)
{
  g_return_val_if_fail (SCM_IS_ANNOTATIONS (self), FALSE);
  ScmGate *gate = scm_gate_new (x, y, polygon, n_vertices, error);
  if (!gate)
    return FALSE;
  /* One gate per feature pair; the newest goes last (the one to show). */
  gint i = find_gate (self, x, y);
  if (i >= 0)
    g_ptr_array_remove_index (self->gates, (guint) i);
  g_ptr_array_add (self->gates, gate);
  /* Labels do not change, so no replay and no "changed": only the file. */
  schedule_autosave (self);
  return TRUE;
}

gboolean
scm_annotations_remove_gate (ScmAnnotations *self, const char *x, const char *y)
{
  g_return_val_if_fail (SCM_IS_ANNOTATIONS (self), FALSE);
  gint i = find_gate (self, x, y);
  if (i < 0)
    return FALSE;
  g_ptr_array_remove_index (self->gates, (guint) i);
  schedule_autosave (self);
  return TRUE;
}

guint
scm_annotations_get_n_gates (ScmAnnotations *self)
{
  g_return_val_if_fail (SCM_IS_ANNOTATIONS (self), 0);
  return self->gates->len;
}

const ScmGate *
scm_annotations_get_gate (ScmAnnotations *self, guint i)
{
  g_return_val_if_fail (SCM_IS_ANNOTATIONS (self), NULL);
  return i < self->gates->len ? g_ptr_array_index (self->gates, i) : NULL;
}

const ScmGate *
scm_annotations_find_gate (ScmAnnotations *self, const char *x, const char *y)
{
  g_return_val_if_fail (SCM_IS_ANNOTATIONS (self), NULL);
  gint i = find_gate (self, x, y);
  return i >= 0 ? g_ptr_array_index (self->gates, (guint) i) : NULL;
}

gboolean scm_annotations_can_undo (ScmAnnotations *self) { return self->n_applied > 0; }
gboolean scm_annotations_can_redo (ScmAnnotations *self) { return self->n_applied < self->ops->len; }

gboolean
scm_annotations_undo (ScmAnnotations *self)
{
  if (!scm_annotations_can_undo (self))
    return FALSE;
  self->n_applied--;
  changed (self);
  return TRUE;
}

gboolean
scm_annotations_redo (ScmAnnotations *self)
{
  if (!scm_annotations_can_redo (self))
    return FALSE;
  self->n_applied++;
  changed (self);
  return TRUE;
}

char *
scm_annotations_describe_op (ScmAnnotations *self, guint i)
{
  if (i >= self->ops->len)
    return NULL;
  const ScmAnnotOp *op = g_ptr_array_index (self->ops, i);
  switch (op->kind)
    {
    case SCM_ANNOT_OP_RENAME:
      return g_strdup_printf ("Renamed cluster %d to “%s”", op->cluster, op->text);
    case SCM_ANNOT_OP_MERGE:
      {
        GString *s = g_string_new (NULL);
        g_string_append_printf (s, "Merged cluster%s ", op->n_clusters > 1 ? "s" : "");
        for (guint j = 0; j < op->n_clusters; j++)
          g_string_append_printf (s, "%s%d", j ? ", " : "", op->clusters[j]);
        g_string_append_printf (s, " into %d", op->cluster);
        if (op->text)
          g_string_append_printf (s, " as “%s”", op->text);
        return g_string_free (s, FALSE);
      }
    case SCM_ANNOT_OP_LABEL_CELLS:
      return g_strdup_printf ("Labelled %" G_GINT64_FORMAT " cells “%s”", op->n_cells, op->text);
    case SCM_ANNOT_OP_PREDICTIONS:
      return g_strdup_printf ("Applied predictions (%u labels)", g_strv_length (op->categories));
    case SCM_ANNOT_OP_NOTE:
      return g_strdup_printf ("Note on cluster %d: %s", op->cluster, op->text);
    }
  return NULL;
}

gint64 scm_annotations_get_n_cells (ScmAnnotations *self) { return self->n; }
guint scm_annotations_get_n_clusters (ScmAnnotations *self) { return self->k; }
const gint32 *scm_annotations_get_base_clusters (ScmAnnotations *self) { return self->base; }

const char *
scm_annotations_get_label (ScmAnnotations *self, gint64 cell)
{
  g_return_val_if_fail (cell >= 0 && cell < self->n, NULL);
  return g_ptr_array_index (self->labels, self->label[cell]);
}

gint32
scm_annotations_get_cluster (ScmAnnotations *self, gint64 cell)
{
  g_return_val_if_fail (cell >= 0 && cell < self->n, -1);
  return self->cluster[cell];
}

const char *
scm_annotations_get_cluster_name (ScmAnnotations *self, gint32 cluster)
{
  return (cluster >= 0 && (guint) cluster < self->k) ? self->cluster_name[cluster] : NULL;
}

const char *
scm_annotations_get_note (ScmAnnotations *self, gint32 cluster)
{
  return (cluster >= 0 && (guint) cluster < self->k) ? self->note[cluster] : NULL;
}

gint32
scm_annotations_get_merged_into (ScmAnnotations *self, gint32 cluster)
{
  return (cluster >= 0 && (guint) cluster < self->k) ? self->merged_into[cluster] : -1;
}

gint64
scm_annotations_get_cluster_size (ScmAnnotations *self, gint32 cluster)
{
  return (cluster >= 0 && (guint) cluster < self->k) ? self->cluster_size[cluster] : 0;
}

gint
scm_annotations_get_label_op (ScmAnnotations *self, gint64 cell)
{
  g_return_val_if_fail (cell >= 0 && cell < self->n, -1);
  return self->label_op[cell];
}

guint scm_annotations_get_n_ops (ScmAnnotations *self) { return self->ops->len; }
guint scm_annotations_get_n_applied (ScmAnnotations *self) { return self->n_applied; }

const ScmAnnotOp *
scm_annotations_get_op (ScmAnnotations *self, guint i)
{
  return i < self->ops->len ? g_ptr_array_index (self->ops, i) : NULL;
}

ScmColumn *
scm_annotations_to_label_column (ScmAnnotations *self, const char *name)
{
  const char **labels = g_new (const char *, MAX (self->n, 1));
  for (gint64 i = 0; i < self->n; i++)
    labels[i] = g_ptr_array_index (self->labels, self->label[i]);
  ScmColumn *c = scm_column_new_from_labels (name, self->n, labels);
  g_free (labels);
  return c;
}

ScmColumn *
scm_annotations_to_cluster_column (ScmAnnotations *self, const char *name)
{
  /* Live clusters keep their ids as category names so they match the UMAP
   * legend; merged-away ones simply have no cells. */
  char **cats = g_new0 (char *, self->k + 1);
  for (guint c = 0; c < self->k; c++)
    cats[c] = g_strdup_printf ("%u", c);
  gint32 *codes = g_new (gint32, MAX (self->n, 1));
  memcpy (codes, self->cluster, sizeof (gint32) * self->n);
  return scm_column_new_categorical (name, self->n, codes, cats);
}

static const char *
op_name (ScmAnnotOpKind k)
{
  switch (k)
    {
    case SCM_ANNOT_OP_RENAME: return "rename";
    case SCM_ANNOT_OP_MERGE: return "merge";
    case SCM_ANNOT_OP_LABEL_CELLS: return "label";
    case SCM_ANNOT_OP_PREDICTIONS: return "predictions";
    case SCM_ANNOT_OP_NOTE: return "note";
    }
  return "unknown";
}

static gboolean
op_kind_from_name (const char *s, ScmAnnotOpKind *k)
{
  for (int i = SCM_ANNOT_OP_RENAME; i <= SCM_ANNOT_OP_NOTE; i++)
    if (g_strcmp0 (s, op_name (i)) == 0)
      {
        *k = i;
        return TRUE;
      }
  return FALSE;
}

static char *
iso_time (gint64 us)
{
  GDateTime *dt = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  char *s = dt ? g_date_time_format_iso8601 (dt) : g_strdup ("");
  if (dt)
    g_date_time_unref (dt);
  return s;
}

static void
csv_field (GString *s, const char *v)
{
  if (strpbrk (v, ",\"\n\r"))
    {
      g_string_append_c (s, '"');
      for (const char *p = v; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (s, '"');
          g_string_append_c (s, *p);
        }
      g_string_append_c (s, '"');
    }
  else
    g_string_append (s, v);
}

char *
scm_annotations_log_to_csv (ScmAnnotations *self)
{
  GString *s = g_string_new ("index,time,operation,source,description,cells\n");
  for (guint i = 0; i < self->n_applied; i++)
    {
      const ScmAnnotOp *op = g_ptr_array_index (self->ops, i);
      g_autofree char *t = iso_time (op->time_us);
      g_autofree char *d = scm_annotations_describe_op (self, i);
      g_string_append_printf (s, "%u,%s,%s,", i + 1, t, op_name (op->kind));
      csv_field (s, op->source);
      g_string_append_c (s, ',');
      csv_field (s, d);
      g_string_append_printf (s, ",%" G_GINT64_FORMAT "\n", op->n_affected);
    }
  return g_string_free (s, FALSE);
}

/* ---- session files ---- */

char *
scm_annotations_session_path (const char *input_path)
{
  g_autofree char *canon = g_canonicalize_filename (input_path ? input_path : "untitled", NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canon, -1);
  g_autofree char *name = g_strdup_printf ("%.32s.json", hash);
  return g_build_filename (g_get_user_data_dir (), "scmmae-studio", "sessions", name, NULL);
}

char *
scm_annotations_to_json (ScmAnnotations *self, const char *input_path)
{
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, SESSION_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, SESSION_VERSION);
  json_builder_set_member_name (b, "input_path");
  json_builder_add_string_value (b, input_path ? input_path : "");
  json_builder_set_member_name (b, "n_cells");
  json_builder_add_int_value (b, self->n);
  json_builder_set_member_name (b, "n_clusters");
  json_builder_add_int_value (b, self->k);
  json_builder_set_member_name (b, "clusters");
  json_builder_begin_array (b);
  for (gint64 i = 0; i < self->n; i++)
    json_builder_add_int_value (b, self->base[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "applied");
  json_builder_add_int_value (b, self->n_applied);
  json_builder_set_member_name (b, "ops");
  json_builder_begin_array (b);
  for (guint j = 0; j < self->ops->len; j++)
    {
      const ScmAnnotOp *op = g_ptr_array_index (self->ops, j);
      g_autofree char *t = iso_time (op->time_us);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "op");
      json_builder_add_string_value (b, op_name (op->kind));
      json_builder_set_member_name (b, "time");
      json_builder_add_string_value (b, t);
      json_builder_set_member_name (b, "time_us");
      json_builder_add_int_value (b, op->time_us);
      json_builder_set_member_name (b, "source");
      json_builder_add_string_value (b, op->source);
      if (op->cluster >= 0)
        {
          json_builder_set_member_name (b, "cluster");
          json_builder_add_int_value (b, op->cluster);
        }
      if (op->text)
        {
          json_builder_set_member_name (b, "text");
          json_builder_add_string_value (b, op->text);
        }
      if (op->kind == SCM_ANNOT_OP_MERGE)
        {
          json_builder_set_member_name (b, "clusters");
          json_builder_begin_array (b);
          for (guint q = 0; q < op->n_clusters; q++)
            json_builder_add_int_value (b, op->clusters[q]);
          json_builder_end_array (b);
        }
      if (op->kind == SCM_ANNOT_OP_LABEL_CELLS)
        {
          json_builder_set_member_name (b, "cells");
          json_builder_begin_array (b);
          for (gint64 q = 0; q < op->n_cells; q++)
            json_builder_add_int_value (b, op->cells[q]);
          json_builder_end_array (b);
        }
      if (op->kind == SCM_ANNOT_OP_PREDICTIONS)
        {
          json_builder_set_member_name (b, "categories");
          json_builder_begin_array (b);
          for (char **c = op->categories; *c; c++)
            json_builder_add_string_value (b, *c);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "codes");
          json_builder_begin_array (b);
          for (gint64 q = 0; q < self->n; q++)
            json_builder_add_int_value (b, op->codes[q]);
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  /* Optional member: sessions written before gates were kept load as none. */
  json_builder_set_member_name (b, "gates");
  json_builder_begin_array (b);
  for (guint j = 0; j < self->gates->len; j++)
    json_builder_add_value (b, scm_gate_to_json (g_ptr_array_index (self->gates, j)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  JsonNode *root = json_builder_get_root (b);
  JsonGenerator *g = json_generator_new ();
  json_generator_set_root (g, root);
  char *out = json_generator_to_data (g, NULL);
  g_object_unref (g);
  json_node_unref (root);
  g_object_unref (b);
  return out;
}

#define BAD(...) G_STMT_START { \
    g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT, __VA_ARGS__); goto fail; } G_STMT_END

static gboolean
member_int (JsonObject *o, const char *name, gint64 *out)
{
  JsonNode *n = json_object_get_member (o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static JsonArray *
member_array (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  return (n && JSON_NODE_HOLDS_ARRAY (n)) ? json_node_get_array (n) : NULL;
}

static gboolean
array_int (JsonArray *a, guint i, gint64 *out)
{
  JsonNode *n = json_array_get_element (a, i);
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

ScmAnnotations *
scm_annotations_new_from_json (const char *data, gssize len, const char *what, GError **error)
{
  ScmAnnotations *self = NULL;
  gint32 *base = NULL;
  GError *local = NULL;
  what = what ? what : "session";
  JsonParser *parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, len, &local))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT, "%s: not a valid session file: %s", what,
                   local->message);
      g_error_free (local);
      g_object_unref (parser);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    BAD ("%s: not a session file (top level is not an object)", what);
  JsonObject *o = json_node_get_object (root);
  if (g_strcmp0 (member_string (o, "format"), SESSION_FORMAT) != 0)
    BAD ("%s: not a session file (format is not “" SESSION_FORMAT "”)", what);
  gint64 version, n, k, applied;
  if (!member_int (o, "version", &version) || version != SESSION_VERSION)
    BAD ("%s: unsupported session version", what);
  if (!member_int (o, "n_cells", &n) || n < 0 || !member_int (o, "n_clusters", &k) || k < 0 ||
      k > G_MAXINT32 || !member_int (o, "applied", &applied))
    BAD ("%s: missing or bad n_cells, n_clusters or applied", what);
  JsonArray *cl = member_array (o, "clusters");
  if (!cl || json_array_get_length (cl) != (guint) n)
    BAD ("%s: “clusters” must list %" G_GINT64_FORMAT " cells", what, n);
  base = g_try_new (gint32, MAX (n, 1));
  if (!base)
    BAD ("%s: too many cells (%" G_GINT64_FORMAT ")", what, n);
  for (gint64 i = 0; i < n; i++)
    {
      gint64 v;
      if (!array_int (cl, (guint) i, &v) || v < -1 || v >= k)
        BAD ("%s: clusters[%" G_GINT64_FORMAT "] is not a cluster id", what, i);
      base[i] = (gint32) v;
    }
  self = scm_annotations_new (n, base, (guint) k, error);
  if (!self)
    goto fail;
  JsonArray *ops = member_array (o, "ops");
  if (!ops)
    BAD ("%s: missing “ops”", what);
  guint nops = json_array_get_length (ops);
  if (applied < 0 || applied > nops)
    BAD ("%s: “applied” is %" G_GINT64_FORMAT " but there are %u operations", what, applied, nops);
  for (guint j = 0; j < nops; j++)
    {
      JsonNode *en = json_array_get_element (ops, j);
      if (!JSON_NODE_HOLDS_OBJECT (en))
        BAD ("%s: ops[%u] is not an object", what, j);
      JsonObject *e = json_node_get_object (en);
      ScmAnnotOpKind kind;
      if (!op_kind_from_name (member_string (e, "op"), &kind))
        BAD ("%s: ops[%u] has an unknown operation", what, j);
      ScmAnnotOp *op = op_new (kind, member_string (e, "source"));
      g_ptr_array_add (self->ops, op);
      gint64 t = 0, c = -1;
      if (member_int (e, "time_us", &t))
        op->time_us = t;
      if (member_int (e, "cluster", &c))
        op->cluster = (gint32) c;
      const char *text = member_string (e, "text");
      op->text = g_strdup (text);
      gboolean needs_cluster = kind == SCM_ANNOT_OP_RENAME || kind == SCM_ANNOT_OP_MERGE ||
                               kind == SCM_ANNOT_OP_NOTE;
      if (needs_cluster && (c < 0 || c >= k))
        BAD ("%s: ops[%u] refers to cluster %" G_GINT64_FORMAT ", outside [0, %" G_GINT64_FORMAT ")",
             what, j, c, k);
      if ((kind == SCM_ANNOT_OP_RENAME || kind == SCM_ANNOT_OP_LABEL_CELLS) && (!text || !*text))
        BAD ("%s: ops[%u] has no name", what, j);
      if (kind == SCM_ANNOT_OP_NOTE && !text)
        op->text = g_strdup ("");
      if (kind == SCM_ANNOT_OP_MERGE)
        {
          JsonArray *a = member_array (e, "clusters");
          if (!a || json_array_get_length (a) == 0)
            BAD ("%s: ops[%u] merges no clusters", what, j);
          op->n_clusters = json_array_get_length (a);
          op->clusters = g_new (gint32, op->n_clusters);
          for (guint q = 0; q < op->n_clusters; q++)
            {
              gint64 v;
              if (!array_int (a, q, &v) || v < 0 || v >= k)
                BAD ("%s: ops[%u] merges a cluster that does not exist", what, j);
              op->clusters[q] = (gint32) v;
            }
        }
      if (kind == SCM_ANNOT_OP_LABEL_CELLS)
        {
          JsonArray *a = member_array (e, "cells");
          if (!a)
            BAD ("%s: ops[%u] labels no cells", what, j);
          op->n_cells = json_array_get_length (a);
          op->cells = g_try_new (gint64, MAX (op->n_cells, 1));
          if (!op->cells)
            BAD ("%s: ops[%u] is too large", what, j);
          for (gint64 q = 0; q < op->n_cells; q++)
            if (!array_int (a, (guint) q, &op->cells[q]) || op->cells[q] < 0 || op->cells[q] >= n)
              BAD ("%s: ops[%u] labels a cell outside the dataset", what, j);
        }
      if (kind == SCM_ANNOT_OP_PREDICTIONS)
        {
          JsonArray *ca = member_array (e, "categories"), *co = member_array (e, "codes");
          if (!ca || !co || json_array_get_length (co) != (guint) n)
            BAD ("%s: ops[%u] predictions need categories and %" G_GINT64_FORMAT " codes", what, j, n);
          guint nc = json_array_get_length (ca);
          op->categories = g_new0 (char *, nc + 1);
          for (guint q = 0; q < nc; q++)
            {
              const char *s = json_array_get_string_element (ca, q);
              op->categories[q] = g_strdup (s ? s : "");
            }
          op->codes = g_try_new (gint32, MAX (n, 1));
          if (!op->codes)
            BAD ("%s: ops[%u] is too large", what, j);
          for (gint64 q = 0; q < n; q++)
            {
              gint64 v;
              if (!array_int (co, (guint) q, &v) || v < -1 || v >= nc)
                BAD ("%s: ops[%u] has a bad prediction code", what, j);
              op->codes[q] = (gint32) v;
            }
        }
    }
  /* Merges of already merged clusters would be refused by the live API;
   * replaying them anyway must not crash, and does not (merged_into is
   * re-resolved on each merge). */
  JsonNode *gn = json_object_get_member (o, "gates");
  if (gn && !JSON_NODE_HOLDS_ARRAY (gn))
    BAD ("%s: “gates” is not a list", what);
  JsonArray *ga = gn ? json_node_get_array (gn) : NULL;
  for (guint j = 0; ga && j < json_array_get_length (ga); j++)
    {
      ScmGate *gate = scm_gate_from_json (json_array_get_element (ga, j), what, j, error);
      if (!gate)
        goto fail;
      g_ptr_array_add (self->gates, gate);
    }
  self->n_applied = (guint) applied;
  replay (self);
  g_free (base);
  g_object_unref (parser);
  return self;

fail:
  g_clear_object (&self);
  g_free (base);
  g_object_unref (parser);
  return NULL;
}

gboolean
scm_annotations_save (ScmAnnotations *self, const char *path, const char *input_path,
                      GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot create the folder %s", path, dir);
      return FALSE;
    }
  g_autofree char *json = scm_annotations_to_json (self, input_path);
  return scm_atomic_write_contents (path, json, -1, error);
}

ScmAnnotations *
scm_annotations_load (const char *path, gint64 expected_n_cells, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  GError *local = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, SCM_ERROR, g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                   ? SCM_ERROR_NOT_FOUND : SCM_ERROR_IO, "%s", local->message);
      g_error_free (local);
      return NULL;
    }
  ScmAnnotations *self = scm_annotations_new_from_json (data, (gssize) len, path, error);
  if (self && expected_n_cells > 0 && self->n != expected_n_cells)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "%s: the session has %" G_GINT64_FORMAT " cells but the dataset has %" G_GINT64_FORMAT,
                   path, self->n, expected_n_cells);
      g_clear_object (&self);
    }
  return self;
}

static gboolean
autosave_cb (gpointer data)
{
  ScmAnnotations *self = data;
  self->autosave_id = 0;
  GError *error = NULL;
  scm_annotations_save (self, self->autosave_path, self->autosave_input, &error);
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, error ? error->message : NULL);
  g_clear_error (&error);
  return G_SOURCE_REMOVE;
}

static void
schedule_autosave (ScmAnnotations *self)
{
  if (!self->autosave_path)
    return;
  /* Debounce: restart the timer on every change. */
  g_clear_handle_id (&self->autosave_id, g_source_remove);
  GSource *src = g_timeout_source_new (self->autosave_delay);
  g_source_set_callback (src, autosave_cb, self, NULL);
  g_source_set_name (src, "[scmmae] annotations autosave");
  self->autosave_id = g_source_attach (src, g_main_context_get_thread_default ());
  g_source_unref (src);
}

void
scm_annotations_set_autosave (ScmAnnotations *self, const char *path, const char *input_path,
                              guint delay_ms)
{
  g_clear_handle_id (&self->autosave_id, g_source_remove);
  g_free (self->autosave_path);
  g_free (self->autosave_input);
  self->autosave_path = g_strdup (path);
  self->autosave_input = g_strdup (input_path);
  self->autosave_delay = delay_ms;
}

gboolean
scm_annotations_flush_autosave (ScmAnnotations *self, GError **error)
{
  if (!self->autosave_id)
    return TRUE;
  g_clear_handle_id (&self->autosave_id, g_source_remove);
  return scm_annotations_save (self, self->autosave_path, self->autosave_input, error);
}
