/* scm-normalize.h: per-cell normalisation, protein CLR and gene scaling.
 *
 * The definitions follow scanpy and muon so that our numbers can be checked
 * against them value by value:
 *  - scm_normalize_log1p: pp.normalize_total(target_sum=1e4) then pp.log1p,
 *    y = log1p(x * target / sum_of_row); rows summing to 0 stay 0.
 *  - scm_clr: muon pp.clr (axis=0, per protein across cells),
 *    y = log1p(x / exp(sum_cells(log1p(x)) / n_cells)).
 *  - scm_scale: pp.scale(zero_center=True, max_value=10): subtract the gene
 *    mean, divide by the sample standard deviation (ddof=1, 0 -> 1), clip
 *    above max_value (scanpy clips only the upper side).
 * Outputs are float32; every sum accumulates in double.
 */
#pragma once

#include "scm-dataset.h"

G_BEGIN_DECLS

/* Kernel: out[k] = log1p(in[k] * target / rowsum) for the values of each row
 * (in and out may alias).  row_sums (n_rows) may be NULL (computed). */
void     scm_normalize_log1p_rows (const gint64 *indptr, gint64 n_rows, const float *in,
                                   const double *row_sums, double target, float *out);

/* dst = normalised copy of src (same sparsity). */
gboolean scm_normalize_log1p (ScmCsr *dst, const ScmCsr *src, double target, GError **error);

/* Fused normalise + log1p + column selection: dst gets the rows of src
 * (all of them) restricted to columns with col_map[c] >= 0, renumbered to
 * col_map[c] (which must be increasing in c so rows stay sorted), with
 * values log1p(x * target / row_sums[r]).  row_sums (n_rows) are the
 * totals over ALL columns of src, as scanpy normalises before subsetting
 * to HVGs.  One pass, one allocation. */
gboolean scm_normalize_log1p_select (ScmCsr *dst, const ScmCsr *src, const double *row_sums,
                                     double target, const gint32 *col_map, gint64 n_out_cols,
                                     GError **error);

/* Kernel: CLR of a dense (N cells, P proteins) row-major matrix, per column.
 * in and out may alias. */
void     scm_clr_dense (const float *in, gint64 N, gint64 P, float *out);

/* CLR of a sparse cells x proteins matrix into a dense (N, P) row-major
 * buffer (zeros count as log1p(0) = 0 in the geometric mean). */
void     scm_clr_csr (const ScmCsr *X, float *out /* (N, P) */);

/* Kernel: in-place scaling of a dense (N, G) row-major matrix, per column.
 * max_value <= 0 disables clipping.  mean/std (G) may be NULL. */
void     scm_scale_dense (float *X, gint64 N, gint64 G, double max_value,
                          double *mean, double *std);

G_END_DECLS
