/* scm-scatter-index.h: uniform grid over 2-D points for nearest-point lookup.
 *
 * Hover tooltips ask "which point is under the pointer" at pointer-motion
 * rate; a linear scan of a million points per event is too slow, so points
 * are bucketed once per data change (counting sort into ~2 points per cell)
 * and a query scans the cells within the search radius only.  No GTK.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ScmScatterIndex ScmScatterIndex;

/* Indexes points i with visible == NULL or visible[i] != 0 (non-finite
 * points are skipped).  xy (n, 2) is copied.  NULL on allocation failure. */
ScmScatterIndex *scm_scatter_index_new     (const float *xy, gint64 n, const guint8 *visible);
void             scm_scatter_index_free    (ScmScatterIndex *idx);
/* Nearest indexed point to (x, y) within max_dist (data units), or -1. */
gint64           scm_scatter_index_nearest (const ScmScatterIndex *idx, float x, float y,
                                            float max_dist);
/* Reference: linear scan (tests compare the two). */
gint64           scm_scatter_nearest_naive (const float *xy, gint64 n, const guint8 *visible,
                                            float x, float y, float max_dist);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmScatterIndex, scm_scatter_index_free)

G_END_DECLS
