/* scm-markers-page.c: the Markers page (see header).
 *
 * A run takes a reference on the expression values (ScmFeatureData) and a
 * copy of the group codes, computes scm_wilcoxon() plus each group's mean
 * and detection fraction of every feature in a GTask, and the page shows
 * the top genes per group.  A generation counter drops results of runs
 * that were superseded (new settings, new dataset) while computing.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "scm-dotplot.h"
#include "scm-error.h"
#include "scm-explore-state.h"
#include "scm-markers-page.h"
#include "scm-page-util.h"
#include "scm-markers-row.h"
#include "scm-volcano.h"
#include "stats/scm-markers.h"

#define TOP_PER_GROUP 25
#define DOT_GENES_PER_GROUP 3

struct _ScmMarkersPage
{
  AdwBin           parent_instance;

  GtkStack        *outer_stack;
  GtkDropDown     *modality_dropdown;
  GtkDropDown     *group_dropdown;
  GtkDropDown     *compare_dropdown;
  GtkButton       *remember_button;
  GtkSpinner      *spinner;
  GtkLabel        *status_label;
  GtkColumnView   *table;
  GtkDrawingArea  *dotplot_area;
  GtkDrawingArea  *volcano_area;

  ScmPageDocument  link;          /* the document and its ScmExploreState, followed */
  GtkStringList   *group_items;
  gboolean         updating;

  GListStore      *store;
  GtkSortListModel *sorted;
  GtkSingleSelection *selection;

  guint64          generation;
  gboolean         busy;
  guint8          *remembered;   /* (n_cells) or NULL */
  gint64           n_remembered;

  /* Last result, for the plots. */
  ScmRankTest      rt;
  gboolean         have_rt;
  char           **group_names;  /* (n_groups) */
  char           **gene_names;   /* (n_genes) borrowed copy */
  double          *means;        /* (n_groups, n_genes) */
  double          *fracs;
  gboolean         proteins;
  gint32           shown_groups; /* rows come from groups [0, shown_groups) */
  gint32           volcano_group;
};

G_DEFINE_FINAL_TYPE (ScmMarkersPage, scm_markers_page, ADW_TYPE_BIN)

/* ---- worker ---- */

typedef struct {
  ScmFeatureData *fd;
  gboolean        proteins;
  gint32         *groups;      /* (n_cells) */
  gint32          n_groups;
  gint32          reference;
  ScmRankTest     rt;
  double         *means, *fracs;
  guint64         generation;
} Job;

static void
job_free (gpointer p)
{
  Job *j = p;
  scm_feature_data_unref (j->fd);
  g_free (j->groups);
  scm_rank_test_clear (&j->rt);
  g_free (j->means);
  g_free (j->fracs);
  g_free (j);
}

