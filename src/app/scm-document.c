/* scm-document.c: the app's central state (see scm-document.h).
 *
 * Plain storage plus change notification; no computation happens here, so
 * it is tested without a display (tests/app/test-document.c).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "scm-document.h"

struct _ScmDocument
{
  GObject     parent_instance;

  guint64     generation;
  ScmDataset *dataset;
  char       *title;
  ScmDataset *processed;
  ScmMatrix  *representation;
  float      *umap;            /* (n_cells, 2) */
  ScmUmapRecord *umap_record;  /* how umap was made; NULL if not told */
  gint32     *clusters;        /* (n_cells) */
  guint       n_clusters;
  double      resolution;
  ScmNeighborGraph *neighbors; /* the graph the clusters came from */
  GPtrArray  *columns;         /* ScmColumn*, document-level label columns */
  gboolean    busy;
  char       *status_text;
};

G_DEFINE_FINAL_TYPE (ScmDocument, scm_document, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_GENERATION,
  PROP_HAS_DATASET,
  PROP_TITLE,
  PROP_N_CELLS,
  PROP_REPRESENTATION_NAME,
  PROP_HAS_UMAP,
  PROP_HAS_CLUSTERS,
  PROP_BUSY,
  PROP_STATUS_TEXT,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
scm_document_emit (ScmDocument *self, ScmDocumentChange what)
{
  g_signal_emit (self, signals[CHANGED], 0, (guint) what);
}

static void
clear_downstream (ScmDocument *self)
{
  g_clear_pointer (&self->umap, g_free);
  g_clear_pointer (&self->umap_record, g_free);
  g_clear_pointer (&self->clusters, g_free);
  self->n_clusters = 0;
  self->resolution = 0.0;
  g_clear_pointer (&self->neighbors, scm_neighbor_graph_unref);
}

static void
scm_document_finalize (GObject *object)
{
  ScmDocument *self = (ScmDocument *) object;

  g_clear_pointer (&self->dataset, scm_dataset_unref);
  g_clear_pointer (&self->processed, scm_dataset_unref);
  g_clear_pointer (&self->representation, scm_matrix_free);
  clear_downstream (self);
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_free (self->title);
  g_free (self->status_text);

  G_OBJECT_CLASS (scm_document_parent_class)->finalize (object);
}

static void
scm_document_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ScmDocument *self = SCM_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_GENERATION:
      g_value_set_uint64 (value, self->generation);
      break;
    case PROP_HAS_DATASET:
      g_value_set_boolean (value, self->dataset != NULL);
      break;
    case PROP_TITLE:
      g_value_set_string (value, scm_document_get_title (self));
      break;
    case PROP_N_CELLS:
      g_value_set_int64 (value, scm_document_get_n_cells (self));
      break;
    case PROP_REPRESENTATION_NAME:
      g_value_set_string (value, scm_document_get_representation_name (self));
      break;
    case PROP_HAS_UMAP:
      g_value_set_boolean (value, self->umap != NULL);
      break;
    case PROP_HAS_CLUSTERS:
      g_value_set_boolean (value, self->clusters != NULL);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_STATUS_TEXT:
      g_value_set_string (value, self->status_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scm_document_class_init (ScmDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scm_document_finalize;
  object_class->get_property = scm_document_get_property;

  properties[PROP_GENERATION] =
    g_param_spec_uint64 ("generation", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_DATASET] =
    g_param_spec_boolean ("has-dataset", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_CELLS] =
    g_param_spec_int64 ("n-cells", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPRESENTATION_NAME] =
    g_param_spec_string ("representation-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_UMAP] =
    g_param_spec_boolean ("has-umap", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_CLUSTERS] =
    g_param_spec_boolean ("has-clusters", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS_TEXT] =
    g_param_spec_string ("status-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ScmDocument::changed:
   * @what: ScmDocumentChange flags saying which parts changed
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
scm_document_init (ScmDocument *self)
{
  self->generation = 1;
  self->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) scm_column_free);
}

ScmDocument *
scm_document_new (void)
{
  return g_object_new (SCM_TYPE_DOCUMENT, NULL);
}

guint64
scm_document_get_generation (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), 0);
  return self->generation;
}

gboolean
scm_document_is_current (ScmDocument *self, guint64 generation)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), FALSE);
  return generation == 0 || generation == self->generation;
}

static void
bump_generation (ScmDocument *self)
{
  self->generation++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GENERATION]);
}

