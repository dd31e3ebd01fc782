/* scm-annotate-page.c: the Annotate page (see header).
 *
 * The page edits the ScmAnnotations kept by the document's ScmExploreState
 * and rebuilds its two lists (clusters, history) from it on every
 * "changed": the annotations are the single source of truth, so undo/redo
 * needs no bookkeeping here.  Ctrl+Z / Ctrl+Shift+Z are managed shortcuts
 * of the page, active while it is shown.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "scm-annotate-page.h"
#include "scm-colormap.h"
#include "scm-explore-state.h"
#include "scm-export.h"
#include "scm-page-util.h"
#include "scm-scatter-view.h"
#include "stats/scm-markers.h"

struct _ScmAnnotatePage
{
  AdwBin           parent_instance;

  GtkStack        *outer_stack;
  GtkRevealer     *outdated_revealer;
  GtkLabel        *outdated_label;
  GtkButton       *restart_button;
  GtkButton       *undo_button;
  GtkButton       *redo_button;
  GtkButton       *merge_button;
  GtkButton       *predictions_button;
  GtkLabel        *status_label;
  GtkListBox      *cluster_list;
  GtkEntry        *label_entry;
  GtkButton       *label_button;
  GtkListBox      *log_list;

  ScmPageDocument  link;          /* the document and its ScmExploreState, followed */
  guint            n_cluster_rows, n_log_rows;
  GHashTable      *ticked;     /* cluster id -> TRUE */

  /* Top marker genes of each base cluster, shown beside its name so the
   * clusters can be named without switching pages. */
  char           **hints;        /* (n_clusters) or NULL */
  gint32          *hint_base;    /* the base clusters they were computed for */
  gint64           hint_n;
  guint64          hint_gen;
};

G_DEFINE_FINAL_TYPE (ScmAnnotatePage, scm_annotate_page, ADW_TYPE_BIN)

static ScmAnnotations *
annotations (ScmAnnotatePage *self)
{
  return self->link.state ? scm_explore_state_get_annotations (self->link.state) : NULL;
}

static void
show_error (ScmAnnotatePage *self, const char *message)
{
  gtk_label_set_text (self->status_label, message);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
show_status (ScmAnnotatePage *self, const char *message)
{
  gtk_label_set_text (self->status_label, message);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

/* ---- cluster rows ---- */

static void
swatch_draw (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  double r, g, b;
  scm_color_to_rgb (scm_colormap_categorical (GPOINTER_TO_UINT (data)), &r, &g, &b);
  cairo_arc (cr, w / 2.0, h / 2.0, MIN (w, h) / 2.0 - 1, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, r, g, b);
  cairo_fill (cr);
}

static void
name_activated (GtkEntry *entry, ScmAnnotatePage *self)
{
  ScmAnnotations *ann = annotations (self);
  gint32 c = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (entry), "scm-cluster"));
  g_autofree char *copy = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  if (!ann || g_strcmp0 (copy, scm_annotations_get_cluster_name (ann, c)) == 0)
    return;
  GError *error = NULL;
  if (!scm_annotations_rename_cluster (ann, c, copy, _("user"), &error))
    {
      show_error (self, error->message);
      g_clear_error (&error);
    }
}

static void
note_activated (GtkEntry *entry, ScmAnnotatePage *self)
{
  ScmAnnotations *ann = annotations (self);
  gint32 c = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (entry), "scm-cluster"));
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));
  if (!ann || g_strcmp0 (text, scm_annotations_get_note (ann, c) ? scm_annotations_get_note (ann, c) : "") == 0)
    return;
  GError *error = NULL;
  if (!scm_annotations_set_note (ann, c, text, _("user"), &error))
    {
      show_error (self, error->message);
      g_clear_error (&error);
    }
}

static void
update_merge_sensitivity (ScmAnnotatePage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->merge_button), g_hash_table_size (self->ticked) >= 2);
}

static void
tick_toggled (GtkCheckButton *check, ScmAnnotatePage *self)
{
  gint32 c = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (check), "scm-cluster"));
  if (gtk_check_button_get_active (check))
    g_hash_table_add (self->ticked, GINT_TO_POINTER (c));
  else
    g_hash_table_remove (self->ticked, GINT_TO_POINTER (c));
  update_merge_sensitivity (self);
}

