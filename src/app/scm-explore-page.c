/* scm-explore-page.c: the Explore page (see header).
 *
 * Data flow: the document gives positions (UMAP, else the first two
 * components of the representation) and label columns; the shared
 * ScmExploreState gives expression values and the selection.  Each plot is
 * an ScmScatterModel; the embedding model is shared by the main view and
 * the small UMAP on the gating tab, so colour, hidden categories and the
 * selection stay in step.  Re-clustering runs kNN -> connectivities ->
 * Leiden in a GTask on a copy of the representation and hands the result
 * to the document with the generation it started from.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "analysis/scm-graph.h"
#include "analysis/scm-knn.h"
#include "analysis/scm-leiden.h"
#include "scm-analysis-runner.h"
#include "scm-error.h"
#include "scm-explore-page.h"
#include "scm-explore-state.h"
#include "scm-export.h"
#include "scm-lasso.h"
#include "scm-legend.h"
#include "scm-page-util.h"

struct _ScmExplorePage
{
  AdwBin           parent_instance;

  GtkStack        *outer_stack;
  GtkStack        *view_stack;
  GtkDropDown     *color_dropdown;
  GtkEntry        *feature_entry;
  GtkToggleButton *lasso_button;
  GtkButton       *clear_button;
  GtkLabel        *selection_label;
  GtkSpinner      *spinner;
  GtkSpinButton   *resolution_spin;
  GtkButton       *recluster_button;
  GtkButton       *reset_button;
  GtkButton       *export_button;
  ScmScatterView  *umap_view;
  ScmLegend       *legend;
  GtkFlowBox      *grid_box;
  GtkEntry        *gate_x_entry;
  GtkEntry        *gate_y_entry;
  GtkLabel        *gate_label;
  ScmScatterView  *gate_view;
  ScmScatterView  *gate_umap_view;

  ScmPageDocument  link;          /* the document and its ScmExploreState, followed */

  ScmScatterModel *model;        /* embedding */
  ScmScatterModel *gate_model;   /* biaxial */
  GtkStringList   *color_items;
  gboolean         updating_dropdown;
  char            *color_key;    /* what the embedding is coloured by */
  char            *gate_x, *gate_y;
  gboolean         gate_chosen;  /* the user picked axes or drew: no restoring over it */
  gboolean         grid_built;
  guint            n_tiles;

  GCancellable    *recluster_cancel;
  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (ScmExplorePage, scm_explore_page, ADW_TYPE_BIN)

/* ---- colouring ---- */

/* "leiden · UMAP of X_pca": what the colours and the positions are. */
static void
update_main_title (ScmExplorePage *self)
{
  const char *what = g_object_get_data (G_OBJECT (self->model), "scm-what");
  const char *rep = self->link.document ? scm_document_get_representation_name (self->link.document) : NULL;
  const char *color = scm_scatter_model_get_title (self->model);
  g_autofree char *t = NULL;
  if (what && rep && g_str_equal (what, _("UMAP")))
    t = g_strdup_printf (_("%s · UMAP of %s"), color ? color : "", rep);
  else
    t = g_strdup_printf ("%s%s%s", color ? color : "", what ? " · " : "", what ? what : "");
  scm_scatter_view_set_title (self->umap_view, t);
}


static gboolean
color_model_by (ScmExplorePage *self, ScmScatterModel *model, const char *key)
{
  if (!self->link.document || !key || scm_scatter_model_get_n_points (model) == 0)
    return FALSE;
  gint64 n = scm_scatter_model_get_n_points (model);
  const ScmColumn *col = scm_document_get_label_column (self->link.document, key);
  if (col && col->n == n)
    {
      if (col->kind == SCM_COLUMN_CATEGORICAL)
        {
          scm_scatter_model_set_categories (model, key, col->codes,
                                            (const char *const *) col->categories,
                                            col->n_categories);
          return TRUE;
        }
      if (col->kind == SCM_COLUMN_NUMERIC)
        {
          float *v = g_new (float, n);
          for (gint64 i = 0; i < n; i++)
            v[i] = (float) col->numbers[i];
          scm_scatter_model_set_values (model, key, v);
          g_free (v);
          return TRUE;
        }
      /* Strings/bools: build categories on the fly. */
      const char **labels = g_new0 (const char *, n);
      char **owned = g_new0 (char *, n + 1);
      for (gint64 i = 0; i < n; i++)
        labels[i] = owned[i] = scm_column_value_string (col, i);
      ScmColumn *tmp = scm_column_new_from_labels (key, n, labels);
      scm_scatter_model_set_categories (model, key, tmp->codes,
                                        (const char *const *) tmp->categories, tmp->n_categories);
      scm_column_free (tmp);
      for (gint64 i = 0; i < n; i++)
        g_free (owned[i]);
      g_free (owned);
      g_free (labels);
      return TRUE;
    }
  ScmFeatureData *fd = scm_explore_state_get_features (self->link.state);
  ScmModalityKind kind;
  gint64 index;
  if (!fd || fd->n_cells != n || !scm_feature_data_find (fd, key, FALSE, &kind, &index))
    return FALSE;
  g_autofree float *v = scm_feature_data_values (fd, kind, index);
  g_autofree char *title = scm_feature_data_display_name (fd, kind, index);
  if (!v)
    return FALSE;
  scm_scatter_model_set_values (model, title, v);
  return TRUE;
}

