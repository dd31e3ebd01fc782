/* scm-open-page.c: the Open page (see scm-open-page.h). */
#include "config.h"

#include <glib/gi18n.h>

#include "io/scm-io.h"
#include "scm-error.h"
#include "scm-open-page.h"
#include "scm-page-util.h"
#include "scm-qc-plot.h"

#define MAX_RECENT 8

struct _ScmOpenPage
{
  AdwBin          parent_instance;

  ScmDocument    *document;
  ScmQcModel     *qc;
  GPtrArray      *summary_rows;   /* widgets we added to summary_group */
  GPtrArray      *note_rows;      /* widgets we added to notes_group */
  GCancellable   *cancellable;    /* labels join; cancelled at dispose */
  gulong          recent_changed_id;

  GtkStack       *stack;
  AdwStatusPage  *loading_page;
  GtkSpinner     *loading_spinner;
  AdwStatusPage  *error_page;
  AdwPreferencesGroup *recent_group;
  GtkListBox     *recent_list;
  AdwPreferencesGroup *summary_group;
  AdwPreferencesGroup *qc_group;
  AdwPreferencesGroup *notes_group;
  GtkBox         *qc_box;
  GtkButton      *qc_apply_button;
  GtkButton      *qc_reset_button;
};

G_DEFINE_FINAL_TYPE (ScmOpenPage, scm_open_page, ADW_TYPE_BIN)

static void
show_state (ScmOpenPage *self, const char *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  gtk_spinner_set_spinning (self->loading_spinner, g_str_equal (name, "loading"));
}

const char *
scm_open_page_get_state (ScmOpenPage *self)
{
  g_return_val_if_fail (SCM_IS_OPEN_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

void
scm_open_page_set_loading (ScmOpenPage *self, const char *name)
{
  g_autofree char *title = NULL;

  g_return_if_fail (SCM_IS_OPEN_PAGE (self));

  title = g_strdup_printf (_("Loading %s…"), name);
  adw_status_page_set_title (self->loading_page, title);
  adw_status_page_set_description (self->loading_page,
    _("Reading the counts and computing quality-control metrics."));
  show_state (self, "loading");
}

void
scm_open_page_set_error (ScmOpenPage *self, const char *title, const char *message)
{
  g_return_if_fail (SCM_IS_OPEN_PAGE (self));

  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, message);
  show_state (self, "error");
}

static void
error_back_clicked (ScmOpenPage *self)
{
  show_state (self, self->document && scm_document_has_dataset (self->document) ? "summary" : "empty");
}

/* ---- recent files ---- */

static gboolean
is_dataset_uri (const char *uri)
{
  return g_str_has_suffix (uri, ".h5ad") || g_str_has_suffix (uri, ".h5mu") ||
         g_str_has_suffix (uri, ".h5") || g_str_has_suffix (uri, ".hdf5");
}

static int
compare_recent (gconstpointer a, gconstpointer b)
{
  GDateTime *ta = gtk_recent_info_get_modified (*(GtkRecentInfo **) a);
  GDateTime *tb = gtk_recent_info_get_modified (*(GtkRecentInfo **) b);
  return -g_date_time_compare (ta, tb);
}

static void
reload_recent (ScmOpenPage *self)
{
  GtkRecentManager *manager = gtk_recent_manager_get_default ();
  GList *items = gtk_recent_manager_get_items (manager);
  g_autoptr(GPtrArray) keep = g_ptr_array_new ();
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);

  for (GList *l = items; l != NULL; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      if (is_dataset_uri (gtk_recent_info_get_uri (info)) && gtk_recent_info_is_local (info) &&
          gtk_recent_info_exists (info))
        g_ptr_array_add (keep, info);
    }
  g_ptr_array_sort (keep, compare_recent);

  for (guint i = 0; i < keep->len && i < MAX_RECENT; i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (keep, i);
      g_autofree char *path = g_filename_from_uri (gtk_recent_info_get_uri (info), NULL, NULL);
      g_autofree char *dir = path ? g_path_get_dirname (path) : NULL;
      g_autofree char *base = path ? g_path_get_basename (path) : NULL;
      GtkWidget *row;

      if (path == NULL)
        continue;
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), base);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dir);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data_full (G_OBJECT (row), "path", g_steal_pointer (&path), g_free);
      gtk_list_box_append (self->recent_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->recent_group),
                          gtk_widget_get_first_child (GTK_WIDGET (self->recent_list)) != NULL);
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

