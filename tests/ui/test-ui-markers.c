/* test-ui-markers.c: the Markers page on pbmc10k under a display: markers
 * of the curated cell types must be the textbook ones (B: MS4A1/CD79A...,
 * monocytes: S100A8/LYZ..., proteins: CD19 on B, CD8a on CD8 T), the table
 * sorts, selections compare against the rest and against each other, and
 * activating a gene colours the embedding by it. */
#include "config.h"

#include <math.h>

#include "scm-explore-page.h"
#include "scm-explore-state.h"
#include "scm-markers-page.h"
#include "scm-markers-row.h"
#include "test-ui-explore-common.h"

static gboolean
idle_page (gpointer page)
{
  return !scm_markers_page_is_busy (page);
}

static gboolean
features_ready (gpointer state)
{
  return scm_explore_state_get_features (state) != NULL;
}

static gboolean
in_list (const char *gene, const char *const *list)
{
  for (guint i = 0; list[i]; i++)
    if (g_strcmp0 (gene, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static guint8 *
mask_of (ScmDataset *ds, const char *cell_type)
{
  const ScmColumn *ct = scm_dataset_get_obs (ds, "cell_type");
  guint8 *m = g_new0 (guint8, ds->n_cells);
  for (gint64 i = 0; i < ds->n_cells; i++)
    {
      g_autofree char *l = scm_column_value_string (ct, i);
      m[i] = g_strcmp0 (l, cell_type) == 0;
    }
  return m;
}

static void
test_markers (void)
{
  g_autoptr (ScmDataset) ds = ui_fixture_dataset ();
  if (!ds)
    return;
  ScmDocument *doc = ui_fixture_document (ds);
  GtkWidget *stack = gtk_stack_new ();
  ScmExplorePage *explore = scm_explore_page_new ();
  ScmMarkersPage *page = scm_markers_page_new ();
  gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (explore), "explore");
  gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (page), "markers");
  GtkWindow *win = ui_window_with (stack, 1400, 900);
  scm_explore_page_set_document (explore, doc);
  scm_markers_page_set_document (page, doc);
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "markers");
  ScmExploreState *state = scm_explore_state_get (doc);
  g_assert_true (ui_wait_until (features_ready, state, 60));
  g_assert_true (ui_wait_until (idle_page, page, 120));

  /* Genes of the curated cell types. */
  scm_markers_page_configure (page, FALSE, "cell_type", SCM_MARKERS_EACH_VS_REST);
  g_assert_true (ui_wait_until (idle_page, page, 120));
  const char *b_top = scm_markers_page_top_gene (page, "B cells");
  const char *mono_top = scm_markers_page_top_gene (page, "CD14+ monocytes");
  const char *nk_top = scm_markers_page_top_gene (page, "NK cells");
  g_test_message ("top genes: B %s, CD14 mono %s, NK %s", b_top, mono_top, nk_top);
  static const char *const b_genes[] = { "MS4A1", "CD79A", "CD79B", "IGHM", "CD74", "BANK1", "IGHD",
                                         "HLA-DQA1", "TCL1A", "CD19", NULL };
  static const char *const mono_genes[] = { "S100A8", "S100A9", "LYZ", "CD14", "FCN1", "VCAN",
                                            "S100A12", "CST3", "TYROBP", "FTL", NULL };
  static const char *const nk_genes[] = { "NKG7", "GNLY", "GZMB", "PRF1", "KLRD1", "GZMA", "CST7",
                                          "CCL5", "KLRF1", "FGFBP2", NULL };
  g_assert_true (in_list (b_top, b_genes));
  g_assert_true (in_list (mono_top, mono_genes));
  g_assert_true (in_list (nk_top, nk_genes));
  GListModel *rows = scm_markers_page_get_rows (page);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 8 * 25);
  ui_spin (0.5);
  g_free (ui_screenshot (GTK_WIDGET (win), "markers-cell-type"));

  /* Sorting by log2 FC, descending. */
  scm_markers_page_sort_by_column (page, 2, GTK_SORT_DESCENDING);
  g_autoptr (ScmMarkersRow) r0 = g_list_model_get_item (rows, 0);
  g_autoptr (ScmMarkersRow) r1 = g_list_model_get_item (rows, 1);
  g_autoptr (ScmMarkersRow) rl = g_list_model_get_item (rows, g_list_model_get_n_items (rows) - 1);
  g_assert_cmpfloat (scm_markers_row_get_logfc (r0), >=, scm_markers_row_get_logfc (r1));
  g_assert_cmpfloat (scm_markers_row_get_logfc (r1), >=, scm_markers_row_get_logfc (rl));

  /* Activating a row colours the embedding by that gene. */
  scm_markers_page_activate_row (page, 0);
  ScmScatterModel *m = scm_explore_page_get_model (explore);
  g_assert_cmpint (scm_scatter_model_get_color_mode (m), ==, SCM_SCATTER_COLOR_CONTINUOUS);
  g_assert_cmpstr (scm_scatter_model_get_title (m), ==, scm_markers_row_get_color_key (r0));

  /* Proteins: CD19 on B cells, CD8a on CD8 T, CD14 on CD14 monocytes. */
  scm_markers_page_configure (page, TRUE, "cell_type", SCM_MARKERS_EACH_VS_REST);
  g_assert_true (ui_wait_until (idle_page, page, 120));
  g_test_message ("top proteins: B %s, CD8 T %s, CD14 mono %s",
                  scm_markers_page_top_gene (page, "B cells"),
                  scm_markers_page_top_gene (page, "CD8+ T cells"),
                  scm_markers_page_top_gene (page, "CD14+ monocytes"));
  g_assert_cmpstr (scm_markers_page_top_gene (page, "B cells"), ==, "CD19");
  g_assert_cmpstr (scm_markers_page_top_gene (page, "CD8+ T cells"), ==, "CD8a");
  g_assert_cmpstr (scm_markers_page_top_gene (page, "CD14+ monocytes"), ==, "CD14");
  ui_spin (0.5);
  g_free (ui_screenshot (GTK_WIDGET (win), "markers-proteins"));

  /* Selection (B cells) vs the rest, then NK vs remembered CD8 T. */
  g_autofree guint8 *bmask = mask_of (ds, "B cells");
  scm_explore_state_set_selection (state, bmask, NULL);
  scm_markers_page_configure (page, FALSE, NULL, SCM_MARKERS_SELECTION_VS_REST);
  g_assert_true (ui_wait_until (idle_page, page, 120));
  const char *sel_top = scm_markers_page_top_gene (page, "selection");
  g_test_message ("selection (B cells) vs rest: %s", sel_top);
  g_assert_true (in_list (sel_top, b_genes));
  g_autofree guint8 *cd8 = mask_of (ds, "CD8+ T cells");
  scm_explore_state_set_selection (state, cd8, NULL);
  scm_markers_page_remember_selection (page);
  g_autofree guint8 *nk = mask_of (ds, "NK cells");
  scm_explore_state_set_selection (state, nk, NULL);
  scm_markers_page_configure (page, FALSE, NULL, SCM_MARKERS_SELECTION_VS_REMEMBERED);
  g_assert_true (ui_wait_until (idle_page, page, 120));
  const char *nk_vs_cd8 = scm_markers_page_top_gene (page, "selection");
  g_test_message ("NK vs remembered CD8 T: %s", nk_vs_cd8);
  static const char *const nk_not_t[] = { "GNLY", "FCER1G", "TYROBP", "KLRF1", "SPON2", "FGFBP2",
                                          "PRF1", "NKG7", "GZMB", "CD247", "KLRD1", "AKR1C3",
                                          "MYOM2", "SH2D1B", "CLIC3", "CD160", NULL };
  g_assert_true (in_list (nk_vs_cd8, nk_not_t));
  ui_spin (0.5);
  g_free (ui_screenshot (GTK_WIDGET (win), "markers-selection"));

  ui_close_window (win);
  g_assert_finalize_object (doc);
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = g_dir_make_tmp ("scm-ui-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_test_add_func ("/ui/markers/cell-types-proteins-selections", test_markers);
  return g_test_run ();
}
