/* scm-hvg.h: highly variable gene selection, two scanpy flavours.
 *
 * SCM_HVG_SEURAT_V3 (scanpy flavor="seurat_v3", Stuart et al. 2019), on raw
 * counts: gene mean and variance (ddof=1); LOESS of log10 variance on
 * log10 mean over the non-constant genes (span 0.3, degree 2, skmisc's
 * default interpolated surface, see scm-loess.h); each count
 * clipped at mean + sqrt(N) * sqrt(10^fit); variance of the clipped
 * standardised values; the n_top largest are selected.  rank[g] is
 * scanpy's highly_variable_rank (0 = most variable); ties are broken by gene
 * index (scanpy's argsort is not stable, so its tie order is arbitrary).
 *
 * SCM_HVG_SEURAT (flavor="seurat"), on log-normalised data: mean and
 * variance of expm1(X), dispersion = var / mean, log dispersion, log1p
 * mean; 20 equal-width mean bins as pandas.cut makes them; dispersion
 * z-scored within each bin (a bin holding one gene scores 1).  With n_top
 * > 0 every gene whose normalised dispersion reaches the n_top-th largest
 * is selected (so ties can select a few more, as in scanpy); otherwise the
 * cutoffs min_mean 0.0125, max_mean 3, min_disp 0.5 apply.
 */
#pragma once

#include "scm-dataset.h"

G_BEGIN_DECLS

typedef enum {
  SCM_HVG_SEURAT_V3,
  SCM_HVG_SEURAT,
} ScmHvgFlavor;

typedef struct {
  ScmHvgFlavor flavor;
  gint64  n_top;          /* genes to select; seurat flavour: 0 = use the cutoffs */
  double  span;           /* seurat_v3 loess span (0.3) */
  int     n_bins;         /* seurat bins (20) */
  double  min_mean, max_mean, min_disp, max_disp;   /* seurat cutoffs */
} ScmHvgOptions;

/* seurat_v3, n_top 4000, span 0.3, 20 bins, scanpy's cutoffs. */
void scm_hvg_options_init (ScmHvgOptions *o);
/* "seurat_v3" / "seurat"; FALSE if unknown. */
gboolean     scm_hvg_flavor_parse (const char *s, ScmHvgFlavor *out);
const char  *scm_hvg_flavor_name  (ScmHvgFlavor f);

typedef struct {
  gint64  n_genes;
  double *means;            /* seurat_v3: mean count; seurat: log1p(mean of expm1(X)) */
  double *variances;        /* seurat_v3: count variance (ddof=1); seurat: NULL */
  double *variances_norm;   /* seurat_v3 only */
  double *dispersions;      /* seurat only: log dispersion (NaN when 0) */
  double *dispersions_norm; /* seurat only */
  gint32 *rank;             /* (n_genes) 0-based rank among selected, -1 if not selected */
  guint8 *highly_variable;  /* (n_genes) */
  gint64  n_selected;
} ScmHvgResult;

void     scm_hvg_result_clear (ScmHvgResult *r);

/* X: cells x genes, counts for seurat_v3, log1p-normalised for seurat. */
gboolean scm_hvg_select (const ScmCsr *X, const ScmHvgOptions *o, ScmHvgResult *res,
                         GError **error);

/* Selected gene indices in ascending gene order (n_selected of them). */
gint32  *scm_hvg_selected_indices (const ScmHvgResult *r);

/* Column mean and variance (ddof=1) of a CSR matrix, optionally of
 * expm1(values); double accumulation.  Exposed for tests. */
void     scm_csr_column_mean_var (const ScmCsr *X, gboolean expm1_values, double *mean,
                                  double *var);

G_END_DECLS