static void
recent_row_activated (ScmOpenPage *self, GtkListBoxRow *row)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  if (path != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.open-path", "s", path);
}

/* ---- drag and drop ---- */

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, ScmOpenPage *self)
{
  GFile *file;
  g_autofree char *path = NULL;

  if (!G_VALUE_HOLDS (value, G_TYPE_FILE))
    return FALSE;
  file = g_value_get_object (value);
  path = g_file_get_path (file);
  if (path == NULL)
    return FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self), "win.open-path", "s", path);
  return TRUE;
}

/* ---- summary ---- */

static void
clear_rows (AdwPreferencesGroup *group, GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static void
add_row (ScmOpenPage *self, AdwPreferencesGroup *group, GPtrArray *rows,
         const char *title, const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  /* Property style: the name as title, the value below it, so long values
   * (protein lists, layout notes) wrap across the full width. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (rows, row);
}

static char *
format_count (gint64 n)
{
  return g_strdup_printf ("%'" G_GINT64_FORMAT, n);
}

static char *
describe_modality (const ScmModality *m, const char *noun)
{
  g_autofree char *n = format_count (m->X.n_cols);
  const char *values = m->is_counts ? _("raw counts") : _("normalised values");
  return g_strdup_printf (_("%s %s · %s (from %s)"), n, noun, values, m->source ? m->source : "?");
}

static char *
first_names (char **names, guint max)
{
  GString *s = g_string_new (NULL);
  guint n = names ? g_strv_length (names) : 0;

  for (guint i = 0; i < n && i < max; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, names[i]);
    }
  if (n > max)
    g_string_append_printf (s, _(", … (%u more)"), n - max);
  return g_string_free (s, FALSE);
}

static void
rebuild_summary (ScmOpenPage *self)
{
  ScmDataset *ds = self->document ? scm_document_get_dataset (self->document) : NULL;
  g_autofree char *cells = NULL;

  clear_rows (self->summary_group, self->summary_rows);
  clear_rows (self->notes_group, self->note_rows);
  if (ds == NULL)
    return;

  adw_preferences_group_set_title (self->summary_group, scm_document_get_title (self->document));
  adw_preferences_group_set_description (self->summary_group, ds->path);

  add_row (self, self->summary_group, self->summary_rows, _("Format"),
           ds->format ? ds->format : _("unknown"));
  cells = format_count (ds->n_cells);
  add_row (self, self->summary_group, self->summary_rows, _("Cells"), cells);
  if (ds->rna != NULL)
    {
      g_autofree char *d = describe_modality (ds->rna, _("genes"));
      add_row (self, self->summary_group, self->summary_rows, _("RNA"), d);
    }
  else
    add_row (self, self->summary_group, self->summary_rows, _("RNA"), _("none in this file"));
  if (ds->adt != NULL)
    {
      g_autofree char *d = describe_modality (ds->adt, _("proteins"));
      g_autofree char *names = first_names (ds->adt->names, 14);
      g_autofree char *both = g_strdup_printf ("%s\n%s", d, names);
      add_row (self, self->summary_group, self->summary_rows, _("Proteins (ADT)"), both);
    }
  else
    add_row (self, self->summary_group, self->summary_rows, _("Proteins (ADT)"),
             _("none (RNA only: use stage 3, transfer)"));

  {
    /* The document's view: the file's categorical columns plus those added
     * since (Leiden clusters, joined CSV labels, predictions). */
    g_auto(GStrv) names = scm_document_list_label_columns (self->document);
    GString *labels = g_string_new (NULL);
    for (guint i = 0; names[i] != NULL; i++)
      {
        const ScmColumn *c = scm_document_get_label_column (self->document, names[i]);
        if (c == NULL)
          continue;
        if (labels->len > 0)
          g_string_append (labels, "\n");
        g_string_append_printf (labels, ngettext ("%s (%u category)", "%s (%u categories)",
                                                  c->n_categories),
                                c->name, c->n_categories);
      }
    add_row (self, self->summary_group, self->summary_rows, _("Label columns"),
             labels->len ? labels->str : _("none (add a barcode,label CSV)"));
    g_string_free (labels, TRUE);
  }
  if (ds->obsm != NULL && ds->obsm->len > 0)
    {
      GString *s = g_string_new (NULL);
      for (guint i = 0; i < ds->obsm->len; i++)
        {
          const ScmMatrix *m = g_ptr_array_index (ds->obsm, i);
          g_string_append_printf (s, "%s%s (%" G_GINT64_FORMAT ")", i ? ", " : "", m->name, m->n_cols);
        }
      add_row (self, self->summary_group, self->summary_rows, _("Embeddings (obsm)"), s->str);
      g_string_free (s, TRUE);
    }

  for (guint i = 0; ds->notes != NULL && i < ds->notes->len; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), g_ptr_array_index (ds->notes, i));
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("dialog-information-symbolic"));
      adw_preferences_group_add (self->notes_group, row);
      g_ptr_array_add (self->note_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->notes_group),
                          self->note_rows->len > 0 ||
                          adw_preferences_group_get_description (self->notes_group) != NULL);
}