static GtkWidget *
cluster_row (ScmAnnotatePage *self, ScmAnnotations *ann, gint32 c)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  GtkWidget *check = gtk_check_button_new ();
  gtk_widget_set_tooltip_text (check, _("Tick clusters to merge them"));
  g_object_set_data (G_OBJECT (check), "scm-cluster", GINT_TO_POINTER (c));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                               g_hash_table_contains (self->ticked, GINT_TO_POINTER (c)));
  g_signal_connect (check, "toggled", G_CALLBACK (tick_toggled), self);
  GtkWidget *sw = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (sw), 14);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (sw), 14);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (sw), swatch_draw, GUINT_TO_POINTER (c), NULL);
  g_autofree char *id = g_strdup_printf ("%d", c);
  GtkWidget *idl = gtk_label_new (id);
  gtk_widget_set_size_request (idl, 24, -1);
  gtk_widget_add_css_class (idl, "numeric");
  GtkWidget *name = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (name), scm_annotations_get_cluster_name (ann, c));
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_set_tooltip_text (name, _("Type a name and press Enter"));
  g_object_set_data (G_OBJECT (name), "scm-cluster", GINT_TO_POINTER (c));
  g_signal_connect (name, "activate", G_CALLBACK (name_activated), self);
  g_autofree char *size = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " cell",
                                                        "%" G_GINT64_FORMAT " cells",
                                                        scm_annotations_get_cluster_size (ann, c)),
                                           scm_annotations_get_cluster_size (ann, c));
  GtkWidget *sizel = gtk_label_new (size);
  gtk_widget_add_css_class (sizel, "dim-label");
  gtk_widget_add_css_class (sizel, "numeric");
  gtk_widget_set_size_request (sizel, 80, -1);
  gtk_label_set_xalign (GTK_LABEL (sizel), 1);
  GtkWidget *note = gtk_entry_new ();
  const char *nt = scm_annotations_get_note (ann, c);
  gtk_editable_set_text (GTK_EDITABLE (note), nt ? nt : "");
  gtk_entry_set_placeholder_text (GTK_ENTRY (note), _("Note"));
  gtk_editable_set_width_chars (GTK_EDITABLE (note), 10);
  gtk_widget_set_valign (note, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (note), "scm-cluster", GINT_TO_POINTER (c));
  g_signal_connect (note, "activate", G_CALLBACK (note_activated), self);
  const char *hint = self->hints && (guint) c < g_strv_length (self->hints) ? self->hints[c] : "";
  GtkWidget *hintl = gtk_label_new (hint);
  gtk_widget_add_css_class (hintl, "dim-label");
  gtk_widget_add_css_class (hintl, "caption");
  gtk_label_set_ellipsize (GTK_LABEL (hintl), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (hintl), 0);
  gtk_widget_set_margin_start (hintl, 6);
  gtk_label_set_max_width_chars (GTK_LABEL (hintl), 20);
  gtk_widget_set_tooltip_text (hintl, _("Top marker genes of the original cluster"));
  gtk_widget_set_visible (hintl, *hint != '\0');
  /* Name above, its marker genes below: a name is typed while reading them. */
  GtkWidget *col = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (col, TRUE);
  gtk_widget_set_valign (col, GTK_ALIGN_CENTER);
  gtk_editable_set_width_chars (GTK_EDITABLE (name), 16);
  gtk_box_append (GTK_BOX (col), name);
  gtk_box_append (GTK_BOX (col), hintl);
  gtk_box_append (GTK_BOX (box), check);
  gtk_box_append (GTK_BOX (box), sw);
  gtk_box_append (GTK_BOX (box), idl);
  gtk_box_append (GTK_BOX (box), col);
  gtk_box_append (GTK_BOX (box), sizel);
  gtk_box_append (GTK_BOX (box), note);
  g_object_set_data (G_OBJECT (box), "scm-name-entry", name);
  g_object_set_data (G_OBJECT (box), "scm-check", check);
  return box;
}

static GtkWidget *
find_row_child (ScmAnnotatePage *self, gint32 cluster, const char *key)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->cluster_list)); row;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
      if (box && GPOINTER_TO_INT (g_object_get_data (G_OBJECT (box), "scm-cluster")) == cluster + 1)
        return g_object_get_data (G_OBJECT (box), key);
    }
  return NULL;
}

