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
/* Async calls: pass ui_store_result as the callback and a NULL-initialised
 * GAsyncResult* slot as its data, then wait for the slot to fill (unref it). */
void         ui_store_result      (GObject *source, GAsyncResult *result, gpointer slot);
gboolean     ui_wait_result       (GAsyncResult **slot, double seconds);
/* How many labels on screen (drawable) below root contain needle. */
guint        ui_count_labels      (GtkWidget *root, const char *needle);