static void
update_qc_description (ScmOpenPage *self)
{
  g_autofree char *kept = NULL, *total = NULL, *text = NULL;
  gint64 n_kept, n;

  if (self->qc == NULL)
    {
      adw_preferences_group_set_description (self->qc_group, NULL);
      return;
    }
  n_kept = scm_qc_model_count_kept (self->qc);
  n = scm_qc_model_get_n_cells (self->qc);
  kept = format_count (n_kept);
  total = format_count (n);
  text = g_strdup_printf (_("%s of %s cells kept. Drag the red handles to set thresholds."),
                          kept, total);
  adw_preferences_group_set_description (self->qc_group, text);
  gtk_widget_set_sensitive (GTK_WIDGET (self->qc_apply_button), n_kept < n && n_kept > 0);
}

static void
rebuild_qc (ScmOpenPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->qc_box))) != NULL)
    gtk_box_remove (self->qc_box, child);

  if (self->qc != NULL)
    for (ScmQcMetric m = 0; m < SCM_QC_N_METRICS; m++)
      {
        GtkWidget *frame;
        if (!scm_qc_model_has_metric (self->qc, m))
          continue;
        frame = gtk_frame_new (NULL);
        gtk_widget_add_css_class (frame, "qc-card");
        gtk_frame_set_child (GTK_FRAME (frame), scm_qc_plot_new (self->qc, m));
        gtk_box_append (self->qc_box, frame);
      }
  if (self->qc != NULL && !scm_qc_model_is_protein (self->qc) &&
      !scm_qc_model_has_metric (self->qc, SCM_QC_PCT_MITO))
    {
      GtkWidget *label = gtk_label_new (_("No mitochondrial genes (MT-…) among the genes of "
                                          "this file, so % mito cannot be computed. Files "
                                          "restricted to highly variable genes often drop them."));
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 30);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
      gtk_box_append (self->qc_box, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->qc_group), self->qc != NULL);
  update_qc_description (self);
}

void
scm_open_page_set_qc_model (ScmOpenPage *self, ScmQcModel *qc)
{
  g_return_if_fail (SCM_IS_OPEN_PAGE (self));

  if (self->qc != NULL)
    g_signal_handlers_disconnect_by_func (self->qc, update_qc_description, self);
  g_set_object (&self->qc, qc);
  if (qc != NULL)
    g_signal_connect_swapped (qc, "changed", G_CALLBACK (update_qc_description), self);
  rebuild_qc (self);
}

ScmQcModel *
scm_open_page_get_qc_model (ScmOpenPage *self)
{
  g_return_val_if_fail (SCM_IS_OPEN_PAGE (self), NULL);
  return self->qc;
}

static void
qc_reset_clicked (ScmOpenPage *self)
{
  if (self->qc != NULL)
    scm_qc_model_reset_thresholds (self->qc);
}

