/* scm-test-h5.h: tiny HDF5 writers for the io tests and fuzz seeds.
 *
 * Builds small AnnData / 10x / MuData files at test time (no Python), in
 * the same encodings anndata and Cell Ranger write, so that variants
 * (CSC, dense, int64 indices, normalised X...) and damaged files can be
 * produced with one call each.  Every function aborts the test on an HDF5
 * failure: these are the test's own files.
 */
#pragma once

#include <glib.h>
#include <hdf5.h>

G_BEGIN_DECLS

hid_t th5_create (const char *path);
hid_t th5_open_rw (const char *path);
void  th5_close (hid_t f);
void  th5_group (hid_t f, const char *path);
void  th5_attr_str (hid_t f, const char *obj, const char *name, const char *value);
void  th5_attr_strs (hid_t f, const char *obj, const char *name, const char *const *v, int n);
void  th5_attr_i64s (hid_t f, const char *obj, const char *name, const gint64 *v, int n);
void  th5_attr_bool (hid_t f, const char *obj, const char *name, gboolean v);
/* 1-D dataset of n elements of memory type mt (converted to file type ft). */
void  th5_write (hid_t f, const char *path, hid_t ft, hid_t mt, gint64 n, const void *data);
/* 2-D dataset rows x cols (contiguous). */
void  th5_write2d (hid_t f, const char *path, hid_t ft, hid_t mt, gint64 rows, gint64 cols,
                   const void *data);
/* Strings: vlen UTF-8 (fixed_width 0) or fixed-length S<width>. */
void  th5_strings (hid_t f, const char *path, const char *const *v, gint64 n, int fixed_width);
/* h5py-style bool (enum over int8). */
void  th5_bools (hid_t f, const char *path, const guint8 *v, gint64 n);
void  th5_delete (hid_t f, const char *path);

/* The reference 4 cells x 5 genes count matrix used by the variants:
 *   c0: g0=1 g2=3      c1: (empty)      c2: g1=2 g3=1 g4=7      c3: g4=5   */
#define TH5_CELLS 4
#define TH5_GENES 5
extern const float th5_dense[TH5_CELLS * TH5_GENES];

typedef enum {
  TH5_X_CSR,
  TH5_X_CSC,
  TH5_X_DENSE,
} Th5XKind;

typedef struct {
  Th5XKind kind;
  hid_t    data_type;     /* file type of X values (default float32) */
  hid_t    index_type;    /* file type of indices/indptr (default int32) */
  gboolean normalise_x;   /* X = counts / 10 (fractional) */
  gboolean layers_counts; /* also write layers/counts (raw) */
  gboolean raw_x;         /* also write raw/X (raw) with raw/var */
  gboolean feature_types; /* var/feature_types: genes 3,4 are Antibody Capture */
  gboolean proteins;      /* obsm/protein_expression (4 x 2) + uns/protein_names */
  gboolean obs_extra;     /* bool, vlen string, fixed string, int16-codes categorical, int64 columns */
} Th5Spec;

/* Writes an anndata 0.8 file for the reference matrix. */
void th5_make_h5ad (const char *path, const Th5Spec *spec);
/* Writes a Cell Ranger 3 file (genes then 2 "Antibody Capture" + 1 CRISPR feature). */
void th5_make_10x (const char *path, hid_t index_type);
/* Writes a MuData file whose prot modality lists cells in reverse order. */
void th5_make_h5mu (const char *path);

G_END_DECLS