static void
job_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *j = data;
  GError *error = NULL;
  const ScmCsr *X = j->proteins ? &j->fd->adt : &j->fd->rna;
  if (X->n_rows == 0)
    {
      g_task_return_new_error (task, SCM_ERROR, SCM_ERROR_NOT_FOUND,
                               j->proteins ? _("This dataset has no proteins") : _("This dataset has no RNA"));
      return;
    }
  if (!scm_wilcoxon (X, j->groups, j->n_groups, j->reference, NULL, &j->rt, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Group means and detection fractions for the dot plot. */
  gint64 G = X->n_cols;
  j->means = g_try_new0 (double, (gsize) j->n_groups * G);
  j->fracs = g_try_new0 (double, (gsize) j->n_groups * G);
  gint64 *sizes = g_new0 (gint64, j->n_groups);
  if (!j->means || !j->fracs)
    {
      g_free (sizes);
      g_task_return_new_error (task, SCM_ERROR, SCM_ERROR_NO_MEMORY, "out of memory");
      return;
    }
  for (gint64 r = 0; r < X->n_rows; r++)
    {
      gint32 g = j->groups[r];
      if (g < 0)
        continue;
      sizes[g]++;
      for (gint64 k = X->indptr[r]; k < X->indptr[r + 1]; k++)
        {
          j->means[(gsize) g * G + X->indices[k]] += X->data[k];
          j->fracs[(gsize) g * G + X->indices[k]] += X->data[k] > 0;
        }
    }
  for (gint32 g = 0; g < j->n_groups; g++)
    for (gint64 c = 0; c < G; c++)
      if (sizes[g] > 0)
        {
          j->means[(gsize) g * G + c] /= sizes[g];
          j->fracs[(gsize) g * G + c] /= sizes[g];
        }
  g_free (sizes);
  g_task_return_boolean (task, TRUE);
}

/* ---- results ---- */

static void
clear_result (ScmMarkersPage *self)
{
  if (self->have_rt)
    scm_rank_test_clear (&self->rt);
  self->have_rt = FALSE;
  g_clear_pointer (&self->group_names, g_strfreev);
  g_clear_pointer (&self->gene_names, g_strfreev);
  g_clear_pointer (&self->means, g_free);
  g_clear_pointer (&self->fracs, g_free);
}

static char *
color_key_for (ScmMarkersPage *self, const char *gene)
{
  return self->proteins ? g_strdup_printf ("%s (protein)", gene) : g_strdup (gene);
}

static void
fill_table (ScmMarkersPage *self)
{
  g_list_store_remove_all (self->store);
  if (!self->have_rt)
    return;
  gint64 G = self->rt.n_genes;
  gint64 top[TOP_PER_GROUP];
  for (gint32 g = 0; g < self->shown_groups; g++)
    {
      gint64 m = scm_rank_test_top (&self->rt, g, TOP_PER_GROUP, top);
      for (gint64 k = 0; k < m; k++)
        {
          gsize at = (gsize) g * G + top[k];
          g_autofree char *key = color_key_for (self, self->gene_names[top[k]]);
          ScmMarkersRow *row = scm_markers_row_new (self->group_names[g], g, self->gene_names[top[k]], key,
                                                    self->rt.logfc[at], self->rt.pct_in[at],
                                                    self->rt.pct_out[at], self->rt.pvals_adj[at],
                                                    self->rt.scores[at]);
          g_list_store_append (self->store, row);
          g_object_unref (row);
        }
    }
}

static void
job_done (GObject *source, GAsyncResult *res, gpointer data)
{
  ScmMarkersPage *self = SCM_MARKERS_PAGE (source);
  Job *j = g_task_get_task_data (G_TASK (res));
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (res), &error);
  if (j->generation != self->generation)
    {
      g_clear_error (&error);
      return;   /* superseded */
    }
  self->busy = FALSE;
  gtk_spinner_set_spinning (self->spinner, FALSE);
  if (!ok)
    {
      gtk_label_set_text (self->status_label, error->message);
      g_clear_error (&error);
      clear_result (self);
      fill_table (self);
      gtk_widget_queue_draw (GTK_WIDGET (self->dotplot_area));
      gtk_widget_queue_draw (GTK_WIDGET (self->volcano_area));
      return;
    }
  clear_result (self);
  self->rt = j->rt;
  memset (&j->rt, 0, sizeof j->rt);
  self->have_rt = TRUE;
  self->means = g_steal_pointer (&j->means);
  self->fracs = g_steal_pointer (&j->fracs);
  self->proteins = j->proteins;
  self->gene_names = g_strdupv (j->proteins ? j->fd->adt_names : j->fd->rna_names);
  self->group_names = g_strdupv ((char **) g_object_get_data (G_OBJECT (res), "scm-groups"));
  self->volcano_group = 0;
  fill_table (self);
  g_autofree char *msg = g_strdup_printf (_("Wilcoxon rank-sum, Benjamini–Hochberg adjusted; top %d per group"),
                                          TOP_PER_GROUP);
  gtk_label_set_text (self->status_label, msg);
  gtk_widget_queue_draw (GTK_WIDGET (self->dotplot_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->volcano_area));
}