static void
qc_apply_clicked (ScmOpenPage *self)
{
  scm_open_page_apply_qc_filter (self);
}

/* The subset is a deep copy of every modality: done in a GTask with a
 * copy of the keep mask, applied only if the document did not move on. */
typedef struct {
  ScmDataset *dataset;
  guint8     *keep;
  guint64     generation;
  char       *title;
  ScmDataset *subset;   /* result */
  ScmQcModel *qc;       /* result */
} Filter;

static void
filter_free (Filter *f)
{
  g_clear_pointer (&f->dataset, scm_dataset_unref);
  g_free (f->keep);
  g_free (f->title);
  g_clear_pointer (&f->subset, scm_dataset_unref);
  g_clear_object (&f->qc);
  g_free (f);
}

static void
filter_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Filter *f = task_data;
  GError *error = NULL;

  f->subset = scm_dataset_subset_cells (f->dataset, f->keep, &error);
  if (f->subset == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  scm_dataset_add_note (f->subset, _("Filtered by QC thresholds: kept %lld of %lld cells."),
                        (long long) f->subset->n_cells, (long long) f->dataset->n_cells);
  f->qc = scm_qc_model_new_from_dataset (f->subset);
  g_task_return_boolean (task, TRUE);
}

static void
filter_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ScmOpenPage) self = user_data;
  Filter *f = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->qc_apply_button), TRUE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      scm_open_page_set_error (self, _("Could not filter the cells"), error->message);
      return;
    }
  if (self->document == NULL || !scm_document_is_current (self->document, f->generation))
    return;   /* another file was opened meanwhile */
  scm_open_page_set_qc_model (self, f->qc);
  scm_document_set_dataset (self->document, f->subset);
  scm_document_set_title (self->document, f->title);
  /* The window restarts the analysis on DATASET changes it did not load. */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.reanalyse", NULL);
}

void
scm_open_page_apply_qc_filter (ScmOpenPage *self)
{
  g_autoptr(GTask) task = NULL;
  ScmDataset *ds;
  Filter *f;

  g_return_if_fail (SCM_IS_OPEN_PAGE (self));

  if (self->qc == NULL || self->document == NULL ||
      (ds = scm_document_get_dataset (self->document)) == NULL)
    return;
  f = g_new0 (Filter, 1);
  f->dataset = scm_dataset_ref (ds);
  f->keep = g_memdup2 (scm_qc_model_get_keep (self->qc), MAX (ds->n_cells, 1));
  f->generation = scm_document_get_generation (self->document);
  f->title = g_strdup (scm_document_get_title (self->document));
  gtk_widget_set_sensitive (GTK_WIDGET (self->qc_apply_button), FALSE);

  task = g_task_new (NULL, NULL, filter_done, g_object_ref (self));
  g_task_set_source_tag (task, scm_open_page_apply_qc_filter);
  g_task_set_name (task, "[scm] QC filter");
  g_task_set_task_data (task, f, (GDestroyNotify) filter_free);
  g_task_run_in_thread (task, filter_thread);
}

/* Joining a labels CSV reads and parses a file that can hold a million
 * rows: done in a GTask.  The worker gets a reference to the (immutable)
 * dataset and its own copy of the path, builds the column in a shell
 * dataset and hands it back; the main thread then adds it to the document
 * only if the same dataset is still open (generation check). */
typedef struct {
  ScmDataset *dataset;
  char       *path;
  guint64     generation;
  ScmColumn  *column;    /* result */
  char       *message;   /* result: what matched */
} Join;

static void
join_free (Join *j)
{
  g_clear_pointer (&j->dataset, scm_dataset_unref);
  g_free (j->path);
  g_clear_pointer (&j->column, scm_column_free);
  g_free (j->message);
  g_free (j);
}

