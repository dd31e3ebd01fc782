/* test-ui-input.c: real pointer and keyboard input under Xvfb (through
 * XTest, ui-xtest.h): the hover tooltip of the embedding names the cell
 * under the pointer with its cluster, label and colour value; Ctrl+Z and
 * Ctrl+Shift+Z undo and redo on the Annotate page; Escape clears a lasso
 * selection on the Explore page, and only while that page is shown. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "scm-annotate-page.h"
#include "scm-explore-page.h"
#include "scm-explore-state.h"
#include "test-ui-explore-common.h"
#include "ui-xtest.h"

static gboolean
features_ready (gpointer state)
{
  return scm_explore_state_get_features (state) != NULL;
}

/* A cell at least min_gap pixels from every other one, well inside the
 * view, so that hovering its (rounded) pixel can only mean that cell. */
static gint64
isolated_cell (ScmScatterView *view, gint64 n, double min_gap)
{
  int w = gtk_widget_get_width (GTK_WIDGET (view)), h = gtk_widget_get_height (GTK_WIDGET (view));
  g_autofree double *px = g_new (double, 2 * n);
  for (gint64 i = 0; i < n; i++)
    if (!scm_scatter_view_get_point_position (view, i, &px[2 * i], &px[2 * i + 1]))
      px[2 * i] = px[2 * i + 1] = NAN;
  for (gint64 i = 0; i < n; i++)
    {
      if (!(px[2 * i] > 40 && px[2 * i] < w - 40 && px[2 * i + 1] > 40 && px[2 * i + 1] < h - 40))
        continue;
      gboolean alone = TRUE;
      for (gint64 j = 0; j < n && alone; j++)
        alone = j == i || hypot (px[2 * j] - px[2 * i], px[2 * j + 1] - px[2 * i + 1]) >= min_gap;
      if (alone)
        return i;
    }
  return -1;
}

typedef struct {
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *w = data;
  return ui_count_labels (w->root, w->text) > 0;
}

/* The analysed pbmc10k, or NULL (test skipped) without the data or XTest. */
static ScmDataset *
input_fixture (void)
{
  if (!ui_xtest_available ())
    {
      g_test_skip ("needs an X11 display with XTest");
      return NULL;
    }
  return ui_fixture_dataset ();
}

static void
test_tooltip (void)
{
  g_autoptr (ScmDataset) ds = input_fixture ();
  if (!ds)
    return;
  ScmDocument *doc = ui_fixture_document (ds);
  ScmExplorePage *page = scm_explore_page_new ();
  GtkWindow *win = ui_window_with (GTK_WIDGET (page), 1200, 800);
  scm_explore_page_set_document (page, doc);
  ScmExploreState *state = scm_explore_state_get (doc);
  g_assert_true (ui_wait_until (features_ready, state, 60));
  g_assert_true (scm_explore_page_color_by (page, "CD8A"));
  ui_spin (0.5);

  ScmScatterView *view = scm_explore_page_get_view (page);
  ScmScatterModel *model = scm_explore_page_get_model (page);
  gint64 i = isolated_cell (view, ds->n_cells, 5.0);
  g_assert_cmpint (i, >=, 0);
  double x, y;
  g_assert_true (scm_scatter_view_get_point_position (view, i, &x, &y));

  /* The text: barcode, Leiden cluster, annotation label, and the value the
   * cells are coloured by, all for this cell. */
  const ScmColumn *leiden = scm_document_get_label_column (doc, "leiden");
  ScmAnnotations *ann = scm_explore_state_get_annotations (state);
  g_assert_nonnull (ann);
  g_autofree char *cluster = scm_column_value_string (leiden, i);
  g_autofree char *plain = g_strdup_printf ("%s\nCluster %s\nLabel %s\nCD8A %.3g", ds->barcodes[i], cluster,
                                            scm_annotations_get_label (ann, i),
                                            scm_scatter_model_get_point_value (model, i));
  g_autofree char *markup = scm_scatter_view_get_tooltip_markup (view, x, y);
  g_autofree char *expected = g_strdup_printf ("<b>%s</b>%s", ds->barcodes[i], strchr (plain, '\n'));
  g_assert_cmpstr (markup, ==, expected);
  /* Away from every cell (the corner margin) there is no tooltip. */
  g_assert_null (scm_scatter_view_get_tooltip_markup (view, 1, 1));

  /* A real hover: GTK asks the view and shows the same text. */
  ui_xtest_focus (win);
  ui_xtest_move_pointer (GTK_WIDGET (view), 5, 5);
  ui_xtest_move_pointer (GTK_WIDGET (view), round (x), round (y));
  LabelWait wait = { GTK_WIDGET (win), plain };
  g_assert_true (ui_wait_until (label_shown, &wait, 10));
  g_free (ui_screenshot (GTK_WIDGET (win), "input-tooltip"));

  ui_close_window (win);
  g_assert_finalize_object (doc);
}

