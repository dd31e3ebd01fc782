/* scm-h5-private.h: small HDF5 helpers shared by the readers (not public).
 *
 * Every helper turns an HDF5 failure into a GError whose message names the
 * file, the object path and the problem, with HDF5's own innermost
 * description appended, so callers never print or inspect the HDF5 error
 * stack themselves.  All helpers expect the caller to hold scm_h5_lock().
 *
 * Data-sized buffers are allocated with g_try_malloc (via _scm_io_try_alloc):
 * a corrupt header claiming 10^12 elements becomes SCM_ERROR_NO_MEMORY.
 */
#pragma once

#include <hdf5.h>

#include "io/scm-io.h"
#include "scm-error.h"

G_BEGIN_DECLS

/* A dimension we refuse to allocate for (cells or features); above it the
 * readers report SCM_ERROR_NO_MEMORY.  Features are gint32-indexed. */
#define SCM_IO_MAX_ROWS  ((gint64) G_MAXINT32)
#define SCM_IO_MAX_COLS  ((gint64) G_MAXINT32)

/* Values read per hyperslab when streaming large 1-D arrays. */
#define SCM_IO_CHUNK     ((gint64) 1 << 21)

typedef struct {
  const char *path;   /* file name, for messages */
  hid_t       file;
} ScmH5;

gpointer _scm_io_try_alloc (gsize n_elems, gsize elem_size, const char *what, GError **error);
/* Same for data-sized output arrays (>= 4 MiB: aligned, huge-page advised). */
gpointer _scm_io_try_alloc_big (gsize n_elems, gsize elem_size, const char *what, GError **error);
/* scm_csr_alloc with _scm_io_try_alloc_big arrays (freed by scm_csr_clear). */
gboolean _scm_io_csr_alloc (ScmCsr *m, gint64 n_rows, gint64 n_cols, gint64 nnz, GError **error);

/* Sets error with "<file>: <object>: <problem> (HDF5: <innermost message>)". */
void     _scm_h5_set_error (GError **error, int code, const ScmH5 *h, const char *object,
                            const char *fmt, ...) G_GNUC_PRINTF (5, 6);

/* Opens read-only.  Distinguishes missing/unreadable (IO), empty, not HDF5
 * (FORMAT) and damaged (CORRUPT). */
gboolean _scm_h5_open (ScmH5 *h, const char *path, GError **error);
void     _scm_h5_close (ScmH5 *h);

/* TRUE when every component of the slash-separated path exists as a link. */
gboolean _scm_h5_exists     (hid_t loc, const char *path);
gboolean _scm_h5_is_group   (hid_t loc, const char *path);
gboolean _scm_h5_is_dataset (hid_t loc, const char *path);

/* Scalar or first-element string attribute, NULL when absent or not a string. */
char    *_scm_h5_attr_string  (hid_t obj, const char *name);
/* String-array attribute (e.g. column-order); NULL if absent or not strings. */
char   **_scm_h5_attr_strings (hid_t obj, const char *name);
/* Variable-length string attributes are resolved by our own bounds-checked
 * parser (scm-h5.c); this counts those HDF5 had to read itself (dense or
 * shared attribute storage), for the tests. */
extern gint64 _scm_h5_vlen_attr_fallbacks;
/* Integer (or bool/enum) attribute values, up to max_n; returns count read, -1 if absent. */
int      _scm_h5_attr_int64s  (hid_t obj, const char *name, gint64 *out, int max_n);

/* Dataset rank and dims (up to 2).  FALSE + error if rank > 2 or not a dataset. */
gboolean _scm_h5_dims (const ScmH5 *h, hid_t dset, const char *object, int *rank,
                       gint64 dims[2], GError **error);
/* Length of a 1-D dataset (error if not 1-D). */
gboolean _scm_h5_len  (const ScmH5 *h, hid_t loc, const char *object, gint64 *n, GError **error);

/* Reads elements [start, start+count) of a 1-D dataset, or rows [start,
 * start+count) of a 2-D one, converting to memtype. */
gboolean _scm_h5_read_slab (const ScmH5 *h, hid_t dset, const char *object, hid_t memtype,
                            gint64 start, gint64 count, void *buf, GError **error);

/* Whole 1-D numeric dataset of expected length n (n < 0: any) converted to
 * double / gint64.  Rejects strings and compounds with SCM_ERROR_FORMAT. */
double  *_scm_h5_read_doubles (const ScmH5 *h, hid_t loc, const char *object, gint64 *n,
                               GError **error);
gint64  *_scm_h5_read_int64s  (const ScmH5 *h, hid_t loc, const char *object, gint64 *n,
                               GError **error);

/* 1-D string dataset (fixed-length or variable-length) as a GStrv.  *n is
 * the expected length on input when >= 0, the length on output.  Numbers
 * are formatted as text when allow_numbers. */