void
scm_document_set_dataset (ScmDocument *self, ScmDataset *ds)
{
  gboolean had_umap, had_clusters;

  g_return_if_fail (SCM_IS_DOCUMENT (self));

  g_object_freeze_notify (G_OBJECT (self));
  had_umap = self->umap != NULL;
  had_clusters = self->clusters != NULL;

  if (ds != NULL)
    scm_dataset_ref (ds);
  g_clear_pointer (&self->dataset, scm_dataset_unref);
  self->dataset = ds;
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->processed, scm_dataset_unref);
  g_clear_pointer (&self->representation, scm_matrix_free);
  clear_downstream (self);
  g_ptr_array_set_size (self->columns, 0);
  bump_generation (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_DATASET]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CELLS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPRESENTATION_NAME]);
  if (had_umap)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_UMAP]);
  if (had_clusters)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_CLUSTERS]);
  g_object_thaw_notify (G_OBJECT (self));

  scm_document_emit (self, SCM_DOCUMENT_CHANGE_DATASET | SCM_DOCUMENT_CHANGE_PROCESSED |
                     SCM_DOCUMENT_CHANGE_REPRESENTATION | SCM_DOCUMENT_CHANGE_UMAP |
                     SCM_DOCUMENT_CHANGE_CLUSTERS | SCM_DOCUMENT_CHANGE_LABELS);
}

ScmDataset *
scm_document_get_dataset (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);
  return self->dataset;
}

gboolean
scm_document_has_dataset (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), FALSE);
  return self->dataset != NULL;
}

const char *
scm_document_get_path (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);
  return self->dataset ? self->dataset->path : NULL;
}

const char *
scm_document_get_format (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);
  return self->dataset ? self->dataset->format : NULL;
}

gint64
scm_document_get_n_cells (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), 0);
  return self->dataset ? self->dataset->n_cells : 0;
}

const char *
scm_document_get_title (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);

  if (self->title != NULL)
    return self->title;
  if (self->dataset == NULL)
    return NULL;
  /* Cache the basename so the returned string lives as long as the dataset. */
  if (self->dataset->path != NULL)
    self->title = g_path_get_basename (self->dataset->path);
  else
    self->title = g_strdup (_("Untitled dataset"));
  return self->title;
}

void
scm_document_set_title (ScmDocument *self, const char *title)
{
  g_return_if_fail (SCM_IS_DOCUMENT (self));

  if (g_strcmp0 (title, self->title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

gboolean
scm_document_set_processed (ScmDocument *self, guint64 generation, ScmDataset *processed)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), FALSE);

  if (!scm_document_is_current (self, generation) || self->dataset == NULL)
    return FALSE;
  if (processed != NULL)
    scm_dataset_ref (processed);
  g_clear_pointer (&self->processed, scm_dataset_unref);
  self->processed = processed;
  scm_document_emit (self, SCM_DOCUMENT_CHANGE_PROCESSED);
  return TRUE;
}

ScmDataset *
scm_document_get_processed (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);
  return self->processed;
}

gboolean
scm_document_set_representation (ScmDocument *self, guint64 generation, ScmMatrix *m)
{
  gboolean had_umap, had_clusters;
  gboolean had_leiden = FALSE;

  g_return_val_if_fail (SCM_IS_DOCUMENT (self), FALSE);

  if (!scm_document_is_current (self, generation) || self->dataset == NULL ||
      (m != NULL && m->n_rows != self->dataset->n_cells))
    {
      g_clear_pointer (&m, scm_matrix_free);
      return FALSE;
    }

  had_umap = self->umap != NULL;
  had_clusters = self->clusters != NULL;
  g_clear_pointer (&self->representation, scm_matrix_free);
  self->representation = m;
  clear_downstream (self);
  had_leiden = scm_document_remove_label_column (self, "leiden");

  g_object_freeze_notify (G_OBJECT (self));
  bump_generation (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPRESENTATION_NAME]);
  if (had_umap)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_UMAP]);
  if (had_clusters)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_CLUSTERS]);
  g_object_thaw_notify (G_OBJECT (self));

  scm_document_emit (self, SCM_DOCUMENT_CHANGE_REPRESENTATION |
                     (had_umap ? SCM_DOCUMENT_CHANGE_UMAP : 0) |
                     (had_clusters ? SCM_DOCUMENT_CHANGE_CLUSTERS : 0) |
                     (had_leiden ? SCM_DOCUMENT_CHANGE_LABELS : 0));
  return TRUE;
}