static void
join_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Join *j = task_data;
  g_autoptr(ScmDataset) shell = scm_dataset_new ();
  ScmLabelsReport report = { 0 };
  GError *error = NULL;

  /* The loaded dataset is shared and immutable: join into a shell with
   * the same barcodes, so the PCA/UMAP already computed stay valid. */
  shell->n_cells = j->dataset->n_cells;
  shell->barcodes = g_strdupv (j->dataset->barcodes);
  if (!scm_labels_join_csv (shell, j->path, NULL, &report, &error))
    {
      scm_labels_report_clear (&report);
      g_task_return_error (task, error);
      return;
    }
  if (shell->obs == NULL || shell->obs->len == 0)
    {
      scm_labels_report_clear (&report);
      g_task_return_new_error (task, SCM_ERROR, SCM_ERROR_FORMAT, _("%s: no label column found"), j->path);
      return;
    }
  j->column = g_ptr_array_steal_index (shell->obs, shell->obs->len - 1);
  j->message = g_strdup_printf (_("Labels “%s” added: %lld cells matched, %lld without a label, "
                                  "%lld rows for unknown barcodes."),
                                j->column->name, (long long) report.n_matched,
                                (long long) report.n_cells_unlabelled, (long long) report.n_unmatched);
  scm_labels_report_clear (&report);
  g_task_return_boolean (task, TRUE);
}

/* Back on the main thread: apply the column, then complete the caller's task. */
static void
join_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) outer = user_data;
  ScmOpenPage *self = g_task_get_source_object (outer);
  Join *j = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, error);
      return;
    }
  /* Stale: the page was disposed or another file was opened meanwhile. */
  if (g_task_return_error_if_cancelled (outer))
    return;
  if (self->document == NULL || !scm_document_is_current (self->document, j->generation))
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Another dataset was opened: the labels were not added"));
      return;
    }
  if (!scm_document_set_label_column (self->document, g_steal_pointer (&j->column)))
    {
      g_task_return_new_error (outer, SCM_ERROR, SCM_ERROR_INVALID,
                               _("%s: the labels do not match the cells"), j->path);
      return;
    }
  adw_preferences_group_set_description (self->notes_group, j->message);
  gtk_widget_set_visible (GTK_WIDGET (self->notes_group), TRUE);
  g_task_return_boolean (outer, TRUE);
}

void
scm_open_page_join_labels_async (ScmOpenPage *self, const char *csv_path, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  ScmDataset *ds;
  Join *j;

  g_return_if_fail (SCM_IS_OPEN_PAGE (self));
  g_return_if_fail (csv_path != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, scm_open_page_join_labels_async);
  if (self->document == NULL || (ds = scm_document_get_dataset (self->document)) == NULL)
    {
      g_task_return_new_error (outer, SCM_ERROR, SCM_ERROR_INVALID, _("Open a dataset first"));
      return;
    }
  j = g_new0 (Join, 1);
  j->dataset = scm_dataset_ref (ds);
  j->path = g_strdup (csv_path);
  j->generation = scm_document_get_generation (self->document);

  task = g_task_new (NULL, cancellable, join_done, g_steal_pointer (&outer));
  g_task_set_source_tag (task, join_thread);
  g_task_set_name (task, "[scm] join labels CSV");
  g_task_set_task_data (task, j, (GDestroyNotify) join_free);
  g_task_run_in_thread (task, join_thread);
}