static GtkWidget *
log_row (ScmAnnotations *ann, guint i, gboolean applied)
{
  const ScmAnnotOp *op = scm_annotations_get_op (ann, i);
  g_autofree char *d = scm_annotations_describe_op (ann, i);
  GDateTime *dt = g_date_time_new_from_unix_local (op->time_us / G_USEC_PER_SEC);
  g_autofree char *t = dt ? g_date_time_format (dt, "%H:%M:%S") : g_strdup ("");
  if (dt)
    g_date_time_unref (dt);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_margin_start (box, 10);
  gtk_widget_set_margin_end (box, 10);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  GtkWidget *title = gtk_label_new (d);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  g_autofree char *sub = op->kind == SCM_ANNOT_OP_NOTE
    ? g_strdup_printf ("%s · %s", t, op->source)
    : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · %" G_GINT64_FORMAT " cell",
                                    "%s · %s · %" G_GINT64_FORMAT " cells", op->n_affected),
                       t, op->source, op->n_affected);
  GtkWidget *subl = gtk_label_new (applied ? sub : _("undone"));
  gtk_label_set_xalign (GTK_LABEL (subl), 0);
  gtk_widget_add_css_class (subl, "dim-label");
  gtk_widget_add_css_class (subl, "caption");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subl);
  if (!applied)
    gtk_widget_set_opacity (box, 0.5);
  return box;
}

static void
update_label_button (ScmAnnotatePage *self)
{
  gint64 n_sel = 0;
  if (self->link.state)
    scm_explore_state_get_selection (self->link.state, &n_sel);
  gtk_widget_set_sensitive (GTK_WIDGET (self->label_button), n_sel > 0 && annotations (self));
  g_autofree char *t = n_sel > 0
    ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "_Label %" G_GINT64_FORMAT " Cell",
                                    "_Label %" G_GINT64_FORMAT " Cells", n_sel), n_sel)
    : g_strdup (_("_Label Selection"));
  gtk_button_set_label (self->label_button, t);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->label_button),
                               n_sel > 0 ? NULL : _("Select cells with the lasso or a gate on the Explore page first"));
}

static char *
predictions_column (ScmAnnotatePage *self)
{
  if (!self->link.document)
    return NULL;
  g_auto (GStrv) names = scm_document_list_label_columns (self->link.document);
  for (guint i = 0; names && names[i]; i++)
    if (g_str_has_prefix (names[i], "predict") || g_str_has_prefix (names[i], "scmmae_pred"))
      return g_strdup (names[i]);
  return NULL;
}

/* ---- marker hints ---- */

typedef struct {
  ScmFeatureData *fd;
  gint32         *groups;
  gint32          k;
  guint64         gen;
} HintJob;

static void
hint_job_free (gpointer p)
{
  HintJob *j = p;
  scm_feature_data_unref (j->fd);
  g_free (j->groups);
  g_free (j);
}

static void
hint_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  HintJob *j = data;
  gboolean rna = j->fd->rna.n_rows > 0;
  const ScmCsr *X = rna ? &j->fd->rna : &j->fd->adt;
  char **names = rna ? j->fd->rna_names : j->fd->adt_names;
  ScmRankTest rt = { 0 };
  GError *error = NULL;
  if (X->n_rows == 0 || !scm_wilcoxon (X, j->groups, j->k, -1, NULL, &rt, &error))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                               error ? error->message : "no expression values");
      g_clear_error (&error);
      return;
    }
  char **hints = g_new0 (char *, j->k + 1);
  for (gint32 g = 0; g < j->k; g++)
    {
      gint64 top[3];
      gint64 m = scm_rank_test_top (&rt, g, 3, top);
      GString *s = g_string_new (NULL);
      for (gint64 q = 0; q < m; q++)
        {
          /* Only genes that are actually up in the cluster. */
          if (rt.scores[(gsize) g * rt.n_genes + top[q]] <= 0)
            continue;
          g_string_append_printf (s, "%s%s", s->len ? " · " : "", names[top[q]]);
        }
      hints[g] = g_string_free (s, FALSE);
    }
  scm_rank_test_clear (&rt);
  g_task_return_pointer (task, hints, (GDestroyNotify) g_strfreev);
}

static void rebuild (ScmAnnotatePage *self);

static void
hint_done (GObject *source, GAsyncResult *res, gpointer data)
{
  ScmAnnotatePage *self = SCM_ANNOTATE_PAGE (source);
  HintJob *j = g_task_get_task_data (G_TASK (res));
  char **hints = g_task_propagate_pointer (G_TASK (res), NULL);
  if (!hints || j->gen != self->hint_gen)
    {
      g_strfreev (hints);
      return;
    }
  g_strfreev (self->hints);
  self->hints = hints;
  rebuild (self);
}