static const char *
current_group_column (ScmMarkersPage *self)
{
  guint pos = gtk_drop_down_get_selected (self->group_dropdown);
  if (pos == GTK_INVALID_LIST_POSITION || pos >= g_list_model_get_n_items (G_LIST_MODEL (self->group_items)))
    return NULL;
  return gtk_string_list_get_string (self->group_items, pos);
}

static void
run (ScmMarkersPage *self)
{
  self->generation++;
  ScmFeatureData *fd = self->link.state ? scm_explore_state_get_features (self->link.state) : NULL;
  if (!self->link.document || !fd)
    {
      gtk_stack_set_visible_child_name (self->outer_stack, "empty");
      return;
    }
  gboolean proteins = gtk_drop_down_get_selected (self->modality_dropdown) == 1;
  ScmMarkersCompare mode = gtk_drop_down_get_selected (self->compare_dropdown);
  gint64 n = fd->n_cells;
  Job *j = g_new0 (Job, 1);
  j->fd = scm_feature_data_ref (fd);
  j->proteins = proteins;
  j->groups = g_new (gint32, MAX (n, 1));
  j->reference = -1;
  j->generation = self->generation;
  char **names = NULL;
  gint64 n_sel = 0;
  const guint8 *sel = scm_explore_state_get_selection (self->link.state, &n_sel);
  if (mode == SCM_MARKERS_EACH_VS_REST)
    {
      const char *col_name = current_group_column (self);
      const ScmColumn *col = col_name ? scm_document_get_label_column (self->link.document, col_name) : NULL;
      if (!col || col->kind != SCM_COLUMN_CATEGORICAL || col->n != n || col->n_categories < 2)
        {
          job_free (j);
          gtk_stack_set_visible_child_name (self->outer_stack, col_name ? "content" : "empty");
          gtk_label_set_text (self->status_label, _("Choose a grouping with at least two groups"));
          return;
        }
      memcpy (j->groups, col->codes, sizeof (gint32) * n);
      j->n_groups = (gint32) col->n_categories;
      names = g_strdupv (col->categories);
      self->shown_groups = j->n_groups;
    }
  else
    {
      if (!sel || n_sel == 0 || (mode == SCM_MARKERS_SELECTION_VS_REMEMBERED && !self->remembered))
        {
          job_free (j);
          gtk_stack_set_visible_child_name (self->outer_stack, "content");
          g_list_store_remove_all (self->store);
          clear_result (self);
          gtk_label_set_text (self->status_label, mode == SCM_MARKERS_SELECTION_VS_REST
                              ? _("Select cells on the Explore page (lasso or gate) first")
                              : _("Remember one selection, then select other cells"));
          gtk_widget_queue_draw (GTK_WIDGET (self->dotplot_area));
          gtk_widget_queue_draw (GTK_WIDGET (self->volcano_area));
          return;
        }
      for (gint64 i = 0; i < n; i++)
        {
          if (sel[i])
            j->groups[i] = 0;
          else if (mode == SCM_MARKERS_SELECTION_VS_REST)
            j->groups[i] = 1;
          else
            j->groups[i] = self->remembered[i] ? 1 : -1;
        }
      j->n_groups = 2;
      if (mode == SCM_MARKERS_SELECTION_VS_REMEMBERED)
        j->reference = 1;
      names = g_new0 (char *, 3);
      names[0] = g_strdup (_("selection"));
      names[1] = g_strdup (mode == SCM_MARKERS_SELECTION_VS_REST ? _("rest") : _("remembered"));
      self->shown_groups = 1;
    }
  gtk_stack_set_visible_child_name (self->outer_stack, "content");
  GTask *task = g_task_new (self, NULL, job_done, NULL);
  g_task_set_source_tag (task, run);
  g_task_set_name (task, "[scmmae] markers");
  g_task_set_task_data (task, j, job_free);
  g_object_set_data_full (G_OBJECT (task), "scm-groups", names, (GDestroyNotify) g_strfreev);
  self->busy = TRUE;
  gtk_spinner_set_spinning (self->spinner, TRUE);
  gtk_label_set_text (self->status_label, _("Computing markers…"));
  g_task_run_in_thread (task, job_thread);
  g_object_unref (task);
}