gboolean
scm_open_page_join_labels_finish (ScmOpenPage *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == scm_open_page_join_labels_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
labels_joined (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ScmOpenPage *self = SCM_OPEN_PAGE (source);
  g_autoptr(GError) error = NULL;

  if (scm_open_page_join_labels_finish (self, result, &error))
    return;
  /* A dropped result (disposed page, other file) is not the user's error. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->document == NULL)
    return;
  scm_open_page_set_error (self, _("Could not add the labels"), error->message);
  scm_page_add_toast (GTK_WIDGET (self), error->message);
}

void
scm_open_page_add_labels (ScmOpenPage *self, const char *csv_path)
{
  g_return_if_fail (SCM_IS_OPEN_PAGE (self));
  scm_open_page_join_labels_async (self, csv_path, self->cancellable, labels_joined, NULL);
}

static void
labels_response (GtkNativeDialog *dialog, int response, ScmOpenPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        scm_open_page_add_labels (self, path);
    }
  g_object_unref (dialog);
}

static void
add_labels_clicked (ScmOpenPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Add Labels from CSV"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Labels (barcode,label CSV)"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_filter_add_pattern (filter, "*.tsv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (labels_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
document_changed (ScmOpenPage *self, guint what)
{
  if ((what & SCM_DOCUMENT_CHANGE_LABELS) && !(what & SCM_DOCUMENT_CHANGE_DATASET))
    {
      rebuild_summary (self);
      return;
    }
  if (!(what & SCM_DOCUMENT_CHANGE_DATASET))
    return;
  adw_preferences_group_set_description (self->notes_group, NULL);
  rebuild_summary (self);
  if (self->document != NULL && scm_document_has_dataset (self->document))
    {
      ScmDataset *ds = scm_document_get_dataset (self->document);
      /* A dataset set by someone else (stage-3 transfer): its own QC. */
      if (self->qc == NULL || scm_qc_model_get_n_cells (self->qc) != ds->n_cells)
        {
          g_autoptr(ScmQcModel) qc = scm_qc_model_new_from_dataset (ds);
          scm_open_page_set_qc_model (self, qc);
        }
      show_state (self, "summary");
    }
  else
    {
      scm_open_page_set_qc_model (self, NULL);
      show_state (self, "empty");
    }
}

static void
title_changed (ScmOpenPage *self)
{
  const char *title = scm_document_get_title (self->document);
  adw_preferences_group_set_title (self->summary_group, title ? title : "");
}

void
scm_open_page_set_document (ScmOpenPage *self, ScmDocument *document)
{
  g_return_if_fail (SCM_IS_OPEN_PAGE (self));

  if (self->document != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->document, document_changed, self);
      g_signal_handlers_disconnect_by_func (self->document, title_changed, self);
    }
  g_set_object (&self->document, document);
  if (document != NULL)
    {
      g_signal_connect_swapped (document, "changed", G_CALLBACK (document_changed), self);
      g_signal_connect_swapped (document, "notify::title", G_CALLBACK (title_changed), self);
    }
  document_changed (self, SCM_DOCUMENT_CHANGE_DATASET);
}

static void
scm_open_page_dispose (GObject *object)
{
  ScmOpenPage *self = SCM_OPEN_PAGE (object);

  /* A labels join still running finishes into nothing. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->recent_changed_id != 0)
    g_clear_signal_handler (&self->recent_changed_id, gtk_recent_manager_get_default ());
  scm_open_page_set_qc_model (self, NULL);
  scm_open_page_set_document (self, NULL);
  /* AdwBin still points at the template's root child: drop it first so
   * dispose_template does not unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCM_TYPE_OPEN_PAGE);
  G_OBJECT_CLASS (scm_open_page_parent_class)->dispose (object);
}

static void
scm_open_page_finalize (GObject *object)
{
  ScmOpenPage *self = SCM_OPEN_PAGE (object);

  g_ptr_array_unref (self->summary_rows);
  g_ptr_array_unref (self->note_rows);
  G_OBJECT_CLASS (scm_open_page_parent_class)->finalize (object);
}

static void
scm_open_page_class_init (ScmOpenPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scm_open_page_dispose;
  object_class->finalize = scm_open_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/scmmae/Studio/ui/scm-open-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, loading_page);
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, recent_group);
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, recent_list);
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, summary_group);
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, qc_group);
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, notes_group);
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, qc_box);
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, qc_apply_button);
  gtk_widget_class_bind_template_child (widget_class, ScmOpenPage, qc_reset_button);
  gtk_widget_class_bind_template_callback (widget_class, recent_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, error_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, qc_reset_clicked);
  gtk_widget_class_bind_template_callback (widget_class, qc_apply_clicked);
  gtk_widget_class_bind_template_callback (widget_class, add_labels_clicked);
}

static void
scm_open_page_init (ScmOpenPage *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->summary_rows = g_ptr_array_new ();
  self->note_rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();

  drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  self->recent_changed_id = g_signal_connect_swapped (gtk_recent_manager_get_default (), "changed",
                                                      G_CALLBACK (reload_recent), self);
  reload_recent (self);
  show_state (self, "empty");
}
