/* scm-preprocess.h: the preprocessing pipeline scMMAE expects, in one call.
 *
 *   counts --QC filters--> counts (cells and genes kept)
 *          --HVG (seurat_v3 on counts | seurat on log-normalised)-->
 *          --normalise total to 1e4 + log1p (all kept genes)-->
 *          --keep the HVG columns--> RNA for the model (cells x n_top, float32)
 *   protein counts --same cells--> CLR per protein (muon pp.clr)
 *
 * scm_preprocess_run() returns a NEW dataset (the input is never changed):
 *   rna  = log1p-normalised values of the HVGs only (is_counts FALSE,
 *          source names the input matrix and the steps);
 *   adt  = raw protein counts of the kept cells (so the writer's
 *          obsm/protein_expression keeps the totalVI meaning of counts);
 *   obsm "protein_clr" = CLR of the proteins (cells x P, float32);
 *   obs  = the input columns of kept cells + n_counts, n_genes, pct_mito;
 *   uns  "preprocess" = the parameters and the HVG names/ranks.
 * Raw RNA counts are not carried over: the input file keeps them.
 *
 * QC on a gene panel.  The scMMAE files (pbmc10k, pbmc5k...) hold only 4000
 * HVGs of cells that were already QC'd; "min 200 genes" and "% MT" computed
 * on such a panel would wrongly drop 10-20% of good cells.  With
 * qc = SCM_QC_AUTO, cell filters are skipped (zero-count cells are still
 * removed) when the input has no more genes than n_top; the report says so.
 *
 * Protein-only datasets (no RNA, e.g. malt10k) keep every cell and only
 * get obsm/protein_clr.
 *
 * scm_preprocess_model_inputs() is the one call the trainer needs: dense
 * RNA (cells x genes) and CLR protein matrices plus names, same cell order
 * (rna NULL and n_genes 0 for protein-only data).
 */
#pragma once

#include "scm-dataset.h"
#include "preprocess/scm-hvg.h"
#include "preprocess/scm-qc.h"

G_BEGIN_DECLS

typedef enum {
  SCM_QC_AUTO,     /* cell filters unless the input looks like a gene panel */
  SCM_QC_ALWAYS,
  SCM_QC_NEVER,    /* only zero-count cells are removed */
} ScmQcMode;

typedef struct {
  ScmQcMode     qc;
  ScmQcFilter   filter;     /* min_genes 200, min_cells 3, max_pct_mito 20 */
  double        target_sum; /* 1e4 */
  ScmHvgOptions hvg;        /* seurat_v3, 4000 genes */
  gboolean      clr_proteins;   /* TRUE */
} ScmPreprocessOptions;

/* The scMMAE defaults listed above. */
void scm_preprocess_options_init (ScmPreprocessOptions *o);

typedef struct {
  ScmQcReport qc;
  gboolean    cell_filters_applied;
  char       *qc_note;          /* why cell filters were skipped, or NULL */
  gint64      n_hvg;
  char       *rna_source;       /* matrix the counts came from ("X", "layers/counts"...) */
  gint64      n_proteins;
  gboolean    proteins_clr;     /* obsm/protein_clr was made (proteins were counts) */
  guint8     *kept_cells;       /* (n_cells of the input) */
} ScmPreprocessReport;

void  scm_preprocess_report_clear    (ScmPreprocessReport *r);
/* Several lines of text for the CLI and the app. */
char *scm_preprocess_report_describe (const ScmPreprocessReport *r, const ScmPreprocessOptions *o);

/* Runs the pipeline on ds (RNA counts required; ADT optional).  report may
 * be NULL.  Errors: SCM_ERROR_INVALID when the RNA matrix is not counts or
 * is empty after filtering, SCM_ERROR_NOT_FOUND when there is neither RNA
 * nor proteins. */
ScmDataset *scm_preprocess_run (const ScmDataset *ds, const ScmPreprocessOptions *o,
                                ScmPreprocessReport *report, GError **error);

typedef struct {
  gint64  n_cells;
  gint64  n_genes;
  float  *rna;            /* (n_cells, n_genes) row-major, log1p-normalised HVGs;
                           * NULL for protein-only data */
  char  **gene_names;     /* GStrv (n_genes), input order; NULL for protein-only */
  gint64  n_proteins;     /* 0 when the input has no ADT */
  float  *adt;            /* (n_cells, n_proteins) CLR, NULL when none (or not counts) */
  char  **protein_names;  /* GStrv (n_proteins), NULL when none */
  char  **barcodes;       /* GStrv (n_cells) */
  guint8 *kept_cells;     /* (n_cells of the input): 1 if the cell is a row above */
  gint64  n_cells_in;
} ScmModelInputs;

void     scm_model_inputs_clear (ScmModelInputs *m);

/* Preprocesses ds with o (NULL = scMMAE defaults) and returns exactly the
 * matrices the model consumes.  report may be NULL. */
gboolean scm_preprocess_model_inputs (const ScmDataset *ds, const ScmPreprocessOptions *o,
                                      ScmModelInputs *out, ScmPreprocessReport *report,
                                      GError **error);

G_END_DECLS
