/* scm-markers-row.c: plain value object with read-only properties. */
#include "scm-markers-row.h"

struct _ScmMarkersRow
{
  GObject parent_instance;
  char   *group, *gene, *color_key;
  gint32  group_index;
  double  logfc, pct_in, pct_out, padj, score;
};

G_DEFINE_FINAL_TYPE (ScmMarkersRow, scm_markers_row, G_TYPE_OBJECT)

enum { PROP_0, PROP_GROUP, PROP_GENE, PROP_LOGFC, PROP_PCT_IN, PROP_PCT_OUT, PROP_PADJ,
       PROP_SCORE, N_PROPS };
static GParamSpec *props[N_PROPS];

static void
get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  ScmMarkersRow *self = SCM_MARKERS_ROW (object);
  switch (id)
    {
    case PROP_GROUP: g_value_set_string (value, self->group); break;
    case PROP_GENE: g_value_set_string (value, self->gene); break;
    case PROP_LOGFC: g_value_set_double (value, self->logfc); break;
    case PROP_PCT_IN: g_value_set_double (value, self->pct_in); break;
    case PROP_PCT_OUT: g_value_set_double (value, self->pct_out); break;
    case PROP_PADJ: g_value_set_double (value, self->padj); break;
    case PROP_SCORE: g_value_set_double (value, self->score); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
finalize (GObject *object)
{
  ScmMarkersRow *self = SCM_MARKERS_ROW (object);
  g_free (self->group);
  g_free (self->gene);
  g_free (self->color_key);
  G_OBJECT_CLASS (scm_markers_row_parent_class)->finalize (object);
}

static void
scm_markers_row_class_init (ScmMarkersRowClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS (klass);
  oc->get_property = get_property;
  oc->finalize = finalize;
  GParamFlags f = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  props[PROP_GROUP] = g_param_spec_string ("group", NULL, NULL, NULL, f);
  props[PROP_GENE] = g_param_spec_string ("gene", NULL, NULL, NULL, f);
  props[PROP_LOGFC] = g_param_spec_double ("logfc", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, f);
  props[PROP_PCT_IN] = g_param_spec_double ("pct-in", NULL, NULL, 0, 1, 0, f);
  props[PROP_PCT_OUT] = g_param_spec_double ("pct-out", NULL, NULL, 0, 1, 0, f);
  props[PROP_PADJ] = g_param_spec_double ("padj", NULL, NULL, 0, G_MAXDOUBLE, 1, f);
  props[PROP_SCORE] = g_param_spec_double ("score", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, f);
  g_object_class_install_properties (oc, N_PROPS, props);
}

static void
scm_markers_row_init (ScmMarkersRow *self)
{
}

ScmMarkersRow *
scm_markers_row_new (const char *group, gint32 group_index, const char *gene, const char *color_key,
                     double logfc, double pct_in, double pct_out, double padj, double score)
{
  ScmMarkersRow *self = g_object_new (SCM_TYPE_MARKERS_ROW, NULL);
  self->group = g_strdup (group);
  self->group_index = group_index;
  self->gene = g_strdup (gene);
  self->color_key = g_strdup (color_key);
  self->logfc = logfc;
  self->pct_in = pct_in;
  self->pct_out = pct_out;
  self->padj = padj;
  self->score = score;
  return self;
}

const char *scm_markers_row_get_group (ScmMarkersRow *self) { return self->group; }
gint32 scm_markers_row_get_group_index (ScmMarkersRow *self) { return self->group_index; }
const char *scm_markers_row_get_gene (ScmMarkersRow *self) { return self->gene; }
const char *scm_markers_row_get_color_key (ScmMarkersRow *self) { return self->color_key; }
double scm_markers_row_get_logfc (ScmMarkersRow *self) { return self->logfc; }
double scm_markers_row_get_pct_in (ScmMarkersRow *self) { return self->pct_in; }
double scm_markers_row_get_pct_out (ScmMarkersRow *self) { return self->pct_out; }
double scm_markers_row_get_padj (ScmMarkersRow *self) { return self->padj; }
double scm_markers_row_get_score (ScmMarkersRow *self) { return self->score; }
