/* scm-qc.h: quality-control metrics and cell/gene filters.
 *
 * Pure functions over a cells x genes count matrix (ScmCsr), matching the
 * definitions of scanpy's pp.calculate_qc_metrics / filter_cells /
 * filter_genes: total counts and detected genes per cell, the percentage of
 * counts on mitochondrial genes (names starting with "MT-" or "mt-"), and
 * the number of cells expressing each gene.  Sums accumulate in double.
 *
 * Filtering decides which cells and genes to keep and says why each one
 * was removed; it never edits a matrix (scm-preprocess.c subsets copies).
 */
#pragma once

#include "scm-dataset.h"

G_BEGIN_DECLS

/* 1 for genes whose name starts with "MT-" or "mt-" (human / mouse), else 0.
 * names: GStrv of n genes (may be NULL: no mito genes).  Returns the number
 * of mito genes. */
gint64 scm_qc_mito_mask (char *const *names, gint64 n, guint8 *is_mito /* (n) */);

/* Per cell (row) metrics.  is_mito may be NULL (pct_mito = 0).
 * total: (n_rows) sum of values; n_genes: (n_rows) values > 0;
 * pct_mito: (n_rows) 100 * mito counts / total (0 when total is 0). */
void   scm_qc_cell_metrics (const ScmCsr *X, const guint8 *is_mito,
                            double *total, gint32 *n_genes, double *pct_mito);

/* Per gene (column): number of cells with a value > 0, over the rows with
 * keep_rows[r] != 0 (keep_rows NULL = all rows). */
void   scm_qc_gene_n_cells (const ScmCsr *X, const guint8 *keep_rows, gint32 *n_cells /* (n_cols) */);

typedef struct {
  gint32 min_genes;       /* cells need >= this many detected genes (scanpy filter_cells) */
  gint32 min_cells;       /* genes need >= this many expressing cells (filter_genes) */
  double max_pct_mito;    /* cells above this % of mito counts are removed; < 0 or >= 100: off */
  gboolean cell_filters;  /* FALSE: only zero-count cells are removed */
} ScmQcFilter;

/* min_genes 200, min_cells 3, max_pct_mito 20, cell filters on. */
void   scm_qc_filter_init_default (ScmQcFilter *f);

typedef struct {
  gint64 n_cells_in, n_genes_in;
  gint64 n_cells_zero;       /* removed: zero total counts (always) */
  gint64 n_cells_min_genes;  /* removed: fewer than min_genes detected */
  gint64 n_cells_mito;       /* removed: more than max_pct_mito */
  gint64 n_cells_kept;
  gint64 n_genes_min_cells;  /* removed: expressed in fewer than min_cells kept cells */
  gint64 n_genes_kept;
  gint64 n_mito_genes;       /* genes recognised as mitochondrial */
} ScmQcReport;

/* Decides keep_cells (n_rows) and keep_genes (n_cols) from the metrics.
 * Each removed cell is counted under its first failing reason, in the order
 * zero counts, min_genes, max_pct_mito.  The gene filter is evaluated on the
 * kept cells (as scanpy does when filter_genes follows filter_cells). */
void   scm_qc_filter (const ScmCsr *X, const ScmQcFilter *f, const double *total,
                      const gint32 *n_genes, const double *pct_mito, gint64 n_mito_genes,
                      guint8 *keep_cells, guint8 *keep_genes, ScmQcReport *report);

/* A one-paragraph human-readable summary ("kept 2638 of 2700 cells: ..."). */
char  *scm_qc_report_describe (const ScmQcReport *r, const ScmQcFilter *f);

G_END_DECLS