static void
maybe_start_hints (ScmAnnotatePage *self, ScmAnnotations *ann)
{
  ScmFeatureData *fd = scm_explore_state_get_features (self->link.state);
  gint64 n = scm_annotations_get_n_cells (ann);
  const gint32 *base = scm_annotations_get_base_clusters (ann);
  if (!fd || fd->n_cells != n || scm_annotations_get_n_clusters (ann) < 2)
    return;
  if (self->hint_base && self->hint_n == n && memcmp (self->hint_base, base, sizeof (gint32) * n) == 0)
    return;   /* computed (or computing) for these clusters */
  g_free (self->hint_base);
  self->hint_base = g_memdup2 (base, sizeof (gint32) * MAX (n, 1));
  self->hint_n = n;
  g_clear_pointer (&self->hints, g_strfreev);
  HintJob *j = g_new0 (HintJob, 1);
  j->fd = scm_feature_data_ref (fd);
  j->groups = g_memdup2 (base, sizeof (gint32) * MAX (n, 1));
  j->k = (gint32) scm_annotations_get_n_clusters (ann);
  j->gen = ++self->hint_gen;
  GTask *task = g_task_new (self, NULL, hint_done, NULL);
  g_task_set_source_tag (task, maybe_start_hints);
  g_task_set_name (task, "[scmmae] cluster marker hints");
  g_task_set_task_data (task, j, hint_job_free);
  g_task_run_in_thread (task, hint_thread);
  g_object_unref (task);
}

/* Undo/redo are only live while the page is on screen, so Ctrl+Z on
 * another page never changes annotations behind the user's back. */
static void
update_undo_actions (ScmAnnotatePage *self)
{
  ScmAnnotations *ann = annotations (self);
  gboolean shown = gtk_widget_get_mapped (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "annotate.undo",
                                 shown && ann && scm_annotations_can_undo (ann));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "annotate.redo",
                                 shown && ann && scm_annotations_can_redo (ann));
}

/* gtk_list_box_remove_all() is GTK 4.12; we target 4.8. */
static void
list_box_clear (GtkListBox *box)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))))
    gtk_list_box_remove (box, child);
}

static void
rebuild (ScmAnnotatePage *self)
{
  ScmAnnotations *ann = annotations (self);
  update_undo_actions (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "annotate.export-labels", ann != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "annotate.export-h5ad", ann != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "annotate.export-image", ann != NULL);
  list_box_clear (self->cluster_list);
  list_box_clear (self->log_list);
  self->n_cluster_rows = self->n_log_rows = 0;
  g_autofree char *pred = predictions_column (self);
  gtk_widget_set_visible (GTK_WIDGET (self->predictions_button), pred != NULL && ann != NULL);
  if (!ann)
    {
      gtk_stack_set_visible_child_name (self->outer_stack, "empty");
      return;
    }
  gtk_stack_set_visible_child_name (self->outer_stack, "content");
  maybe_start_hints (self, ann);
  for (guint c = 0; c < scm_annotations_get_n_clusters (ann); c++)
    {
      if (scm_annotations_get_merged_into (ann, (gint32) c) >= 0)
        {
          g_hash_table_remove (self->ticked, GINT_TO_POINTER (c));
          continue;
        }
      GtkWidget *row = cluster_row (self, ann, (gint32) c);
      g_object_set_data (G_OBJECT (row), "scm-cluster", GINT_TO_POINTER ((gint) c + 1));
      gtk_list_box_append (self->cluster_list, row);
      self->n_cluster_rows++;
    }
  /* Newest first, undone ones (redo-able) on top, dimmed. */
  for (guint i = scm_annotations_get_n_ops (ann); i-- > 0;)
    {
      gtk_list_box_append (self->log_list, log_row (ann, i, i < scm_annotations_get_n_applied (ann)));
      self->n_log_rows++;
    }
  if (self->n_log_rows == 0)
    {
      GtkWidget *l = gtk_label_new (_("Rename, merge and label clusters: every change is listed here and saved automatically."));
      gtk_label_set_wrap (GTK_LABEL (l), TRUE);
      gtk_widget_add_css_class (l, "dim-label");
      gtk_widget_set_margin_top (l, 12);
      gtk_widget_set_margin_bottom (l, 12);
      gtk_widget_set_margin_start (l, 12);
      gtk_widget_set_margin_end (l, 12);
      gtk_list_box_append (self->log_list, l);
    }
  gboolean outdated = scm_explore_state_annotations_outdated (self->link.state);
  if (outdated)
    gtk_label_set_text (self->outdated_label,
                        _("The clusters changed since these annotations were made. They still use the earlier clustering."));
  else if (scm_explore_state_annotations_restored (self->link.state))
    gtk_label_set_text (self->outdated_label,
                        _("Annotations restored from your last session with this file."));
  gtk_revealer_set_reveal_child (self->outdated_revealer,
                                 outdated || scm_explore_state_annotations_restored (self->link.state));
  gtk_widget_set_visible (GTK_WIDGET (self->restart_button), TRUE);
  update_merge_sensitivity (self);
  update_label_button (self);
}

