/* scm-explore-page.h: the Explore page: the embedding coloured by clusters,
 * labels, genes or proteins; a grid of marker plots; protein gating. */
#pragma once

#include <adwaita.h>

#include "scm-document.h"
#include "scm-scatter-view.h"

G_BEGIN_DECLS

#define SCM_TYPE_EXPLORE_PAGE (scm_explore_page_get_type ())
G_DECLARE_FINAL_TYPE (ScmExplorePage, scm_explore_page, SCM, EXPLORE_PAGE, AdwBin)

ScmExplorePage  *scm_explore_page_new          (void);
void             scm_explore_page_set_document (ScmExplorePage *self, ScmDocument *document);

/* Colours the embedding by a label column ("leiden", "cell_type") or a
 * feature ("CD8A", "CD8a (protein)").  FALSE when there is no such thing
 * (or expression values are still being computed). */
gboolean         scm_explore_page_color_by     (ScmExplorePage *self, const char *key);
/* "embedding", "grid" or "gating". */
void             scm_explore_page_show_view    (ScmExplorePage *self, const char *name);
/* Biaxial plot axes (features); FALSE if either is unknown. */
gboolean         scm_explore_page_set_gate_features (ScmExplorePage *self, const char *x,
                                                     const char *y);
/* Re-runs Leiden at this resolution in the background. */
void             scm_explore_page_recluster    (ScmExplorePage *self, double resolution);
gboolean         scm_explore_page_is_busy      (ScmExplorePage *self);

ScmScatterModel *scm_explore_page_get_model      (ScmExplorePage *self);
ScmScatterView  *scm_explore_page_get_view       (ScmExplorePage *self);
ScmScatterView  *scm_explore_page_get_gate_view  (ScmExplorePage *self);
guint            scm_explore_page_get_n_grid_tiles (ScmExplorePage *self);

G_END_DECLS
