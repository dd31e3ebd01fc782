/* scm-dotplot.h: marker dot plot (groups x genes), drawn with cairo.
 *
 * Each dot: size = fraction of the group's cells expressing the gene,
 * colour = the group's mean expression scaled to [0, 1] per gene (as
 * scanpy's standard_scale='var'), so a column reads "where is this gene
 * highest".  Plain data + a plain draw function: no GTK.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint        n_groups;
  guint        n_genes;
  const char *const *groups;   /* (n_groups) row labels */
  const char *const *genes;    /* (n_genes) column labels */
  const double *mean;          /* (n_groups, n_genes) mean expression */
  const double *frac;          /* (n_groups, n_genes) fraction > 0, in [0, 1] */
} ScmDotplotData;

void scm_dotplot_draw (cairo_t *cr, double width, double height, const ScmDotplotData *d);

G_END_DECLS