gboolean
scm_explore_page_color_by (ScmExplorePage *self, const char *key)
{
  g_return_val_if_fail (SCM_IS_EXPLORE_PAGE (self), FALSE);
  if (!color_model_by (self, self->model, key))
    return FALSE;
  if (key != self->color_key)
    {
      g_free (self->color_key);
      self->color_key = g_strdup (key);
    }
  /* Keep the dropdown and the search entry in step: a label column shows
   * in the dropdown, a gene or protein in the entry, never both. */
  self->updating_dropdown = TRUE;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->color_items));
  guint pos = GTK_INVALID_LIST_POSITION;
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->color_items, i), key) == 0)
      pos = i;
  gtk_drop_down_set_selected (self->color_dropdown, pos);
  gtk_editable_set_text (GTK_EDITABLE (self->feature_entry),
                         pos == GTK_INVALID_LIST_POSITION ? scm_scatter_model_get_title (self->model) : "");
  self->updating_dropdown = FALSE;
  /* The biaxial plot shows the same colours. */
  if (scm_scatter_model_get_n_points (self->gate_model) == scm_scatter_model_get_n_points (self->model))
    color_model_by (self, self->gate_model, key);
  update_main_title (self);
  return TRUE;
}

static void
refresh_color_items (ScmExplorePage *self)
{
  g_auto (GStrv) names = self->link.document ? scm_document_list_label_columns (self->link.document) : NULL;
  self->updating_dropdown = TRUE;
  guint old = g_list_model_get_n_items (G_LIST_MODEL (self->color_items));
  gtk_string_list_splice (self->color_items, 0, old, (const char *const *) names);
  /* Keep showing what the plot is coloured by. */
  guint pos = GTK_INVALID_LIST_POSITION;
  for (guint i = 0; names && names[i]; i++)
    if (g_strcmp0 (names[i], self->color_key) == 0)
      pos = i;
  gtk_drop_down_set_selected (self->color_dropdown, pos);
  self->updating_dropdown = FALSE;
}

static const char *
default_color_key (ScmExplorePage *self)
{
  if (scm_document_get_label_column (self->link.document, "annotation") &&
      scm_explore_state_get_annotations (self->link.state) &&
      scm_annotations_get_n_applied (scm_explore_state_get_annotations (self->link.state)) > 0)
    return "annotation";
  if (scm_document_get_label_column (self->link.document, "leiden"))
    return "leiden";
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->color_items));
  return n > 0 ? gtk_string_list_get_string (self->color_items, 0) : NULL;
}

static void
dropdown_selected (GtkDropDown *dd, GParamSpec *pspec, ScmExplorePage *self)
{
  if (self->updating_dropdown)
    return;
  guint pos = gtk_drop_down_get_selected (dd);
  if (pos == GTK_INVALID_LIST_POSITION)
    return;
  scm_explore_page_color_by (self, gtk_string_list_get_string (self->color_items, pos));
}

static void
feature_activated (GtkEntry *entry, ScmExplorePage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  if (!*text)
    return;
  if (scm_explore_page_color_by (self, text))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
      scm_explore_page_show_view (self, "embedding");
    }
  else
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
}

static void
setup_completion (ScmExplorePage *self, GtkEntry *entry)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkEntryCompletion *c = gtk_entry_completion_new ();
  GtkListStore *store = gtk_list_store_new (1, G_TYPE_STRING);
  ScmFeatureData *fd = self->link.state ? scm_explore_state_get_features (self->link.state) : NULL;
  if (fd)
    {
      GtkTreeIter it;
      for (gint64 i = 0; fd->adt_names && fd->adt_names[i]; i++)
        {
          g_autofree char *s = scm_feature_data_display_name (fd, SCM_MODALITY_ADT, i);
          gtk_list_store_insert_with_values (store, &it, -1, 0, s, -1);
        }
      for (gint64 i = 0; fd->rna_names && fd->rna_names[i]; i++)
        gtk_list_store_insert_with_values (store, &it, -1, 0, fd->rna_names[i], -1);
    }
  gtk_entry_completion_set_model (c, GTK_TREE_MODEL (store));
  gtk_entry_completion_set_text_column (c, 0);
  gtk_entry_completion_set_minimum_key_length (c, 2);
  gtk_entry_completion_set_popup_set_width (c, FALSE);
  gtk_entry_set_completion (entry, c);
  g_object_unref (store);
  g_object_unref (c);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/* ---- tooltips ---- */

static char *
tooltip_text (ScmExplorePage *self, ScmScatterModel *model, gint64 i)
{
  if (!self->link.document)
    return NULL;
  ScmDataset *ds = scm_document_get_dataset (self->link.document);
  GString *s = g_string_new (NULL);
  g_autofree char *bc = g_markup_escape_text (ds && ds->barcodes && i < ds->n_cells ? ds->barcodes[i] : "", -1);
  g_string_append_printf (s, "<b>%s</b>", bc);
  const ScmColumn *leiden = scm_document_get_label_column (self->link.document, "leiden");
  if (leiden && i < leiden->n)
    {
      g_autofree char *v = scm_column_value_string (leiden, i);
      g_string_append_printf (s, "\n%s %s", _("Cluster"), v ? v : "–");
    }
  ScmAnnotations *ann = scm_explore_state_get_annotations (self->link.state);
  if (ann && i < scm_annotations_get_n_cells (ann))
    {
      g_autofree char *l = g_markup_escape_text (scm_annotations_get_label (ann, i), -1);
      g_string_append_printf (s, "\n%s %s", _("Label"), l);
    }
  const char *title = scm_scatter_model_get_title (model);
  g_autofree char *et = g_markup_escape_text (title ? title : "", -1);
  if (scm_scatter_model_get_color_mode (model) == SCM_SCATTER_COLOR_CONTINUOUS)
    g_string_append_printf (s, "\n%s %.3g", et, scm_scatter_model_get_point_value (model, i));
  else if (scm_scatter_model_get_color_mode (model) == SCM_SCATTER_COLOR_CATEGORICAL &&
           g_strcmp0 (title, "leiden") != 0)
    {
      gint32 c = scm_scatter_model_get_point_code (model, i);
      g_autofree char *cn = g_markup_escape_text (c >= 0 ? scm_scatter_model_get_category_name (model, c) : "–", -1);
      g_string_append_printf (s, "\n%s %s", et, cn);
    }
  return g_string_free (s, FALSE);
}