const ScmMatrix *
scm_document_get_representation (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);
  return self->representation;
}

const char *
scm_document_get_representation_name (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);
  return self->representation ? self->representation->name : NULL;
}

gboolean
scm_document_set_umap (ScmDocument *self, guint64 generation, const float *xy, gint64 n_cells,
                       const ScmUmapRecord *record)
{
  gboolean had;

  g_return_val_if_fail (SCM_IS_DOCUMENT (self), FALSE);

  if (!scm_document_is_current (self, generation) || self->dataset == NULL)
    return FALSE;
  if (xy != NULL && n_cells != self->dataset->n_cells)
    return FALSE;

  had = self->umap != NULL;
  g_clear_pointer (&self->umap, g_free);
  g_clear_pointer (&self->umap_record, g_free);
  if (xy != NULL)
    {
      self->umap = g_memdup2 (xy, (gsize) n_cells * 2 * sizeof (float));
      if (record != NULL)
        self->umap_record = g_memdup2 (record, sizeof *record);
    }
  if (had != (self->umap != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_UMAP]);
  scm_document_emit (self, SCM_DOCUMENT_CHANGE_UMAP);
  return TRUE;
}

const float *
scm_document_get_umap (ScmDocument *self, gint64 *n_cells)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);

  if (n_cells != NULL)
    *n_cells = self->umap ? self->dataset->n_cells : 0;
  return self->umap;
}

const ScmUmapRecord *
scm_document_get_umap_record (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);
  return self->umap_record;
}

gboolean
scm_document_set_clusters (ScmDocument *self, guint64 generation, const gint32 *codes,
                           gint64 n_cells, guint n_clusters, double resolution)
{
  gboolean had;
  ScmDocumentChange what = SCM_DOCUMENT_CHANGE_CLUSTERS | SCM_DOCUMENT_CHANGE_LABELS;

  g_return_val_if_fail (SCM_IS_DOCUMENT (self), FALSE);

  if (!scm_document_is_current (self, generation) || self->dataset == NULL)
    return FALSE;
  if (codes != NULL && n_cells != self->dataset->n_cells)
    return FALSE;

  had = self->clusters != NULL;
  g_clear_pointer (&self->clusters, g_free);
  self->n_clusters = 0;
  self->resolution = 0.0;

  if (codes != NULL)
    {
      gint32 *col_codes;
      char **cats;

      self->clusters = g_memdup2 (codes, (gsize) n_cells * sizeof (gint32));
      self->n_clusters = n_clusters;
      self->resolution = resolution;

      /* Publish as a categorical column named "leiden" with categories
       * "0".."k-1", the scanpy convention, so every page can colour by it. */
      col_codes = g_memdup2 (codes, (gsize) n_cells * sizeof (gint32));
      for (gint64 i = 0; i < n_cells; i++)
        if (col_codes[i] < 0 || (guint) col_codes[i] >= n_clusters)
          col_codes[i] = -1;
      cats = g_new0 (char *, n_clusters + 1);
      for (guint k = 0; k < n_clusters; k++)
        cats[k] = g_strdup_printf ("%u", k);
      scm_document_set_label_column (self,
        scm_column_new_categorical ("leiden", n_cells, col_codes, cats));
      /* set_label_column already emitted LABELS; do not repeat it. */
      what = SCM_DOCUMENT_CHANGE_CLUSTERS;
    }
  else if (scm_document_remove_label_column (self, "leiden"))
    what = SCM_DOCUMENT_CHANGE_CLUSTERS;

  if (had != (self->clusters != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_CLUSTERS]);
  scm_document_emit (self, what);
  return TRUE;
}

const gint32 *
scm_document_get_clusters (ScmDocument *self, gint64 *n_cells, guint *n_clusters,
                           double *resolution)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);

  if (n_cells != NULL)
    *n_cells = self->clusters ? self->dataset->n_cells : 0;
  if (n_clusters != NULL)
    *n_clusters = self->n_clusters;
  if (resolution != NULL)
    *resolution = self->resolution;
  return self->clusters;
}

static void
neighbor_graph_clear (gpointer p)
{
  ScmNeighborGraph *g = p;
  scm_knn_clear (&g->knn);
  scm_graph_clear (&g->graph);
  g_free (g->use_rep);
  g_free (g->knn_method);
}

ScmNeighborGraph *
scm_neighbor_graph_new (void)
{
  return g_atomic_rc_box_new0 (ScmNeighborGraph);
}