/* ---- plots ---- */

static void
dotplot_draw (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  ScmMarkersPage *self = data;
  if (!self->have_rt)
    {
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      return;
    }
  /* Genes: the top few of each shown group, without repeats. */
  gint32 ng = self->shown_groups == 1 ? 2 : self->rt.n_groups;
  if (self->rt.n_groups < ng)
    ng = self->rt.n_groups;
  GPtrArray *genes = g_ptr_array_new ();
  GArray *idx = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 top[8];
  for (gint32 g = 0; g < MIN (self->shown_groups, 12); g++)
    {
      gint64 m = scm_rank_test_top (&self->rt, g, self->shown_groups == 1 ? 8 : DOT_GENES_PER_GROUP, top);
      for (gint64 k = 0; k < m; k++)
        {
          gboolean dup = FALSE;
          for (guint q = 0; q < idx->len; q++)
            dup |= g_array_index (idx, gint64, q) == top[k];
          if (!dup && idx->len < 36)
            {
              g_array_append_val (idx, top[k]);
              g_ptr_array_add (genes, self->gene_names[top[k]]);
            }
        }
    }
  gint32 G = (gint32) self->rt.n_genes;
  double *mean = g_new (double, (gsize) ng * MAX (idx->len, 1));
  double *frac = g_new (double, (gsize) ng * MAX (idx->len, 1));
  for (gint32 g = 0; g < ng; g++)
    for (guint q = 0; q < idx->len; q++)
      {
        gint64 c = g_array_index (idx, gint64, q);
        mean[(gsize) g * idx->len + q] = self->means[(gsize) g * G + c];
        frac[(gsize) g * idx->len + q] = self->fracs[(gsize) g * G + c];
      }
  ScmDotplotData d = {
    .n_groups = (guint) ng, .n_genes = idx->len,
    .groups = (const char *const *) self->group_names, .genes = (const char *const *) genes->pdata,
    .mean = mean, .frac = frac,
  };
  scm_dotplot_draw (cr, w, h, &d);
  g_free (mean);
  g_free (frac);
  g_array_unref (idx);
  g_ptr_array_unref (genes);
}

static void
volcano_draw (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  ScmMarkersPage *self = data;
  if (!self->have_rt || self->volcano_group >= self->rt.n_groups)
    {
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      return;
    }
  gint64 G = self->rt.n_genes;
  g_autofree char *title = g_strdup_printf (_("%s vs %s"), self->group_names[self->volcano_group],
                                            self->shown_groups == 1 ? self->group_names[1] : _("rest"));
  ScmVolcanoData d = {
    .n = G,
    .logfc = self->rt.logfc + (gsize) self->volcano_group * G,
    .padj = self->rt.pvals_adj + (gsize) self->volcano_group * G,
    .names = (const char *const *) self->gene_names,
    .title = title,
    .fc_threshold = 1.0, .p_threshold = 0.05, .n_labels = 10,
  };
  scm_volcano_draw (cr, w, h, &d);
}

static void
selection_row_changed (GtkSingleSelection *sel, GParamSpec *pspec, ScmMarkersPage *self)
{
  ScmMarkersRow *row = gtk_single_selection_get_selected_item (sel);
  if (row && scm_markers_row_get_group_index (row) != self->volcano_group)
    {
      self->volcano_group = scm_markers_row_get_group_index (row);
      gtk_widget_queue_draw (GTK_WIDGET (self->volcano_area));
    }
}

void
scm_markers_page_activate_row (ScmMarkersPage *self, guint position)
{
  g_autoptr (ScmMarkersRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);
  if (!row || !self->link.state)
    return;
  scm_explore_state_request_color (self->link.state, scm_markers_row_get_color_key (row));
  /* Show the embedding (the window's page action; absent in tests). */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.page", "s", "explore");
}