static void
annotations_changed (ScmExploreState *state, ScmAnnotatePage *self)
{
  rebuild (self);
}

static void
selection_changed (ScmExploreState *state, gpointer origin, ScmAnnotatePage *self)
{
  update_label_button (self);
}

static void
document_changed (ScmDocument *doc, guint flags, ScmAnnotatePage *self)
{
  if (flags & SCM_DOCUMENT_CHANGE_LABELS)
    {
      g_autofree char *pred = predictions_column (self);
      gtk_widget_set_visible (GTK_WIDGET (self->predictions_button), pred != NULL && annotations (self));
    }
}

/* ---- actions ---- */

static void
undo_activated (GtkWidget *w, const char *name, GVariant *p)
{
  ScmAnnotatePage *self = SCM_ANNOTATE_PAGE (w);
  if (annotations (self) && scm_annotations_undo (annotations (self)))
    show_status (self, _("Undone"));
}

static void
redo_activated (GtkWidget *w, const char *name, GVariant *p)
{
  ScmAnnotatePage *self = SCM_ANNOTATE_PAGE (w);
  if (annotations (self) && scm_annotations_redo (annotations (self)))
    show_status (self, _("Redone"));
}

static void
merge_clicked (GtkButton *b, ScmAnnotatePage *self)
{
  ScmAnnotations *ann = annotations (self);
  if (!ann)
    return;
  /* Merge into the largest ticked cluster: its name is usually the one to keep. */
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, self->ticked);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      gint32 c = GPOINTER_TO_INT (key);
      g_array_append_val (ids, c);
    }
  gint32 *v = (gint32 *) ids->data;
  for (guint i = 1; i < ids->len; i++)
    if (scm_annotations_get_cluster_size (ann, v[i]) > scm_annotations_get_cluster_size (ann, v[0]) ||
        (scm_annotations_get_cluster_size (ann, v[i]) == scm_annotations_get_cluster_size (ann, v[0]) && v[i] < v[0]))
      {
        gint32 t = v[0];
        v[0] = v[i];
        v[i] = t;
      }
  GError *error = NULL;
  g_hash_table_remove_all (self->ticked);
  if (!scm_annotations_merge_clusters (ann, v, ids->len, NULL, _("user"), &error))
    {
      show_error (self, error->message);
      g_clear_error (&error);
    }
  g_array_unref (ids);
}

static void
label_clicked (GtkButton *b, ScmAnnotatePage *self)
{
  ScmAnnotations *ann = annotations (self);
  const guint8 *mask = self->link.state ? scm_explore_state_get_selection (self->link.state, NULL) : NULL;
  if (!ann || !mask)
    return;
  GError *error = NULL;
  if (!scm_annotations_label_cells (ann, mask, gtk_editable_get_text (GTK_EDITABLE (self->label_entry)),
                                    scm_explore_state_get_selection_source (self->link.state), &error))
    {
      show_error (self, error->message);
      g_clear_error (&error);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->label_entry), "");
  show_status (self, _("Labelled the selected cells"));
}

static void
predictions_clicked (GtkButton *b, ScmAnnotatePage *self)
{
  ScmAnnotations *ann = annotations (self);
  g_autofree char *name = predictions_column (self);
  const ScmColumn *col = name ? scm_document_get_label_column (self->link.document, name) : NULL;
  if (!ann || !col || col->n != scm_annotations_get_n_cells (ann))
    return;
  char **labels = g_new0 (char *, col->n + 1);
  for (gint64 i = 0; i < col->n; i++)
    labels[i] = scm_column_value_string (col, i);
  GError *error = NULL;
  g_autofree char *src = g_strdup_printf (_("model predictions (%s)"), name);
  if (!scm_annotations_apply_predictions (ann, (const char *const *) labels, src, &error))
    {
      show_error (self, error->message);
      g_clear_error (&error);
    }
  for (gint64 i = 0; i < col->n; i++)
    g_free (labels[i]);
  g_free (labels);
}

