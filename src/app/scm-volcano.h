/* scm-volcano.h: volcano plot of one comparison (log2 fold change against
 * -log10 adjusted p), drawn with cairo; no GTK.  Genes passing both
 * thresholds are red (up) or blue (down); the strongest few are named. */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64             n;
  const double      *logfc;     /* (n) */
  const double      *padj;      /* (n) */
  const char *const *names;     /* (n) */
  const char        *title;
  double             fc_threshold;   /* |log2 FC| >= this (default 1) */
  double             p_threshold;    /* padj < this (default 0.05) */
  int                n_labels;       /* genes named (default 10) */
} ScmVolcanoData;

/* -log10(p) with p = 0 shown at the top of the axis instead of infinity. */
double scm_volcano_y (double padj, double y_cap);
void   scm_volcano_draw (cairo_t *cr, double width, double height, const ScmVolcanoData *d);

G_END_DECLS