static void
table_activate (GtkColumnView *view, guint position, ScmMarkersPage *self)
{
  scm_markers_page_activate_row (self, position);
}

/* ---- table columns ---- */

typedef enum { COL_GROUP, COL_GENE, COL_LOGFC, COL_PCT_IN, COL_PCT_OUT, COL_PADJ } Col;

static void
cell_setup (GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);
  Col c = GPOINTER_TO_INT (data);
  gtk_label_set_xalign (GTK_LABEL (label), c <= COL_GENE ? 0 : 1);
  if (c > COL_GENE)
    gtk_widget_add_css_class (label, "numeric");
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
cell_bind (GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
  ScmMarkersRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  char buf[64];
  switch ((Col) GPOINTER_TO_INT (data))
    {
    case COL_GROUP: gtk_label_set_text (label, scm_markers_row_get_group (row)); return;
    case COL_GENE: gtk_label_set_text (label, scm_markers_row_get_gene (row)); return;
    case COL_LOGFC: g_snprintf (buf, sizeof buf, "%.2f", scm_markers_row_get_logfc (row)); break;
    case COL_PCT_IN: g_snprintf (buf, sizeof buf, "%.0f%%", 100 * scm_markers_row_get_pct_in (row)); break;
    case COL_PCT_OUT: g_snprintf (buf, sizeof buf, "%.0f%%", 100 * scm_markers_row_get_pct_out (row)); break;
    case COL_PADJ:
      /* p below the smallest double prints as a bound, not a bare 0. */
      if (scm_markers_row_get_padj (row) > 0)
        g_snprintf (buf, sizeof buf, "%.2g", scm_markers_row_get_padj (row));
      else
        g_snprintf (buf, sizeof buf, "< 1e-300");
      break;
    }
  gtk_label_set_text (label, buf);
}

static void
add_column (ScmMarkersPage *self, const char *title, Col c, const char *property, gboolean numeric,
            gboolean expand)
{
  GtkListItemFactory *f = gtk_signal_list_item_factory_new ();
  g_signal_connect (f, "setup", G_CALLBACK (cell_setup), GINT_TO_POINTER (c));
  g_signal_connect (f, "bind", G_CALLBACK (cell_bind), GINT_TO_POINTER (c));
  GtkColumnViewColumn *col = gtk_column_view_column_new (title, f);
  GtkExpression *expr = gtk_property_expression_new (SCM_TYPE_MARKERS_ROW, NULL, property);
  GtkSorter *sorter = numeric ? GTK_SORTER (gtk_numeric_sorter_new (expr))
                              : GTK_SORTER (gtk_string_sorter_new (expr));
  gtk_column_view_column_set_sorter (col, sorter);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  g_object_unref (sorter);
  gtk_column_view_append_column (self->table, col);
  g_object_unref (col);
}

/* ---- wiring ---- */

static void
refresh_groups (ScmMarkersPage *self)
{
  g_auto (GStrv) names = self->link.document ? scm_document_list_label_columns (self->link.document) : NULL;
  const char *cur = current_group_column (self);
  g_autofree char *keep = g_strdup (cur ? cur : "leiden");
  self->updating = TRUE;
  gtk_string_list_splice (self->group_items, 0, g_list_model_get_n_items (G_LIST_MODEL (self->group_items)),
                          (const char *const *) names);
  guint pos = 0;
  for (guint i = 0; names && names[i]; i++)
    if (g_strcmp0 (names[i], keep) == 0)
      pos = i;
  gtk_drop_down_set_selected (self->group_dropdown, pos);
  self->updating = FALSE;
}

static void
settings_changed (GObject *obj, GParamSpec *pspec, ScmMarkersPage *self)
{
  if (!self->updating)
    run (self);
}

