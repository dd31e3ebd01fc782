/* test-ui-explore-common.h: fixture for the Explore/Markers/Annotate UI
 * tests: pbmc10k (CITE-seq, 6855 cells) analysed once (PCA, Leiden, UMAP)
 * and cached in the build directory, a document holding it, main-loop
 * waiting and screenshots into <builddir>/ui-screens/. */
#pragma once

#include <adwaita.h>

#include "scm-document.h"

ScmDataset  *ui_fixture_dataset   (void);   /* NULL + g_test_skip when the data is absent */
ScmDocument *ui_fixture_document  (ScmDataset *ds);
gboolean     ui_wait_until        (gboolean (*cond) (gpointer), gpointer data, double seconds);
void         ui_spin              (double seconds);
char        *ui_screenshot        (GtkWidget *widget, const char *name);
GtkWindow   *ui_window_with       (GtkWidget *child, int width, int height);
/* Destroys the window and asserts it (and so its pages) is finalized. */
void         ui_close_window      (GtkWindow *window);