ScmNeighborGraph *
scm_neighbor_graph_ref (ScmNeighborGraph *g)
{
  return g_atomic_rc_box_acquire (g);
}

void
scm_neighbor_graph_unref (ScmNeighborGraph *g)
{
  g_atomic_rc_box_release_full (g, neighbor_graph_clear);
}

gboolean
scm_document_set_neighbors (ScmDocument *self, guint64 generation, ScmNeighborGraph *g)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), FALSE);

  if (!scm_document_is_current (self, generation) || self->dataset == NULL ||
      (g != NULL && (g->knn.n != self->dataset->n_cells || g->graph.n != self->dataset->n_cells)))
    {
      g_clear_pointer (&g, scm_neighbor_graph_unref);
      return FALSE;
    }
  g_clear_pointer (&self->neighbors, scm_neighbor_graph_unref);
  self->neighbors = g;
  return TRUE;
}

ScmNeighborGraph *
scm_document_get_neighbors (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);
  return self->neighbors;
}

static gint
find_column (GPtrArray *columns, const char *name)
{
  for (guint i = 0; i < columns->len; i++)
    {
      const ScmColumn *c = g_ptr_array_index (columns, i);
      if (g_strcmp0 (c->name, name) == 0)
        return (gint) i;
    }
  return -1;
}

char **
scm_document_list_label_columns (ScmDocument *self)
{
  GStrvBuilder *b;

  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);

  b = g_strv_builder_new ();
  if (self->dataset != NULL && self->dataset->obs != NULL)
    for (guint i = 0; i < self->dataset->obs->len; i++)
      {
        const ScmColumn *c = g_ptr_array_index (self->dataset->obs, i);
        if (c->kind == SCM_COLUMN_CATEGORICAL && find_column (self->columns, c->name) < 0)
          g_strv_builder_add (b, c->name);
      }
  for (guint i = 0; i < self->columns->len; i++)
    {
      const ScmColumn *c = g_ptr_array_index (self->columns, i);
      g_strv_builder_add (b, c->name);
    }
  {
    char **ret = g_strv_builder_end (b);
    g_strv_builder_unref (b);
    return ret;
  }
}

const ScmColumn *
scm_document_get_label_column (ScmDocument *self, const char *name)
{
  gint i;

  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  i = find_column (self->columns, name);
  if (i >= 0)
    return g_ptr_array_index (self->columns, i);
  if (self->dataset != NULL)
    return scm_dataset_get_obs (self->dataset, name);
  return NULL;
}

gboolean
scm_document_set_label_column (ScmDocument *self, ScmColumn *col)
{
  gint i;

  g_return_val_if_fail (SCM_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (col != NULL && col->name != NULL, FALSE);

  if (self->dataset == NULL || col->n != self->dataset->n_cells)
    {
      scm_column_free (col);
      return FALSE;
    }

  i = find_column (self->columns, col->name);
  if (i >= 0)
    {
      scm_column_free (g_ptr_array_index (self->columns, i));
      g_ptr_array_index (self->columns, i) = col;
    }
  else
    g_ptr_array_add (self->columns, col);
  scm_document_emit (self, SCM_DOCUMENT_CHANGE_LABELS);
  return TRUE;
}

gboolean
scm_document_remove_label_column (ScmDocument *self, const char *name)
{
  gint i;

  g_return_val_if_fail (SCM_IS_DOCUMENT (self), FALSE);

  i = find_column (self->columns, name);
  if (i < 0)
    return FALSE;
  g_ptr_array_remove_index (self->columns, (guint) i);
  scm_document_emit (self, SCM_DOCUMENT_CHANGE_LABELS);
  return TRUE;
}

void
scm_document_set_status (ScmDocument *self, gboolean busy, const char *text)
{
  gboolean changed = FALSE;

  g_return_if_fail (SCM_IS_DOCUMENT (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->busy != !!busy)
    {
      self->busy = !!busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
      changed = TRUE;
    }
  if (g_strcmp0 (self->status_text, text) != 0)
    {
      g_free (self->status_text);
      self->status_text = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);
      changed = TRUE;
    }
  g_object_thaw_notify (G_OBJECT (self));
  if (changed)
    scm_document_emit (self, SCM_DOCUMENT_CHANGE_STATUS);
}

gboolean
scm_document_get_busy (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), FALSE);
  return self->busy;
}

const char *
scm_document_get_status_text (ScmDocument *self)
{
  g_return_val_if_fail (SCM_IS_DOCUMENT (self), NULL);
  return self->status_text;
}