static char *
umap_tooltip (gint64 i, gpointer data)
{
  ScmExplorePage *self = data;
  return tooltip_text (self, self->model, i);
}

static char *
gate_tooltip (gint64 i, gpointer data)
{
  ScmExplorePage *self = data;
  return tooltip_text (self, self->model, i);
}

/* ---- selection ---- */

/* Escape clears the selection only while the page is shown and there is
 * one: a disabled action lets the key through to whoever else wants it. */
static void
update_clear_action (ScmExplorePage *self)
{
  gint64 n_sel = 0;
  /* The state goes with the document, which may be gone before an unmap. */
  if (self->link.document && self->link.state)
    scm_explore_state_get_selection (self->link.state, &n_sel);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "explore.clear-selection",
                                 n_sel > 0 && gtk_widget_get_mapped (GTK_WIDGET (self)));
}

static void
update_selection_label (ScmExplorePage *self)
{
  gint64 n_sel = 0;
  if (self->link.state)
    scm_explore_state_get_selection (self->link.state, &n_sel);
  if (n_sel > 0)
    {
      g_autofree char *t = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " cell selected",
                                                         "%" G_GINT64_FORMAT " cells selected", n_sel), n_sel);
      gtk_label_set_text (self->selection_label, t);
    }
  else
    gtk_label_set_text (self->selection_label, "");
  /* A saved gate shown without its cells selected can be cleared too (by
   * the button only: Escape never deletes a saved gate). */
  gtk_widget_set_sensitive (GTK_WIDGET (self->clear_button),
                            n_sel > 0 || scm_scatter_view_get_gate (self->gate_view, NULL) != NULL);
  update_clear_action (self);
}

static void
state_selection_changed (ScmExploreState *state, gpointer origin, ScmExplorePage *self)
{
  const guint8 *mask = scm_explore_state_get_selection (state, NULL);
  gint64 n = scm_document_get_n_cells (self->link.document);
  if (scm_scatter_model_get_n_points (self->model) == n)
    scm_scatter_model_set_selection (self->model, mask);
  if (scm_scatter_model_get_n_points (self->gate_model) == n)
    scm_scatter_model_set_selection (self->gate_model, mask);
  if (origin != self->gate_view)
    scm_scatter_view_set_gate (self->gate_view, NULL, 0);
  update_selection_label (self);
}

static void
umap_selection_made (ScmScatterView *view, guint8 *mask, gint64 count, ScmExplorePage *self)
{
  scm_explore_state_set_selection_source (self->link.state, _("lasso on the embedding"));
  scm_explore_state_set_selection (self->link.state, count > 0 ? mask : NULL, view);
}

static void
gate_lasso_finished (ScmScatterView *view, float *poly, int n, ScmExplorePage *self)
{
  ScmAnnotations *ann = self->link.state ? scm_explore_state_get_annotations (self->link.state) : NULL;

  scm_scatter_view_set_gate (view, poly, n);
  self->gate_chosen = TRUE;
  /* Kept in the session (autosaved) so the outline comes back next time. */
  if (ann && self->gate_x && self->gate_y)
    scm_annotations_set_gate (ann, self->gate_x, self->gate_y, poly, n, NULL);
}

/* Draws the saved gate of the current axes, if any, with how many cells it
 * holds; the selection is left alone (drawing a gate is what selects). */
static void
show_saved_gate (ScmExplorePage *self)
{
  ScmAnnotations *ann = self->link.state ? scm_explore_state_get_annotations (self->link.state) : NULL;
  const ScmGate *gate = ann ? scm_annotations_find_gate (ann, self->gate_x, self->gate_y) : NULL;
  gint64 n = scm_scatter_model_get_n_points (self->gate_model);
  g_autofree guint8 *mask = NULL;
  g_autofree char *t = NULL;
  gint64 count;

  if (gate == NULL || n == 0)
    {
      scm_scatter_view_set_gate (self->gate_view, NULL, 0);
      update_selection_label (self);
      return;
    }
  scm_scatter_view_set_gate (self->gate_view, gate->polygon, gate->n_vertices);
  mask = g_malloc0 (n);
  count = scm_lasso_select (gate->polygon, gate->n_vertices, scm_scatter_model_get_positions (self->gate_model),
                            n, scm_scatter_model_get_visible (self->gate_model), mask);
  t = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Saved gate: %" G_GINT64_FORMAT " cell",
                                    "Saved gate: %" G_GINT64_FORMAT " cells", count), count);
  gtk_label_set_text (self->gate_label, t);
  update_selection_label (self);
}

static void
gate_selection_made (ScmScatterView *view, guint8 *mask, gint64 count, ScmExplorePage *self)
{
  g_autofree char *src = g_strdup_printf (_("gate %s vs %s"), self->gate_x, self->gate_y);
  scm_explore_state_set_selection_source (self->link.state, src);
  scm_explore_state_set_selection (self->link.state, count > 0 ? mask : NULL, view);
  g_autofree char *t = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " cell in the gate",
                                                     "%" G_GINT64_FORMAT " cells in the gate", count), count);
  gtk_label_set_text (self->gate_label, t);
}

