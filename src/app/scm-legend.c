/* scm-legend.c: categories as toggle rows (see header). */
#include "config.h"

#include <glib/gi18n.h>

#include "scm-legend.h"

struct _ScmLegend
{
  GtkWidget        parent_instance;
  GtkWidget       *scroller;
  GtkWidget       *box;
  GtkWidget       *title;
  ScmScatterModel *model;
  gulong           handler;
  char            *shown_key;   /* what the rows were built for */
  guint            n_rows;
  gboolean         updating;
};

G_DEFINE_FINAL_TYPE (ScmLegend, scm_legend, GTK_TYPE_WIDGET)

static void
swatch_draw (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  double r, g, b;
  scm_color_to_rgb (GPOINTER_TO_UINT (data), &r, &g, &b);
  cairo_arc (cr, w / 2.0, h / 2.0, MIN (w, h) / 2.0 - 1, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, r, g, b);
  cairo_fill (cr);
}

static void
row_toggled (GtkCheckButton *check, ScmLegend *self)
{
  if (self->updating || !self->model)
    return;
  guint cat = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "scm-cat"));
  scm_scatter_model_set_category_visible (self->model, cat, gtk_check_button_get_active (check));
}

static char *
key_for (ScmScatterModel *m)
{
  if (!m || scm_scatter_model_get_color_mode (m) != SCM_SCATTER_COLOR_CATEGORICAL)
    return NULL;
  GString *s = g_string_new (scm_scatter_model_get_title (m));
  for (guint c = 0; c < scm_scatter_model_get_n_categories (m); c++)
    g_string_append_printf (s, "\x1f%s:%" G_GINT64_FORMAT, scm_scatter_model_get_category_name (m, c),
                            scm_scatter_model_get_category_count (m, c));
  return g_string_free (s, FALSE);
}

static void
rebuild (ScmLegend *self)
{
  g_autofree char *key = key_for (self->model);
  if (g_strcmp0 (key, self->shown_key) == 0)
    {
      /* Same categories: only sync the ticks (hidden from another view). */
      self->updating = TRUE;
      for (GtkWidget *c = gtk_widget_get_first_child (self->box); c; c = gtk_widget_get_next_sibling (c))
        if (GTK_IS_CHECK_BUTTON (c))
          {
            guint cat = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (c), "scm-cat"));
            gtk_check_button_set_active (GTK_CHECK_BUTTON (c),
                                         scm_scatter_model_get_category_visible (self->model, cat));
          }
      self->updating = FALSE;
      return;
    }
  g_free (self->shown_key);
  self->shown_key = g_steal_pointer (&key);
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (self->box)))
    gtk_box_remove (GTK_BOX (self->box), child);
  self->n_rows = 0;
  gboolean cat = self->shown_key != NULL;
  gtk_widget_set_visible (GTK_WIDGET (self), cat);
  if (!cat)
    return;
  gtk_label_set_text (GTK_LABEL (self->title), scm_scatter_model_get_title (self->model));
  self->updating = TRUE;
  guint n = scm_scatter_model_get_n_categories (self->model);
  for (guint c = 0; c < n && c < 400; c++)
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *sw = gtk_drawing_area_new ();
      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (sw), 12);
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (sw), 12);
      gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (sw), swatch_draw,
                                      GUINT_TO_POINTER (scm_scatter_model_get_category_color (self->model, c)),
                                      NULL);
      g_autofree char *text = g_strdup_printf ("%s", scm_scatter_model_get_category_name (self->model, c));
      GtkWidget *label = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (label, TRUE);
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                scm_scatter_model_get_category_count (self->model, c));
      GtkWidget *cl = gtk_label_new (count);
      gtk_widget_add_css_class (cl, "dim-label");
      gtk_widget_add_css_class (cl, "numeric");
      gtk_box_append (GTK_BOX (row), sw);
      gtk_box_append (GTK_BOX (row), label);
      gtk_box_append (GTK_BOX (row), cl);
      GtkWidget *check = gtk_check_button_new ();
      gtk_check_button_set_child (GTK_CHECK_BUTTON (check), row);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   scm_scatter_model_get_category_visible (self->model, c));
      gtk_widget_set_tooltip_text (check, _("Show or hide these cells"));
      g_object_set_data (G_OBJECT (check), "scm-cat", GUINT_TO_POINTER (c));
      g_signal_connect (check, "toggled", G_CALLBACK (row_toggled), self);
      gtk_box_append (GTK_BOX (self->box), check);
      self->n_rows++;
    }
  self->updating = FALSE;
}

static void
model_changed (ScmScatterModel *m, ScmLegend *self)
{
  rebuild (self);
}

static void
scm_legend_dispose (GObject *object)
{
  ScmLegend *self = SCM_LEGEND (object);
  scm_legend_set_model (self, NULL);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  G_OBJECT_CLASS (scm_legend_parent_class)->dispose (object);
}

static void
scm_legend_finalize (GObject *object)
{
  g_free (SCM_LEGEND (object)->shown_key);
  G_OBJECT_CLASS (scm_legend_parent_class)->finalize (object);
}

static void
scm_legend_class_init (ScmLegendClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = scm_legend_dispose;
  G_OBJECT_CLASS (klass)->finalize = scm_legend_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "legend");
}

static void
scm_legend_init (ScmLegend *self)
{
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->title), 0);
  gtk_widget_add_css_class (self->title, "heading");
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (outer), self->title);
  gtk_box_append (GTK_BOX (outer), self->box);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), outer);
  gtk_widget_set_size_request (self->scroller, 200, -1);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

ScmLegend *
scm_legend_new (void)
{
  return g_object_new (SCM_TYPE_LEGEND, NULL);
}

void
scm_legend_set_model (ScmLegend *self, ScmScatterModel *model)
{
  if (self->model)
    {
      g_clear_signal_handler (&self->handler, self->model);
      g_clear_object (&self->model);
    }
  if (model)
    {
      self->model = g_object_ref (model);
      self->handler = g_signal_connect (model, "changed", G_CALLBACK (model_changed), self);
    }
  if (self->box)
    rebuild (self);
}

guint scm_legend_get_n_rows (ScmLegend *self) { return self->n_rows; }

double
scm_legend_draw (ScmScatterModel *m, cairo_t *cr, double x, double y, double max_height)
{
  if (scm_scatter_model_get_color_mode (m) != SCM_SCATTER_COLOR_CATEGORICAL)
    return 0;
  double yy = y;
  cairo_save (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, 12);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_move_to (cr, x, yy + 12);
  cairo_show_text (cr, scm_scatter_model_get_title (m) ? scm_scatter_model_get_title (m) : "");
  yy += 20;
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 11);
  for (guint c = 0; c < scm_scatter_model_get_n_categories (m) && yy + 16 < y + max_height; c++)
    {
      if (!scm_scatter_model_get_category_visible (m, c))
        continue;
      double r, g, b;
      scm_color_to_rgb (scm_scatter_model_get_category_color (m, c), &r, &g, &b);
      cairo_set_source_rgb (cr, r, g, b);
      cairo_arc (cr, x + 5, yy + 6, 5, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      cairo_move_to (cr, x + 16, yy + 10);
      cairo_show_text (cr, scm_scatter_model_get_category_name (m, c));
      yy += 16;
    }
  cairo_restore (cr);
  return yy - y;
}