static gint64
n_selected (ScmExploreState *state)
{
  gint64 n = 0;
  scm_explore_state_get_selection (state, &n);
  return n;
}

/* Key events are handled when the main loop gets to them: wait for the
 * effect (bounded) rather than for a fixed time. */
typedef struct {
  ScmAnnotations *ann;
  guint           applied;
} AppliedWait;

static gboolean
applied_is (gpointer data)
{
  AppliedWait *w = data;
  return scm_annotations_get_n_applied (w->ann) == w->applied;
}

static gboolean
nothing_selected (gpointer state)
{
  return n_selected (state) == 0;
}

static void
test_keys (void)
{
  g_autoptr (ScmDataset) ds = input_fixture ();
  if (!ds)
    return;
  ScmDocument *doc = ui_fixture_document (ds);
  GtkWidget *stack = gtk_stack_new ();
  ScmExplorePage *explore = scm_explore_page_new ();
  ScmAnnotatePage *annotate = scm_annotate_page_new ();
  gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (explore), "explore");
  gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (annotate), "annotate");
  GtkWindow *win = ui_window_with (stack, 1200, 800);
  scm_explore_page_set_document (explore, doc);
  scm_annotate_page_set_document (annotate, doc);
  ScmExploreState *state = scm_explore_state_get (doc);
  g_assert_true (ui_wait_until (features_ready, state, 60));

  /* Annotate: rename, then Ctrl+Z / Ctrl+Shift+Z from the keyboard.  The
   * focus is on no text field, where Ctrl+Z would undo typing instead. */
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "annotate");
  ui_spin (0.5);
  ScmAnnotations *ann = scm_annotate_page_get_annotations (annotate);
  g_autofree char *before = g_strdup (scm_annotations_get_label (ann, 0));
  gint32 c0 = scm_annotations_get_cluster (ann, 0);
  g_assert_true (scm_annotate_page_rename_cluster (annotate, c0, "Renamed by the test"));
  g_assert_cmpstr (scm_annotations_get_label (ann, 0), ==, "Renamed by the test");
  gtk_window_set_focus (win, NULL);
  ui_xtest_key (win, GDK_KEY_z, GDK_CONTROL_MASK);
  AppliedWait undone = { ann, 0 }, redone = { ann, 1 };
  g_assert_true (ui_wait_until (applied_is, &undone, 5));
  g_assert_cmpstr (scm_annotations_get_label (ann, 0), ==, before);
  ui_xtest_key (win, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_true (ui_wait_until (applied_is, &redone, 5));
  g_assert_cmpstr (scm_annotations_get_label (ann, 0), ==, "Renamed by the test");

  /* Explore: a lasso around the middle of the embedding, then Escape. */
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "explore");
  ui_spin (0.5);
  ScmScatterView *view = scm_explore_page_get_view (explore);
  const float *xy = scm_scatter_model_get_positions (scm_explore_page_get_model (explore));
  float cx = xy[0], cy = xy[1];
  const float poly[] = { cx - 2, cy - 2, cx + 2, cy - 2, cx + 2, cy + 2, cx - 2, cy + 2 };
  scm_scatter_view_apply_lasso (view, poly, 4);
  gint64 n_lasso = n_selected (state);
  g_assert_cmpint (n_lasso, >, 0);
  ui_spin (0.2);
  g_free (ui_screenshot (GTK_WIDGET (win), "input-lasso"));

  /* Escape belongs to the Explore page only while it is shown. */
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "annotate");
  ui_spin (0.3);
  gtk_window_set_focus (win, NULL);
  ui_xtest_key (win, GDK_KEY_Escape, 0);
  ui_spin (1.0);   /* time for a wrongly taken key to act */
  g_assert_cmpint (n_selected (state), ==, n_lasso);

  gtk_stack_set_visible_child_name (GTK_STACK (stack), "explore");
  ui_spin (0.3);
  gtk_window_set_focus (win, NULL);
  ui_xtest_key (win, GDK_KEY_Escape, 0);
  g_assert_true (ui_wait_until (nothing_selected, state, 5));
  ui_spin (0.2);
  g_free (ui_screenshot (GTK_WIDGET (win), "input-escape"));

  ui_close_window (win);
  g_assert_finalize_object (doc);
}

int
main (int argc, char **argv)
{
  /* Sessions of this test stay out of the user's data. */
  g_autofree char *data_home = g_dir_make_tmp ("scm-ui-input-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_test_add_func ("/ui/input/tooltip", test_tooltip);
  g_test_add_func ("/ui/input/keys", test_keys);
  return g_test_run ();
}