static void
clear_clicked (GtkButton *b, ScmExplorePage *self)
{
  ScmAnnotations *ann = scm_explore_state_get_annotations (self->link.state);

  /* Clearing a gate's selection drops the gate from the session too; a
   * lasso elsewhere has already hidden the outline and keeps the gate. */
  if (ann && self->gate_x && self->gate_y && scm_scatter_view_get_gate (self->gate_view, NULL))
    scm_annotations_remove_gate (ann, self->gate_x, self->gate_y);
  scm_scatter_view_set_gate (self->gate_view, NULL, 0);
  scm_explore_state_set_selection (self->link.state, NULL, NULL);
  gtk_label_set_text (self->gate_label, _("Draw a gate around a population"));
  update_selection_label (self);
}

static void
clear_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  clear_clicked (NULL, SCM_EXPLORE_PAGE (widget));
}

static void
lasso_toggled (GtkToggleButton *b, ScmExplorePage *self)
{
  scm_scatter_view_set_tool (self->umap_view, gtk_toggle_button_get_active (b)
                                                ? SCM_SCATTER_TOOL_LASSO : SCM_SCATTER_TOOL_PAN);
}

static void
reset_clicked (GtkButton *b, ScmExplorePage *self)
{
  scm_scatter_view_reset_view (self->umap_view);
  scm_scatter_view_reset_view (self->gate_view);
  scm_scatter_view_reset_view (self->gate_umap_view);
}

/* ---- gating ---- */

gboolean
scm_explore_page_set_gate_features (ScmExplorePage *self, const char *x, const char *y)
{
  ScmFeatureData *fd = self->link.state ? scm_explore_state_get_features (self->link.state) : NULL;
  ScmModalityKind kx, ky;
  gint64 ix, iy;
  if (!fd || !x || !y || !scm_feature_data_find (fd, x, TRUE, &kx, &ix) ||
      !scm_feature_data_find (fd, y, TRUE, &ky, &iy))
    return FALSE;
  g_autofree float *vx = scm_feature_data_values (fd, kx, ix);
  g_autofree float *vy = scm_feature_data_values (fd, ky, iy);
  if (!vx || !vy)
    return FALSE;
  gint64 n = fd->n_cells;
  g_autofree float *xy = g_try_new (float, 2 * MAX (n, 1));
  if (!xy)
    return FALSE;
  /* A little deterministic jitter spreads the pile of zero-count cells so
   * a gate can tell "a few" from "many" (values are already on a log or
   * CLR scale; the jitter is far below one unit). */
  for (gint64 i = 0; i < n; i++)
    {
      guint32 h = (guint32) (i * 2654435761u);
      xy[2 * i] = vx[i] + ((h & 0xffff) / 65535.f - 0.5f) * 0.08f;
      xy[2 * i + 1] = vy[i] + ((h >> 16) / 65535.f - 0.5f) * 0.08f;
    }
  g_free (self->gate_x);
  g_free (self->gate_y);
  self->gate_x = scm_feature_data_display_name (fd, kx, ix);
  self->gate_y = scm_feature_data_display_name (fd, ky, iy);
  scm_scatter_model_set_positions (self->gate_model, xy, n);
  if (!self->color_key || !color_model_by (self, self->gate_model, self->color_key))
    scm_scatter_model_set_uniform (self->gate_model);
  const guint8 *sel = scm_explore_state_get_selection (self->link.state, NULL);
  scm_scatter_model_set_selection (self->gate_model, sel);
  gtk_label_set_text (self->gate_label, _("Draw a gate around a population"));
  show_saved_gate (self);
  scm_scatter_view_reset_view (self->gate_view);
  scm_scatter_view_set_axis_labels (self->gate_view, self->gate_x, self->gate_y);
  g_autofree char *t = g_strdup_printf ("%s / %s", self->gate_x, self->gate_y);
  scm_scatter_view_set_title (self->gate_view, t);
  gtk_editable_set_text (GTK_EDITABLE (self->gate_x_entry), self->gate_x);
  gtk_editable_set_text (GTK_EDITABLE (self->gate_y_entry), self->gate_y);
  return TRUE;
}

static void
gate_entry_activated (GtkEntry *entry, ScmExplorePage *self)
{
  const char *x = gtk_editable_get_text (GTK_EDITABLE (self->gate_x_entry));
  const char *y = gtk_editable_get_text (GTK_EDITABLE (self->gate_y_entry));
  gboolean ok = scm_explore_page_set_gate_features (self, x, y);
  self->gate_chosen |= ok;
  if (ok)
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
}

/* First feature in `candidates` that the dataset has. */
static const char *
first_present (ScmFeatureData *fd, const char *const *candidates, gboolean adt)
{
  ScmModalityKind k;
  gint64 i;
  for (guint c = 0; candidates[c]; c++)
    if (scm_feature_data_find (fd, candidates[c], adt, &k, &i) &&
        (k == SCM_MODALITY_ADT) == adt)
      return candidates[c];
  return NULL;
}

/* The axes of the gate drawn last in this file's session, if they still
 * exist in the dataset. */
static gboolean
restore_saved_gate (ScmExplorePage *self)
{
  ScmAnnotations *ann = scm_explore_state_get_annotations (self->link.state);
  guint n = ann ? scm_annotations_get_n_gates (ann) : 0;
  const ScmGate *last = n > 0 ? scm_annotations_get_gate (ann, n - 1) : NULL;

  if (last == NULL || scm_explore_state_get_features (self->link.state) == NULL)
    return FALSE;
  if (g_strcmp0 (last->x, self->gate_x) == 0 && g_strcmp0 (last->y, self->gate_y) == 0)
    return TRUE;
  return scm_explore_page_set_gate_features (self, last->x, last->y);
}

/* Annotations may arrive (restored) after the features: bring the saved
 * gate back then, unless the user has gated meanwhile. */