static void
restart_clicked (GtkButton *b, ScmAnnotatePage *self)
{
  if (scm_explore_state_annotations_outdated (self->link.state) ||
      !scm_explore_state_annotations_restored (self->link.state))
    scm_explore_state_reset_annotations (self->link.state);
  else
    gtk_revealer_set_reveal_child (self->outdated_revealer, FALSE);
}

/* ---- exports ---- */

gboolean
scm_annotate_page_export_labels (ScmAnnotatePage *self, const char *path, GError **error)
{
  ScmAnnotations *ann = annotations (self);
  ScmDataset *ds = self->link.document ? scm_document_get_dataset (self->link.document) : NULL;
  if (!ann || !ds)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("There are no annotations to export"));
      return FALSE;
    }
  return scm_export_labels_csv (ann, ds->barcodes, path, error);
}

gboolean
scm_annotate_page_export_image (ScmAnnotatePage *self, const char *path, GError **error)
{
  g_autoptr (GObject) view = self->link.state ? scm_explore_state_get_main_view (self->link.state) : NULL;
  ScmImageFormat fmt;
  if (!view || !scm_scatter_view_get_model (SCM_SCATTER_VIEW (view)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("There is no view to export"));
      return FALSE;
    }
  if (!scm_export_image_format_from_path (path, &fmt))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("%s: use a .png, .svg or .pdf file name"), path);
      return FALSE;
    }
  ScmScatterView *v = SCM_SCATTER_VIEW (view);
  ScmScatterModel *m = scm_scatter_view_get_model (v);
  int w = MAX (400, gtk_widget_get_width (GTK_WIDGET (v))) + 190;
  int h = MAX (300, gtk_widget_get_height (GTK_WIDGET (v)));
  /* Points a little larger than on screen: exports are looked at smaller. */
  float r = scm_scatter_view_get_effective_radius (v, w - 190, h) * 1.2f;
  const char *title = g_object_get_data (G_OBJECT (m), "scm-what");
  return scm_export_scatter_image (m, scm_scatter_view_get_viewport (v), w, h, r, title, path, fmt,
                                   error);
}

typedef struct {
  ScmExportH5adInput in;
  ScmDataset     *ds;
  ScmMatrix      *rep;
  float          *umap;
  ScmUmapRecord  *umap_record;
  gint32         *clusters;
  ScmNeighborGraph *neighbors;   /* a ref: immutable */
  ScmNeighborsParams neighbors_params;
  ScmAnnotations *ann;      /* a private copy */
  char           *path;
} H5adJob;

static void
h5ad_job_free (gpointer p)
{
  H5adJob *j = p;
  g_clear_pointer (&j->ds, scm_dataset_unref);
  g_clear_pointer (&j->rep, scm_matrix_free);
  g_free (j->umap);
  g_free (j->umap_record);
  g_free (j->clusters);
  g_clear_pointer (&j->neighbors, scm_neighbor_graph_unref);
  g_clear_object (&j->ann);
  g_free (j->path);
  g_free (j);
}

static void
h5ad_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  H5adJob *j = data;
  GError *error = NULL;
  if (scm_export_h5ad (&j->in, j->path, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
scm_annotate_page_export_h5ad_async (ScmAnnotatePage *self, const char *path,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scm_annotate_page_export_h5ad_async);
  g_task_set_name (task, "[scmmae] export h5ad");
  ScmAnnotations *ann = annotations (self);
  ScmDataset *ds = self->link.document ? scm_document_get_dataset (self->link.document) : NULL;
  if (!ann || !ds)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _("There is nothing to export"));
      g_object_unref (task);
      return;
    }
  /* The worker gets copies: the user may keep annotating meanwhile. */
  H5adJob *j = g_new0 (H5adJob, 1);
  j->ds = scm_dataset_ref (ds);
  j->path = g_strdup (path);
  g_autofree char *json = scm_annotations_to_json (ann, NULL);
  j->ann = scm_annotations_new_from_json (json, -1, "annotations", NULL);
  const ScmMatrix *rep = scm_document_get_representation (self->link.document);
  if (rep && (j->rep = scm_matrix_new (rep->name, rep->n_rows, rep->n_cols, NULL)))
    memcpy (j->rep->data, rep->data, sizeof (float) * rep->n_rows * rep->n_cols);
  gint64 n = 0;
  guint k = 0;
  const float *umap = scm_document_get_umap (self->link.document, &n);
  if (umap)
    j->umap = g_memdup2 (umap, sizeof (float) * 2 * n);
  const ScmUmapRecord *rec = scm_document_get_umap_record (self->link.document);
  if (umap && rec)
    j->umap_record = g_memdup2 (rec, sizeof *rec);
  const gint32 *cl = scm_document_get_clusters (self->link.document, &n, &k, NULL);
  if (cl)
    j->clusters = g_memdup2 (cl, sizeof (gint32) * n);
  j->in = (ScmExportH5adInput) {
    .ds = j->ds, .representation = j->rep, .umap = j->umap, .umap_record = j->umap_record,
    .clusters = j->clusters,
    .n_clusters = k, .annotations = j->ann, .markers = TRUE,
  };
  ScmNeighborGraph *nb = scm_document_get_neighbors (self->link.document);
  if (nb)
    {
      j->neighbors = scm_neighbor_graph_ref (nb);
      j->neighbors_params = (ScmNeighborsParams) {
        .n_neighbors = nb->knn.k, .metric = nb->metric, .use_rep = nb->use_rep,
        .knn_method = nb->knn_method, .random_state = nb->random_state,
      };
      j->in.knn = &j->neighbors->knn;
      j->in.graph = &j->neighbors->graph;
      j->in.neighbors = &j->neighbors_params;
    }
  g_task_set_task_data (task, j, h5ad_job_free);
  g_task_run_in_thread (task, h5ad_thread);
  g_object_unref (task);
}

