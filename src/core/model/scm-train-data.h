/* scm-train-data.h: turning an ScmDataset into the dense matrices the
 * scMMAE trainer consumes, plus the data-side bookkeeping of training:
 * stratified labelled/held-out splits, feature alignment by name.
 *
 * RNA becomes log1p(counts / cell total * 1e4) (if the modality holds raw
 * counts; otherwise it is used as-is), restricted to the model's genes;
 * proteins become a per-protein CLR across cells, log1p(x / exp(mean_cells
 * log1p x)), the transform scMMAE's published tensors use.  Everything is
 * dense float32 (cells x features): pbmc-size data is a few hundred MB at
 * most and batches are gathered rows.
 *
 * Not here: QC filtering, batch correction, sparse training.
 */
#pragma once

#include "scm-dataset.h"

G_BEGIN_DECLS

typedef struct {
  gint64  n_cells;
  gint64  n_genes;      /* 0 when RNA was not requested */
  gint64  n_adt;        /* 0 when proteins were not requested */
  float  *rna;          /* (n_cells, n_genes) log-normalised, missing genes = 0 */
  float  *adt;          /* (n_cells, n_adt) CLR, missing proteins = 0 */
  char  **genes;        /* GStrv (n_genes): the model's gene order */
  char  **proteins;     /* GStrv (n_adt) */
  gint32 *labels;       /* (n_cells) class index, -1 = missing; NULL without labels */
  char  **classes;      /* GStrv (n_classes); NULL without labels */
  int     n_classes;
  gint64  n_labelled;   /* cells with labels[i] >= 0 */
} ScmTrainData;

/* How well a list of wanted features (the model's) is covered by a file. */
typedef struct {
  gint64  n_wanted;
  gint64  n_found;            /* exact or case-insensitive match */
  gint64  n_found_nocase;     /* of which only case-insensitively */
  gint64  n_missing;          /* zero-filled */
  char  **missing_examples;   /* up to 10 missing names (GStrv) */
} ScmAlignReport;

void scm_align_report_clear (ScmAlignReport *r);
/* One line, e.g. "3912 of 4000 genes found (12 case-insensitively), 88 zero-filled (e.g. A, B)". */
char *scm_align_report_describe (const ScmAlignReport *r, const char *what);

typedef struct {
  gboolean     need_rna;
  gboolean     need_adt;
  /* Genes: when `genes` is set, align to it by symbol (missing genes are
   * zero-filled; below min_gene_overlap of them found is an error).
   * Otherwise take the file's genes: all of them, or the n_genes most
   * variable when the file has more; either way rounded down to a
   * multiple of tok_dim so they split into whole tokens. */
  const char *const *genes;
  gint64       n_genes;
  int          tok_dim;
  double       min_gene_overlap;   /* default (0) = 0.5 */
  /* Proteins: align to `proteins` when set (all must be found), else the
   * file's proteins in file order. */
  const char *const *proteins;
  /* Labels: an obs column name (categorical, string, numeric or bool).
   * NULL = no labels.  `classes` fixes the class list (cells whose label
   * is not in it count as missing); NULL = the column's own categories
   * that occur in the data, in category order. */
  const char  *label_column;
  const char *const *classes;
} ScmTrainDataOptions;

/* gene_report / protein_report may be NULL. */
ScmTrainData *scm_train_data_from_dataset (const ScmDataset *ds, const ScmTrainDataOptions *opts,
                                           ScmAlignReport *gene_report,
                                           ScmAlignReport *protein_report, GError **error);
void          scm_train_data_free         (ScmTrainData *d);

/* map[j] = index in `have` of want[j], or -1.  Exact match first, then
 * ASCII case-insensitive.  Never fails; the report says how many matched. */
void scm_align_features (const char *const *have, gint64 n_have,
                         const char *const *want, gint64 n_want,
                         gint64 *map, ScmAlignReport *report);

/* Role of each cell in a labelled split. */
enum {
  SCM_SPLIT_EXCLUDED = 0,  /* no label */
  SCM_SPLIT_TRAIN    = 1,  /* labelled fraction: used for fine-tuning */
  SCM_SPLIT_HELDOUT  = 2,  /* the rest: accuracy is reported on these */
};

/* Stratified by class: in each class, round(fraction * n_c) cells (at least
 * one when fraction > 0, at most n_c - 1 when n_c >= 2 and fraction < 1)
 * drawn without replacement with a generator seeded by `seed`.  Cells with
 * labels[i] < 0 are SCM_SPLIT_EXCLUDED.  Deterministic for a seed. */
void scm_split_stratified (const gint32 *labels, gint64 n, int n_classes, double fraction,
                           guint64 seed, guint8 *role);

/* Uniform random split for stage-1 validation: exactly round(fraction * n)
 * cells (at least 1 when n >= 2 and fraction > 0) marked 1, the rest 0. */
void scm_split_random (gint64 n, double fraction, guint64 seed, guint8 *is_val);

/* Pure transforms, exposed for tests.  x is (n_rows, n_cols) dense. */
void scm_lognorm_rows (float *x, gint64 n_rows, gint64 n_cols, const double *row_totals);
void scm_clr_columns  (float *x, gint64 n_rows, gint64 n_cols);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmTrainData, scm_train_data_free)

G_END_DECLS