static void
annotations_changed (ScmExploreState *state, ScmExplorePage *self)
{
  if (!self->gate_chosen)
    restore_saved_gate (self);
}

static void
default_gate (ScmExplorePage *self)
{
  ScmFeatureData *fd = scm_explore_state_get_features (self->link.state);
  if (!fd || restore_saved_gate (self))
    return;
  static const char *const xs[] = { "CD3", "CD3E", "CD4", NULL };
  static const char *const ys[] = { "CD19", "CD14", "CD8a", "CD8A", "MS4A1", NULL };
  gboolean adt = fd->adt_names && fd->adt_names[0];
  const char *x = first_present (fd, xs, adt), *y = first_present (fd, ys, adt);
  g_autofree char *xa = NULL, *ya = NULL;
  if (adt)
    {
      /* Proteins by their ADT names; fall back to the first two. */
      xa = x ? g_strdup_printf ("%s (protein)", x) : g_strdup_printf ("%s (protein)", fd->adt_names[0]);
      ya = y ? g_strdup_printf ("%s (protein)", y)
             : g_strdup_printf ("%s (protein)", fd->adt_names[fd->adt_names[1] ? 1 : 0]);
    }
  else if (fd->rna_names && fd->rna_names[0])
    {
      xa = g_strdup (x ? x : fd->rna_names[0]);
      ya = g_strdup (y ? y : fd->rna_names[fd->rna_names[1] ? 1 : 0]);
    }
  if (xa && ya)
    scm_explore_page_set_gate_features (self, xa, ya);
}

/* ---- marker grid ---- */

static void
tile_activated (ScmScatterView *tile, ScmExplorePage *self)
{
  const char *key = g_object_get_data (G_OBJECT (tile), "scm-key");
  if (scm_explore_page_color_by (self, key))
    scm_explore_page_show_view (self, "embedding");
}

static void
build_grid (ScmExplorePage *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid_box))))
    gtk_flow_box_remove (self->grid_box, child);
  self->n_tiles = 0;
  self->grid_built = FALSE;
  ScmFeatureData *fd = scm_explore_state_get_features (self->link.state);
  gint64 n = 0;
  const float *xy = NULL;
  if (!fd || scm_scatter_model_get_n_points (self->model) != fd->n_cells)
    return;
  xy = scm_scatter_model_get_positions (self->model);
  n = fd->n_cells;
  /* Canonical PBMC markers: T (CD3E, CD4, CD8A), myeloid (ITGAM), B
   * (CD19), DC/basophil (FCER1A), plasma (JCHAIN); proteins by ADT name. */
  static const char *const genes[] = { "CD4", "CD8A", "ITGAM", "CD3E", "CD19", "FCER1A", "JCHAIN", NULL };
  static const char *const proteins[] = { "CD3", "CD4", "CD8a", "CD11b", "CD14", "CD19", "CD16", "CD56", NULL };
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  ScmModalityKind k;
  gint64 idx;
  for (guint i = 0; genes[i]; i++)
    if (scm_feature_data_find (fd, genes[i], FALSE, &k, &idx) && k == SCM_MODALITY_RNA)
      g_ptr_array_add (keys, g_strdup (fd->rna_names[idx]));
  for (guint i = 0; proteins[i]; i++)
    if (fd->adt_names && scm_feature_data_find (fd, proteins[i], TRUE, &k, &idx) && k == SCM_MODALITY_ADT)
      g_ptr_array_add (keys, g_strdup_printf ("%s (protein)", fd->adt_names[idx]));
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      ScmModalityKind kk;
      gint64 ii;
      if (!scm_feature_data_find (fd, key, FALSE, &kk, &ii))
        continue;
      g_autofree float *v = scm_feature_data_values (fd, kk, ii);
      if (!v)
        continue;
      ScmScatterModel *m = scm_scatter_model_new ();
      scm_scatter_model_set_positions (m, xy, n);
      scm_scatter_model_set_values (m, key, v);
      ScmScatterView *tile = scm_scatter_view_new ();
      scm_scatter_view_set_model (tile, m);
      scm_scatter_view_set_title (tile, key);
      scm_scatter_view_set_interactive (tile, FALSE);
      scm_scatter_view_set_point_radius (tile, 1.3f);
      gtk_widget_set_size_request (GTK_WIDGET (tile), 260, 240);
      g_object_set_data_full (G_OBJECT (tile), "scm-key", g_strdup (key), g_free);
      gtk_widget_set_tooltip_text (GTK_WIDGET (tile), _("Click to colour the embedding by this marker"));
      gtk_widget_set_has_tooltip (GTK_WIDGET (tile), TRUE);
      g_signal_connect (tile, "activated", G_CALLBACK (tile_activated), self);
      gtk_flow_box_append (self->grid_box, GTK_WIDGET (tile));
      g_object_unref (m);
      self->n_tiles++;
    }
  g_ptr_array_unref (keys);
  self->grid_built = TRUE;
}

/* ---- positions ---- */