gboolean
scm_annotate_page_export_h5ad_finish (ScmAnnotatePage *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

static void
h5ad_done (GObject *source, GAsyncResult *res, gpointer data)
{
  ScmAnnotatePage *self = SCM_ANNOTATE_PAGE (source);
  GError *error = NULL;
  if (scm_annotate_page_export_h5ad_finish (self, res, &error))
    show_status (self, _("Annotated dataset exported"));
  else
    {
      show_error (self, error->message);
      g_clear_error (&error);
    }
}

typedef enum { EXPORT_LABELS, EXPORT_H5AD, EXPORT_IMAGE } ExportKind;

static void
chooser_response (GtkNativeDialog *dialog, int response, ScmAnnotatePage *self)
{
  ExportKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "scm-kind"));
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      GError *error = NULL;
      gboolean ok = TRUE;
      if (kind == EXPORT_LABELS)
        ok = scm_annotate_page_export_labels (self, path, &error);
      else if (kind == EXPORT_IMAGE)
        ok = scm_annotate_page_export_image (self, path, &error);
      else
        {
          show_status (self, _("Exporting…"));
          scm_annotate_page_export_h5ad_async (self, path, NULL, h5ad_done, NULL);
        }
      if (!ok)
        {
          show_error (self, error->message);
          g_clear_error (&error);
        }
      else if (kind != EXPORT_H5AD)
        show_status (self, _("Exported"));
    }
  g_object_unref (dialog);
}