char   **_scm_h5_read_strings (const ScmH5 *h, hid_t loc, const char *object, gint64 *n,
                               gboolean allow_numbers, GError **error);

/* The n variable-length strings of dataset d (1-D, or scalar with n = 1)
 * resolved by our own bounds-checked global-heap parser instead of HDF5's
 * conversion, which crashes on damaged descriptors.  NULL strings become
 * "".  Damage: SCM_ERROR_CORRUPT naming the file, object and string. */
char   **_scm_h5_read_vlen    (const ScmH5 *h, hid_t d, const char *object, gint64 n,
                               GError **error);

/* Fails with SCM_ERROR_CORRUPT naming the first duplicate. */
gboolean _scm_io_check_unique (const char *path, const char *object, char **names, gint64 n,
                               const char *what, GError **error);

/* ------------------------------------------------------------------ matrices */

/* Summary of the values of a matrix read from a file. */
typedef struct {
  gboolean any_negative;
  gboolean any_fractional;
  gint64   neg_row, neg_col;   /* first negative value */
} ScmValueStats;

/* Reads a cells x features matrix stored at `object` under loc: an AnnData
 * csr_matrix / csc_matrix group (or legacy h5sparse group) or a dense 2-D
 * dataset.  Validates shape, row pointers, indices, sorts rows and rejects
 * non-finite values.  n_rows / n_cols: expected sizes or -1. */
gboolean _scm_io_read_matrix (const ScmH5 *h, hid_t loc, const char *object, gint64 n_rows,
                              gint64 n_cols, ScmCsr *out, ScmValueStats *stats, GError **error);

/* The indptr / indices / data arrays under `object` as an n_major x n_minor
 * CSR (not yet checked: call _scm_io_check_csr). */
gboolean _scm_io_read_sparse_arrays (const ScmH5 *h, hid_t loc, const char *object,
                                     gint64 n_major, gint64 n_minor, ScmCsr *out, GError **error);

/* Checks rows of m (already filled): strictly ascending indices (sorting
 * unsorted rows once), in range, finite values; fills stats. */
gboolean _scm_io_check_csr (const char *path, const char *object, ScmCsr *m,
                            ScmValueStats *stats, GError **error);

/* Row pointers: start at 0, never decrease, end at nnz (n + 1 entries). */
gboolean _scm_io_check_indptr (const ScmH5 *h, const char *object, const gint64 *p, gint64 n,
                               gint64 nnz, GError **error);
/* Reads a whole 1-D dataset of n elements into buf (memtype, elem bytes
 * each).  gzip-chunked int/float datasets read as int32 or float are
 * inflated on several threads (scm-io-inflate.c); anything else goes
 * through _scm_io_stream_plain: H5Dread of SCM_IO_CHUNK-value hyperslabs,
 * which is also the reference the tests compare with.  Setting
 * SCM_IO_NO_THREADS in the environment forces the plain path. */
gboolean _scm_io_stream       (const ScmH5 *h, hid_t d, const char *object, hid_t memtype,
                               gsize elem, gint64 n, void *buf, GError **error);
extern gint64 _scm_io_inflated_chunks;   /* chunks the threaded path inflated */
gboolean _scm_io_stream_plain (const ScmH5 *h, hid_t d, const char *object, hid_t memtype,
                               gsize elem, gint64 n, void *buf, GError **error);

/* Error for negative counts (SCM_ERROR_INVALID) naming row and column. */
gboolean _scm_io_require_counts (const char *path, const char *object, const ScmValueStats *s,
                                 GError **error);

/* -------------------------------------------------------------- per-format */

ScmDataset *_scm_read_10x_v3 (const ScmH5 *h, const ScmReadOptions *opts, GError **error);
ScmDataset *_scm_read_10x_v2 (const ScmH5 *h, const ScmReadOptions *opts, GError **error);
ScmDataset *_scm_read_h5ad   (const ScmH5 *h, ScmFileFormat fmt, const ScmReadOptions *opts,
                              GError **error);
ScmDataset *_scm_read_h5mu   (const ScmH5 *h, const ScmReadOptions *opts, GError **error);

/* Reads obs columns of an AnnData dataframe group `obs_path` (0.7 or 0.8
 * encodings) into ds (n rows each); skips `_index`.  prefix (may be NULL) is
 * put before each column name ("rna:"). */
gboolean _scm_h5ad_read_obs_columns (const ScmH5 *h, hid_t loc, const char *obs_path,
                                     gint64 n, const char *prefix, GPtrArray *out,
                                     ScmDataset *notes, GError **error);
/* The row index (obs names / var names) of an AnnData dataframe group. */
char   **_scm_h5ad_read_index (const ScmH5 *h, hid_t loc, const char *df_path, gint64 *n,
                               GError **error);

G_END_DECLS