static void
update_positions (ScmExplorePage *self)
{
  gint64 n = 0;
  const float *umap = self->link.document ? scm_document_get_umap (self->link.document, &n) : NULL;
  g_autofree float *tmp = NULL;
  const char *what = _("UMAP");
  if (!umap && self->link.document)
    {
      /* Until the UMAP is ready, show the first two components of the
       * representation (PCA baseline or the trained embedding). */
      const ScmMatrix *rep = scm_document_get_representation (self->link.document);
      if (rep && rep->n_cols >= 2)
        {
          n = rep->n_rows;
          tmp = g_try_new (float, 2 * MAX (n, 1));
          if (tmp)
            for (gint64 i = 0; i < n; i++)
              {
                tmp[2 * i] = rep->data[i * rep->n_cols];
                tmp[2 * i + 1] = rep->data[i * rep->n_cols + 1];
              }
          umap = tmp;
          what = _("First two components (UMAP is being computed)");
        }
    }
  if (!umap || n == 0)
    {
      gtk_stack_set_visible_child_name (self->outer_stack, "empty");
      scm_scatter_model_set_positions (self->model, NULL, 0);
      return;
    }
  gboolean same_n = scm_scatter_model_get_n_points (self->model) == n;
  scm_scatter_model_set_positions (self->model, umap, n);
  g_object_set_data_full (G_OBJECT (self->model), "scm-what", g_strdup (what), g_free);
  if (!same_n || !self->color_key || !color_model_by (self, self->model, self->color_key))
    {
      const char *key = default_color_key (self);
      if (!key || !scm_explore_page_color_by (self, key))
        scm_scatter_model_set_uniform (self->model);
    }
  scm_scatter_model_set_selection (self->model, scm_explore_state_get_selection (self->link.state, NULL));
  scm_scatter_view_reset_view (self->umap_view);
  scm_scatter_view_reset_view (self->gate_umap_view);
  update_main_title (self);
  scm_scatter_view_set_title (self->gate_umap_view, what);
  gtk_stack_set_visible_child_name (self->outer_stack, "content");
  build_grid (self);
}

static void
document_changed (ScmDocument *doc, guint flags, ScmExplorePage *self)
{
  if (flags & (SCM_DOCUMENT_CHANGE_DATASET | SCM_DOCUMENT_CHANGE_LABELS |
               SCM_DOCUMENT_CHANGE_CLUSTERS))
    refresh_color_items (self);
  if (flags & SCM_DOCUMENT_CHANGE_DATASET)
    {
      g_clear_pointer (&self->color_key, g_free);
      if (self->recluster_cancel)
        g_cancellable_cancel (self->recluster_cancel);
    }
  if (flags & (SCM_DOCUMENT_CHANGE_DATASET | SCM_DOCUMENT_CHANGE_REPRESENTATION |
               SCM_DOCUMENT_CHANGE_UMAP))
    update_positions (self);
  else if (flags & (SCM_DOCUMENT_CHANGE_LABELS | SCM_DOCUMENT_CHANGE_CLUSTERS))
    {
      /* Recolour if what we show changed (new clusters, edited annotation). */
      if (self->color_key && scm_document_get_label_column (doc, self->color_key))
        color_model_by (self, self->model, self->color_key);
      else if (!self->color_key || (flags & SCM_DOCUMENT_CHANGE_CLUSTERS))
        {
          const char *key = default_color_key (self);
          if (key)
            scm_explore_page_color_by (self, key);
        }
    }
  gboolean has_rep = scm_document_get_representation (doc) != NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (self->recluster_button), has_rep && !self->busy);
}

static void
features_changed (ScmExploreState *state, ScmExplorePage *self)
{
  setup_completion (self, self->feature_entry);
  setup_completion (self, self->gate_x_entry);
  setup_completion (self, self->gate_y_entry);
  if (scm_explore_state_get_features (state))
    {
      build_grid (self);
      default_gate (self);
    }
}

static void
color_requested (ScmExploreState *state, const char *key, ScmExplorePage *self)
{
  if (scm_explore_page_color_by (self, key))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->feature_entry),
                             scm_document_get_label_column (self->link.document, key) ? "" : key);
      scm_explore_page_show_view (self, "embedding");
    }
}

/* ---- re-clustering ---- */

typedef struct {
  ScmMatrix *rep;     /* copy; NULL when the document's graph is reused */
  gint64     n;       /* cells */
  double     resolution;
  guint64    generation;
  gint32    *codes;
  gint32     n_clusters;
  ScmNeighborGraph *neighbors;   /* the graph the codes came from */
} ReclusterJob;

static void
recluster_job_free (gpointer p)
{
  ReclusterJob *j = p;
  scm_matrix_free (j->rep);
  g_free (j->codes);
  g_clear_pointer (&j->neighbors, scm_neighbor_graph_unref);
  g_free (j);
}

static void
recluster_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ReclusterJob *j = data;
  GError *error = NULL;
  ScmKnn knn = { 0 };
  if (j->neighbors == NULL)
    {
      ScmKnnOptions ko;
      scm_knn_options_init (&ko);
      ko.k = MIN (20, (int) j->n);   /* as the analyze chain */
      ko.cancellable = cancellable;
      if (!scm_knn_compute (j->rep->data, j->rep->n_rows, j->rep->n_cols, &ko, &knn, &error) ||
          !(j->neighbors = scm_neighbor_graph_build (&knn, ko.k, &ko, j->rep->name, &error)))
        goto out;
    }
  ScmLeidenOptions lo;
  scm_leiden_options_init (&lo);
  lo.resolution = j->resolution;
  lo.cancellable = cancellable;
  j->codes = g_try_new (gint32, MAX (j->n, 1));
  if (!j->codes)
    {
      g_set_error (&error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate clusters");
      goto out;
    }
  double quality;
  scm_leiden (&j->neighbors->graph, &lo, j->codes, &j->n_clusters, &quality, &error);
out:
  scm_knn_clear (&knn);
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
set_busy (ScmExplorePage *self, gboolean busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->recluster_button), !busy);
}