static void
export_with_dialog (ScmAnnotatePage *self, ExportKind kind)
{
  static const char *titles[] = { N_("Export Labels"), N_("Export Annotated Dataset"), N_("Export View") };
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_(titles[kind]), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  const char *base = self->link.document ? scm_document_get_title (self->link.document) : "cells";
  g_autofree char *stem = g_strdup (base ? base : "cells");
  char *dot = strrchr (stem, '.');
  if (dot)
    *dot = '\0';
  const char *suffix = kind == EXPORT_LABELS ? "-labels.csv" : kind == EXPORT_H5AD ? "-annotated.h5ad" : "-umap.png";
  g_autofree char *name = g_strconcat (stem, suffix, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data (G_OBJECT (chooser), "scm-kind", GINT_TO_POINTER (kind));
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_activated (GtkWidget *w, const char *name, GVariant *p)
{
  ExportKind kind = g_str_equal (name, "annotate.export-labels") ? EXPORT_LABELS
                    : g_str_equal (name, "annotate.export-h5ad") ? EXPORT_H5AD : EXPORT_IMAGE;
  export_with_dialog (SCM_ANNOTATE_PAGE (w), kind);
}

/* ---- class ---- */

static void
scm_annotate_page_dispose (GObject *object)
{
  ScmAnnotatePage *self = SCM_ANNOTATE_PAGE (object);
  self->hint_gen++;   /* a hint task finishing later must not touch the widgets */
  scm_page_document_clear (&self->link);
  G_OBJECT_CLASS (scm_annotate_page_parent_class)->dispose (object);
}

static void
scm_annotate_page_finalize (GObject *object)
{
  ScmAnnotatePage *self = SCM_ANNOTATE_PAGE (object);
  g_hash_table_unref (self->ticked);
  g_strfreev (self->hints);
  g_free (self->hint_base);
  G_OBJECT_CLASS (scm_annotate_page_parent_class)->finalize (object);
}

static void
scm_annotate_page_class_init (ScmAnnotatePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = scm_annotate_page_dispose;
  object_class->finalize = scm_annotate_page_finalize;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/scmmae/Studio/ui/scm-annotate-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, ScmAnnotatePage, name)
  BIND (outer_stack);
  BIND (outdated_revealer);
  BIND (outdated_label);
  BIND (restart_button);
  BIND (undo_button);
  BIND (redo_button);
  BIND (merge_button);
  BIND (predictions_button);
  BIND (status_label);
  BIND (cluster_list);
  BIND (label_entry);
  BIND (label_button);
  BIND (log_list);
#undef BIND
  gtk_widget_class_install_action (widget_class, "annotate.undo", NULL, undo_activated);
  gtk_widget_class_install_action (widget_class, "annotate.redo", NULL, redo_activated);
  gtk_widget_class_install_action (widget_class, "annotate.export-labels", NULL, export_activated);
  gtk_widget_class_install_action (widget_class, "annotate.export-h5ad", NULL, export_activated);
  gtk_widget_class_install_action (widget_class, "annotate.export-image", NULL, export_activated);
}

static void
scm_annotate_page_init (ScmAnnotatePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->ticked = g_hash_table_new (NULL, NULL);
  g_signal_connect (self->merge_button, "clicked", G_CALLBACK (merge_clicked), self);
  g_signal_connect (self->label_button, "clicked", G_CALLBACK (label_clicked), self);
  g_signal_connect (self->label_entry, "activate", G_CALLBACK (label_clicked), self);
  g_signal_connect (self->predictions_button, "clicked", G_CALLBACK (predictions_clicked), self);
  g_signal_connect (self->restart_button, "clicked", G_CALLBACK (restart_clicked), self);
  /* Ctrl+Z / Ctrl+Shift+Z while the page is shown, wherever the focus is. */
  GtkEventController *sc = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (sc), GTK_SHORTCUT_SCOPE_MANAGED);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (sc),
    gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>z"),
                      gtk_named_action_new ("annotate.undo")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (sc),
    gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control><Shift>z"),
                      gtk_named_action_new ("annotate.redo")));
  gtk_widget_add_controller (GTK_WIDGET (self), sc);
  g_signal_connect (self, "map", G_CALLBACK (update_undo_actions), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (update_undo_actions), NULL);
  rebuild (self);
}

ScmAnnotatePage *
scm_annotate_page_new (void)
{
  return g_object_new (SCM_TYPE_ANNOTATE_PAGE, NULL);
}

void
scm_annotate_page_set_document (ScmAnnotatePage *self, ScmDocument *document)
{
  const ScmPageSignal signals[] = {
    { "annotations-changed", G_CALLBACK (annotations_changed), 0 },
    { "selection-changed", G_CALLBACK (selection_changed), 0 },
    { "features-changed", G_CALLBACK (rebuild), G_CONNECT_SWAPPED },
  };

  g_return_if_fail (SCM_IS_ANNOTATE_PAGE (self));
  if (!scm_page_document_set (&self->link, self, document, G_CALLBACK (document_changed),
                              signals, G_N_ELEMENTS (signals)))
    return;
  rebuild (self);
}

ScmAnnotations *scm_annotate_page_get_annotations (ScmAnnotatePage *self) { return annotations (self); }
guint scm_annotate_page_get_n_cluster_rows (ScmAnnotatePage *self) { return self->n_cluster_rows; }
guint scm_annotate_page_get_n_log_rows (ScmAnnotatePage *self) { return self->n_log_rows; }

gboolean
scm_annotate_page_rename_cluster (ScmAnnotatePage *self, gint32 cluster, const char *name)
{
  GtkWidget *entry = find_row_child (self, cluster, "scm-name-entry");
  if (!entry)
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  g_signal_emit_by_name (entry, "activate");
  return TRUE;
}

gboolean
scm_annotate_page_merge_clusters (ScmAnnotatePage *self, const gint32 *clusters, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *check = find_row_child (self, clusters[i], "scm-check");
      if (!check)
        return FALSE;
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
    }
  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->merge_button)))
    return FALSE;
  g_signal_emit_by_name (self->merge_button, "clicked");
  return TRUE;
}