static void
document_changed (ScmDocument *doc, guint flags, ScmMarkersPage *self)
{
  if (!(flags & (SCM_DOCUMENT_CHANGE_DATASET | SCM_DOCUMENT_CHANGE_LABELS | SCM_DOCUMENT_CHANGE_CLUSTERS)))
    return;
  if (flags & SCM_DOCUMENT_CHANGE_DATASET)
    g_clear_pointer (&self->remembered, g_free);
  const char *before = current_group_column (self);
  g_autofree char *b = g_strdup (before);
  refresh_groups (self);
  /* Rerun when the shown grouping itself changed (new clusters, edited
   * annotation), not for unrelated label columns. */
  const char *now = current_group_column (self);
  if ((flags & (SCM_DOCUMENT_CHANGE_DATASET | SCM_DOCUMENT_CHANGE_CLUSTERS)) || g_strcmp0 (b, now) != 0 ||
      (now && g_str_equal (now, "annotation")))
    run (self);
}

static void
features_changed (ScmExploreState *state, ScmMarkersPage *self)
{
  gboolean has_adt = FALSE;
  ScmFeatureData *fd = scm_explore_state_get_features (state);
  if (fd)
    has_adt = fd->adt_names && fd->adt_names[0];
  gtk_widget_set_visible (GTK_WIDGET (self->modality_dropdown), has_adt);
  if (!has_adt && gtk_drop_down_get_selected (self->modality_dropdown) == 1)
    gtk_drop_down_set_selected (self->modality_dropdown, 0);
  run (self);
}

static void
selection_changed (ScmExploreState *state, gpointer origin, ScmMarkersPage *self)
{
  if (gtk_drop_down_get_selected (self->compare_dropdown) != SCM_MARKERS_EACH_VS_REST)
    run (self);
}

void
scm_markers_page_remember_selection (ScmMarkersPage *self)
{
  gint64 n_sel = 0;
  const guint8 *sel = self->link.state ? scm_explore_state_get_selection (self->link.state, &n_sel) : NULL;
  g_clear_pointer (&self->remembered, g_free);
  self->n_remembered = 0;
  if (sel && n_sel > 0)
    {
      self->remembered = g_memdup2 (sel, scm_document_get_n_cells (self->link.document));
      self->n_remembered = n_sel;
      g_autofree char *t = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Remembered %" G_GINT64_FORMAT " cell",
                                                         "Remembered %" G_GINT64_FORMAT " cells", n_sel), n_sel);
      gtk_label_set_text (self->status_label, t);
    }
}

static void
remember_clicked (GtkButton *b, ScmMarkersPage *self)
{
  scm_markers_page_remember_selection (self);
}

static void
scm_markers_page_dispose (GObject *object)
{
  ScmMarkersPage *self = SCM_MARKERS_PAGE (object);
  self->generation++;
  scm_page_document_clear (&self->link);
  G_OBJECT_CLASS (scm_markers_page_parent_class)->dispose (object);
}

static void
scm_markers_page_finalize (GObject *object)
{
  ScmMarkersPage *self = SCM_MARKERS_PAGE (object);
  clear_result (self);
  g_free (self->remembered);
  g_clear_object (&self->group_items);
  g_clear_object (&self->store);
  g_clear_object (&self->sorted);
  g_clear_object (&self->selection);
  G_OBJECT_CLASS (scm_markers_page_parent_class)->finalize (object);
}

static void
scm_markers_page_class_init (ScmMarkersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = scm_markers_page_dispose;
  object_class->finalize = scm_markers_page_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/scmmae/Studio/ui/scm-markers-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ScmMarkersPage, name)
  BIND (outer_stack);
  BIND (modality_dropdown);
  BIND (group_dropdown);
  BIND (compare_dropdown);
  BIND (remember_button);
  BIND (spinner);
  BIND (status_label);
  BIND (table);
  BIND (dotplot_area);
  BIND (volcano_area);
#undef BIND
}

