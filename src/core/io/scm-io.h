/* scm-io.h: reading and writing datasets.
 *
 * scm_dataset_read() detects the layout by content (HDF5 groups and
 * attributes), not by extension, and fills one ScmDataset.  Input files are
 * always opened read-only.  Writers produce a temporary file and rename it
 * over the target (util/scm-atomic-file.h).
 *
 * HDF5 is not built thread-safe on Debian: every HDF5 call in the engine
 * happens between scm_h5_lock() and scm_h5_unlock().
 */
#pragma once

#include "scm-dataset.h"

G_BEGIN_DECLS

typedef enum {
  SCM_FORMAT_UNKNOWN,
  SCM_FORMAT_10X_V3,       /* Cell Ranger >= 3: /matrix with features/ */
  SCM_FORMAT_10X_V2,       /* Cell Ranger 1.x/2.x: one group per genome */
  SCM_FORMAT_H5AD,         /* anndata >= 0.8 encoding */
  SCM_FORMAT_H5AD_07,      /* anndata 0.7: obs/__categories, object references */
  SCM_FORMAT_H5AD_LEGACY,  /* anndata <= 0.6: compound obs/var datasets */
  SCM_FORMAT_H5MU,         /* MuData */
} ScmFileFormat;

typedef struct {
  /* 10x v1/v2 with several genomes: keep only this one.  NULL = all, with
   * the genome of each feature in ScmModality.genomes. */
  const char *genome;
  /* h5ad: use X as-is even when it looks normalised and counts exist in
   * layers/counts or raw/X (default FALSE: prefer raw counts). */
  gboolean    use_x;
} ScmReadOptions;

/* Recursive global lock around the (non thread-safe) HDF5 library. */
void          scm_h5_lock   (void);
void          scm_h5_unlock (void);

ScmFileFormat scm_io_detect_format (const char *path, GError **error);
const char   *scm_io_format_name   (ScmFileFormat format);

/* Reads any supported layout.  opts may be NULL. */
ScmDataset   *scm_dataset_read     (const char *path, const ScmReadOptions *opts, GError **error);

typedef struct {
  gint64  n_rows;              /* data rows in the CSV */
  gint64  n_matched;           /* rows whose barcode is a cell of the dataset */
  gint64  n_unmatched;         /* rows whose barcode is not */
  gint64  n_cells_unlabelled;  /* cells with no row */
  char  **unmatched_examples;  /* up to 5 unmatched barcodes (GStrv) */
} ScmLabelsReport;

void          scm_labels_report_clear (ScmLabelsReport *report);

/* Joins a `barcode,<column>` CSV by barcode into a categorical obs column
 * named after the header (or `column` if given).  report may be NULL. */
gboolean      scm_labels_join_csv  (ScmDataset *ds, const char *csv_path, const char *column,
                                    ScmLabelsReport *report, GError **error);

/* Writes an .h5ad in the anndata 0.8 encoding: X = RNA (CSR, float32), var
 * names, obs columns, obsm (incl. protein_expression + uns/protein_names for
 * the ADT modality, the totalVI convention), uns.  Refuses to overwrite
 * ds->path (the input). */
gboolean      scm_h5ad_write       (const ScmDataset *ds, const char *path, GError **error);

G_END_DECLS
