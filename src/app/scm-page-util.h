/* scm-page-util.h: small pieces of glue that several pages and widgets share.
 *
 * Following a document: the Explore, Markers and Annotate pages all watch
 * the document and its ScmExploreState and must let go of both cleanly
 * (the document can be finalized before a page, or replaced).
 *
 * Toasts go to the nearest AdwToastOverlay above a widget, so a page can
 * report an error without knowing the window class (tests that put a page
 * in a bare window simply get no toast).
 */
#pragma once

#include <adwaita.h>

#include "scm-document.h"
#include "scm-explore-state.h"

G_BEGIN_DECLS

#define SCM_PAGE_MAX_SIGNALS 7

/* Shows message in the nearest toast overlay above widget; returns FALSE
 * (and shows nothing) when there is none. */
gboolean scm_page_add_toast (GtkWidget *widget, const char *message);

/* What a page keeps to follow a document and the ScmExploreState shared by
 * the pages: the document, its state and the handler ids to disconnect.
 * The document is watched weakly: if it is finalized first, document and
 * state both read NULL from then on.  The Explore, Markers and Annotate pages
 * embed one; scm_page_document_set/clear are their set_document/dispose. */
typedef struct {
  ScmDocument     *document;
  ScmExploreState *state;
  gulong           handlers[SCM_PAGE_MAX_SIGNALS + 1];  /* [0]: the document's "changed" */
  guint            n_handlers;
} ScmPageDocument;

/* One signal of the state to follow; flags as for g_signal_connect_data
 * (G_CONNECT_SWAPPED for a callback taking the page first). */
typedef struct {
  const char    *name;
  GCallback      callback;
  GConnectFlags  flags;
} ScmPageSignal;

/* Disconnects from the previous document, then follows document: its
 * "changed" goes to document_changed and each of the n state signals to
 * its callback, all with page as data.  FALSE (nothing done) when document
 * is already the one followed; TRUE otherwise, also for NULL. */
gboolean scm_page_document_set   (ScmPageDocument *pd, gpointer page, ScmDocument *document,
                                  GCallback document_changed, const ScmPageSignal *signals,
                                  guint n_signals);
/* Disconnects everything and forgets the document. */
void     scm_page_document_clear (ScmPageDocument *pd);


/* A widget drawing a model (charts): replaces *slot by model (references
 * it), moving the "changed" handler, changed (swapped: called with the
 * widget), from the old model to the new, and queues a redraw.  FALSE when
 * model is already the one in *slot. */
gboolean scm_widget_set_model    (GtkWidget *widget, gpointer slot, gpointer model, GCallback changed);

G_END_DECLS