static void
scm_markers_page_init (ScmMarkersPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->group_items = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->group_dropdown, G_LIST_MODEL (self->group_items));
  self->store = g_list_store_new (SCM_TYPE_MARKERS_ROW);
  add_column (self, _("Group"), COL_GROUP, "group", FALSE, FALSE);
  add_column (self, _("Gene"), COL_GENE, "gene", FALSE, TRUE);
  add_column (self, _("log₂ FC"), COL_LOGFC, "logfc", TRUE, FALSE);
  add_column (self, _("In group"), COL_PCT_IN, "pct-in", TRUE, FALSE);
  add_column (self, _("Elsewhere"), COL_PCT_OUT, "pct-out", TRUE, FALSE);
  add_column (self, _("Adj. p"), COL_PADJ, "padj", TRUE, FALSE);
  GtkSorter *sorter = gtk_column_view_get_sorter (self->table);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                          sorter ? g_object_ref (sorter) : NULL);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sorted)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect (self->selection, "notify::selected", G_CALLBACK (selection_row_changed), self);
  g_signal_connect (self->table, "activate", G_CALLBACK (table_activate), self);
  gtk_drawing_area_set_draw_func (self->dotplot_area, dotplot_draw, self, NULL);
  gtk_drawing_area_set_draw_func (self->volcano_area, volcano_draw, self, NULL);
  g_signal_connect (self->modality_dropdown, "notify::selected", G_CALLBACK (settings_changed), self);
  g_signal_connect (self->group_dropdown, "notify::selected", G_CALLBACK (settings_changed), self);
  g_signal_connect (self->compare_dropdown, "notify::selected", G_CALLBACK (settings_changed), self);
  g_signal_connect (self->remember_button, "clicked", G_CALLBACK (remember_clicked), self);
}

ScmMarkersPage *
scm_markers_page_new (void)
{
  return g_object_new (SCM_TYPE_MARKERS_PAGE, NULL);
}

void
scm_markers_page_set_document (ScmMarkersPage *self, ScmDocument *document)
{
  const ScmPageSignal signals[] = {
    { "features-changed", G_CALLBACK (features_changed), 0 },
    { "selection-changed", G_CALLBACK (selection_changed), 0 },
  };

  g_return_if_fail (SCM_IS_MARKERS_PAGE (self));
  if (!scm_page_document_set (&self->link, self, document, G_CALLBACK (document_changed),
                              signals, G_N_ELEMENTS (signals)) || !document)
    return;
  refresh_groups (self);
  features_changed (self->link.state, self);
}

void
scm_markers_page_configure (ScmMarkersPage *self, gboolean proteins, const char *group_column,
                            ScmMarkersCompare compare)
{
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->modality_dropdown, proteins ? 1 : 0);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->group_items));
  for (guint i = 0; i < n && group_column; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->group_items, i), group_column) == 0)
      gtk_drop_down_set_selected (self->group_dropdown, i);
  gtk_drop_down_set_selected (self->compare_dropdown, compare);
  self->updating = FALSE;
  run (self);
}

gboolean scm_markers_page_is_busy (ScmMarkersPage *self) { return self->busy; }
GListModel *scm_markers_page_get_rows (ScmMarkersPage *self) { return G_LIST_MODEL (self->sorted); }

const char *
scm_markers_page_top_gene (ScmMarkersPage *self, const char *group)
{
  if (!self->have_rt)
    return NULL;
  for (gint32 g = 0; g < self->rt.n_groups; g++)
    if (g_strcmp0 (self->group_names[g], group) == 0)
      {
        gint64 top;
        if (scm_rank_test_top (&self->rt, g, 1, &top) == 1)
          return self->gene_names[top];
      }
  return NULL;
}

void
scm_markers_page_sort_by_column (ScmMarkersPage *self, guint column, GtkSortType order)
{
  GListModel *cols = gtk_column_view_get_columns (self->table);
  g_autoptr (GtkColumnViewColumn) col = g_list_model_get_item (cols, column);
  if (col)
    gtk_column_view_sort_by_column (self->table, col, order);
}