static void
recluster_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GError *error = NULL;
  ReclusterJob *j = g_task_get_task_data (G_TASK (res));
  gboolean ok = g_task_propagate_boolean (G_TASK (res), &error);
  /* The page may be gone: the task holds a ref on it (source object). */
  ScmExplorePage *self = SCM_EXPLORE_PAGE (source);
  if (g_task_get_cancellable (G_TASK (res)) == self->recluster_cancel)
    {
      set_busy (self, FALSE);
      g_clear_object (&self->recluster_cancel);
    }
  if (!ok)
    {
      if (!g_error_matches (error, SCM_ERROR, SCM_ERROR_CANCELLED) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *msg = g_strdup_printf (_("Clustering failed: %s"), error->message);
          scm_document_set_status (self->link.document, FALSE, msg);
        }
      g_clear_error (&error);
      return;
    }
  if (self->link.document)
    scm_document_set_neighbors (self->link.document, j->generation,
                                scm_neighbor_graph_ref (j->neighbors));
  if (self->link.document)
    scm_document_set_clusters (self->link.document, j->generation, j->codes, j->n,
                               (guint) j->n_clusters, j->resolution);
}

void
scm_explore_page_recluster (ScmExplorePage *self, double resolution)
{
  if (!self->link.document)
    return;
  const ScmMatrix *rep = scm_document_get_representation (self->link.document);
  if (!rep || rep->n_rows < 3)
    return;
  if (self->recluster_cancel)
    g_cancellable_cancel (self->recluster_cancel);
  g_clear_object (&self->recluster_cancel);
  ReclusterJob *j = g_new0 (ReclusterJob, 1);
  j->n = rep->n_rows;
  /* A new resolution changes only Leiden: reuse the document's graph when
   * it was built on this representation (it is immutable and reference
   * counted), so only a missing graph costs a kNN search. */
  ScmNeighborGraph *have = scm_document_get_neighbors (self->link.document);
  if (have != NULL && have->knn.n == rep->n_rows && g_strcmp0 (have->use_rep, rep->name) == 0)
    j->neighbors = scm_neighbor_graph_ref (have);
  else
    {
      GError *error = NULL;
      j->rep = scm_matrix_new (rep->name, rep->n_rows, rep->n_cols, &error);
      if (!j->rep)
        {
          g_warning ("recluster: %s", error->message);
          g_clear_error (&error);
          g_free (j);
          return;
        }
      memcpy (j->rep->data, rep->data, sizeof (float) * rep->n_rows * rep->n_cols);
    }
  j->resolution = resolution;
  j->generation = scm_document_get_generation (self->link.document);
  self->recluster_cancel = g_cancellable_new ();
  GTask *task = g_task_new (self, self->recluster_cancel, recluster_done, NULL);
  g_task_set_source_tag (task, scm_explore_page_recluster);
  g_task_set_name (task, "[scmmae] recluster");
  g_task_set_task_data (task, j, recluster_job_free);
  set_busy (self, TRUE);
  g_task_run_in_thread (task, recluster_thread);
  g_object_unref (task);
}

gboolean scm_explore_page_is_busy (ScmExplorePage *self) { return self->busy; }

static void
recluster_clicked (GtkButton *b, ScmExplorePage *self)
{
  scm_explore_page_recluster (self, gtk_spin_button_get_value (self->resolution_spin));
}

/* ---- export ---- */

static void
export_response (GtkNativeDialog *dialog, int response, ScmExplorePage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *png = NULL;
      ScmImageFormat fmt;
      if (!scm_export_image_format_from_path (path, &fmt))
        {
          /* No known extension: PNG, and say so in the name. */
          png = g_strconcat (path, ".png", NULL);
          fmt = SCM_IMAGE_PNG;
        }
      int w = MAX (400, gtk_widget_get_width (GTK_WIDGET (self->umap_view))) + 190;
      int h = MAX (300, gtk_widget_get_height (GTK_WIDGET (self->umap_view)));
      float r = scm_scatter_view_get_effective_radius (self->umap_view, w - 190, h) * 1.2f;
      GError *error = NULL;
      if (!scm_export_scatter_image (self->model, scm_scatter_view_get_viewport (self->umap_view), w, h, r,
                                     g_object_get_data (G_OBJECT (self->model), "scm-what"),
                                     png ? png : path, fmt, &error))
        {
          scm_document_set_status (self->link.document, FALSE, error->message);
          g_clear_error (&error);
        }
    }
  g_object_unref (dialog);
}

static void
export_clicked (GtkButton *b, ScmExplorePage *self)
{
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Save the Embedding"), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  g_autofree char *name = g_strdup_printf ("%s.png", self->color_key ? self->color_key : "embedding");
  g_strdelimit (name, "/ ", '_');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect (chooser, "response", G_CALLBACK (export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- class ---- */

static void
scm_explore_page_dispose (GObject *object)
{
  ScmExplorePage *self = SCM_EXPLORE_PAGE (object);
  if (self->recluster_cancel)
    g_cancellable_cancel (self->recluster_cancel);
  g_clear_object (&self->recluster_cancel);
  scm_page_document_clear (&self->link);
  G_OBJECT_CLASS (scm_explore_page_parent_class)->dispose (object);
}

static void
scm_explore_page_finalize (GObject *object)
{
  ScmExplorePage *self = SCM_EXPLORE_PAGE (object);
  g_clear_object (&self->model);
  g_clear_object (&self->gate_model);
  g_clear_object (&self->color_items);
  g_free (self->color_key);
  g_free (self->gate_x);
  g_free (self->gate_y);
  G_OBJECT_CLASS (scm_explore_page_parent_class)->finalize (object);
}

static void
scm_explore_page_class_init (ScmExplorePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = scm_explore_page_dispose;
  object_class->finalize = scm_explore_page_finalize;
  g_type_ensure (SCM_TYPE_SCATTER_VIEW);
  g_type_ensure (SCM_TYPE_LEGEND);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/scmmae/Studio/ui/scm-explore-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ScmExplorePage, name)
  BIND (outer_stack);
  BIND (view_stack);
  BIND (color_dropdown);
  BIND (feature_entry);
  BIND (lasso_button);
  BIND (clear_button);
  BIND (selection_label);
  BIND (spinner);
  BIND (resolution_spin);
  BIND (recluster_button);
  BIND (reset_button);
  BIND (export_button);
  BIND (umap_view);
  BIND (legend);
  BIND (grid_box);
  BIND (gate_x_entry);
  BIND (gate_y_entry);
  BIND (gate_label);
  BIND (gate_view);
  BIND (gate_umap_view);
#undef BIND
  gtk_widget_class_install_action (widget_class, "explore.clear-selection", NULL, clear_activated);
}

static void
scm_explore_page_init (ScmExplorePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->model = scm_scatter_model_new ();
  self->gate_model = scm_scatter_model_new ();
  self->color_items = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->color_dropdown, G_LIST_MODEL (self->color_items));
  scm_scatter_view_set_model (self->umap_view, self->model);
  scm_scatter_view_set_model (self->gate_umap_view, self->model);
  scm_scatter_view_set_show_colorbar (self->gate_umap_view, FALSE);
  scm_scatter_view_set_model (self->gate_view, self->gate_model);
  scm_scatter_view_set_tool (self->gate_view, SCM_SCATTER_TOOL_LASSO);
  scm_scatter_view_set_show_colorbar (self->gate_view, FALSE);
  scm_scatter_view_set_point_radius (self->gate_view, 1.6f);
  gtk_widget_set_size_request (GTK_WIDGET (self->gate_umap_view), 360, -1);
  scm_scatter_view_set_tooltip_func (self->umap_view, umap_tooltip, self, NULL);
  scm_scatter_view_set_tooltip_func (self->gate_umap_view, umap_tooltip, self, NULL);
  scm_scatter_view_set_tooltip_func (self->gate_view, gate_tooltip, self, NULL);
  scm_legend_set_model (self->legend, self->model);
  g_signal_connect (self->color_dropdown, "notify::selected", G_CALLBACK (dropdown_selected), self);
  g_signal_connect (self->feature_entry, "activate", G_CALLBACK (feature_activated), self);
  g_signal_connect (self->gate_x_entry, "activate", G_CALLBACK (gate_entry_activated), self);
  g_signal_connect (self->gate_y_entry, "activate", G_CALLBACK (gate_entry_activated), self);
  g_signal_connect (self->lasso_button, "toggled", G_CALLBACK (lasso_toggled), self);
  g_signal_connect (self->clear_button, "clicked", G_CALLBACK (clear_clicked), self);
  g_signal_connect (self->reset_button, "clicked", G_CALLBACK (reset_clicked), self);
  g_signal_connect (self->export_button, "clicked", G_CALLBACK (export_clicked), self);
  g_signal_connect (self->recluster_button, "clicked", G_CALLBACK (recluster_clicked), self);
  g_signal_connect (self->umap_view, "selection-made", G_CALLBACK (umap_selection_made), self);
  g_signal_connect (self->gate_umap_view, "selection-made", G_CALLBACK (umap_selection_made), self);
  g_signal_connect (self->gate_view, "lasso-finished", G_CALLBACK (gate_lasso_finished), self);
  g_signal_connect (self->gate_view, "selection-made", G_CALLBACK (gate_selection_made), self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->recluster_button), FALSE);
  /* Escape while the page is shown, wherever the focus is (like the
   * Annotate page's undo). */
  GtkEventController *sc = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (sc), GTK_SHORTCUT_SCOPE_MANAGED);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (sc),
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                      gtk_named_action_new ("explore.clear-selection")));
  gtk_widget_add_controller (GTK_WIDGET (self), sc);
  g_signal_connect (self, "map", G_CALLBACK (update_clear_action), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (update_clear_action), NULL);
  update_clear_action (self);
}

ScmExplorePage *
scm_explore_page_new (void)
{
  return g_object_new (SCM_TYPE_EXPLORE_PAGE, NULL);
}

void
scm_explore_page_set_document (ScmExplorePage *self, ScmDocument *document)
{
  const ScmPageSignal signals[] = {
    { "selection-changed", G_CALLBACK (state_selection_changed), 0 },
    { "features-changed", G_CALLBACK (features_changed), 0 },
    { "color-requested", G_CALLBACK (color_requested), 0 },
    { "annotations-changed", G_CALLBACK (annotations_changed), 0 },
  };

  g_return_if_fail (SCM_IS_EXPLORE_PAGE (self));
  if (!scm_page_document_set (&self->link, self, document, G_CALLBACK (document_changed),
                              signals, G_N_ELEMENTS (signals)) || !document)
    return;
  scm_explore_state_set_main_view (self->link.state, G_OBJECT (self->umap_view));
  self->gate_chosen = FALSE;
  document_changed (document, SCM_DOCUMENT_CHANGE_DATASET, self);
  if (scm_explore_state_get_features (self->link.state))
    features_changed (self->link.state, self);
}

void
scm_explore_page_show_view (ScmExplorePage *self, const char *name)
{
  gtk_stack_set_visible_child_name (self->view_stack, name);
}

ScmScatterModel *scm_explore_page_get_model (ScmExplorePage *self) { return self->model; }
ScmScatterView *scm_explore_page_get_view (ScmExplorePage *self) { return self->umap_view; }
ScmScatterView *scm_explore_page_get_gate_view (ScmExplorePage *self) { return self->gate_view; }
guint scm_explore_page_get_n_grid_tiles (ScmExplorePage *self) { return self->n_tiles; }
