/* scm-dataset.h: the one in-memory model of a single-cell dataset.
 *
 * Every reader fills it, preprocessing transforms it, the writer saves it
 * and the app/CLI show it.  Cells are rows.  Each modality (RNA, ADT) keeps
 * its own cells x features sparse CSR matrix so that RNA-only and CITE-seq
 * files share one shape of data.  Proteins are few (10-200), but storing
 * them as CSR too keeps one code path for filters and markers.
 *
 * A dataset is reference counted and immutable once published to other
 * threads: workers take a ref and read; edits happen on a copy.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Compressed sparse rows: row r holds indices[indptr[r] .. indptr[r+1]). */
typedef struct {
  gint64  n_rows;   /* cells */
  gint64  n_cols;   /* features */
  gint64 *indptr;   /* (n_rows + 1), indptr[0] = 0, non-decreasing */
  gint32 *indices;  /* (nnz) column of each stored value, ascending per row */
  float  *data;     /* (nnz) */
} ScmCsr;

static inline gint64
scm_csr_nnz (const ScmCsr *m)
{
  return m->indptr ? m->indptr[m->n_rows] : 0;
}

/* Allocates with g_try_malloc so a huge header gives SCM_ERROR_NO_MEMORY
 * instead of an abort.  indptr is zeroed. */
gboolean scm_csr_alloc      (ScmCsr *m, gint64 n_rows, gint64 n_cols, gint64 nnz, GError **error);
void     scm_csr_clear      (ScmCsr *m);
gboolean scm_csr_copy       (ScmCsr *dst, const ScmCsr *src, GError **error);
/* Checks indptr monotone and in range, indices in [0, n_cols) and strictly
 * ascending per row, values finite.  `what` names the object in the message. */
gboolean scm_csr_validate   (const ScmCsr *m, const char *what, GError **error);
/* Sorts indices within each row (readers of CSC/unsorted files call it). */
void     scm_csr_sort_rows  (ScmCsr *m);
/* Keep rows with keep[r] != 0, in order. */
gboolean scm_csr_subset_rows (ScmCsr *dst, const ScmCsr *src, const guint8 *keep, GError **error);
/* Keep columns listed in cols (new order = list order, no duplicates). */
gboolean scm_csr_subset_cols (ScmCsr *dst, const ScmCsr *src, const gint32 *cols, gint64 n_cols, GError **error);
/* Dense row-major copy (n_rows x n_cols floats); NULL + error if too large. */
float   *scm_csr_to_dense   (const ScmCsr *m, GError **error);

typedef enum {
  SCM_MODALITY_RNA,
  SCM_MODALITY_ADT,
} ScmModalityKind;

typedef struct {
  ScmModalityKind kind;
  ScmCsr   X;              /* cells x features */
  char   **names;          /* (n_features) symbols, NULL-terminated GStrv */
  char   **ids;            /* (n_features) ids (Ensembl, `<name>_TotalSeqB`), GStrv */
  char   **genomes;        /* NULL, or (n_features) genome per feature (10x multi-genome) */
  gboolean is_counts;      /* TRUE when X holds raw integer-like counts */
  char    *source;         /* where X came from: "X", "layers/counts", "raw/X",
                            * "obsm/protein_expression", "matrix[Gene Expression]"... */
} ScmModality;

ScmModality *scm_modality_new  (ScmModalityKind kind);
void         scm_modality_free (ScmModality *m);
static inline gint64 scm_modality_n_features (const ScmModality *m) { return m->X.n_cols; }
/* Index of a feature by name (exact, then case-insensitive), or -1. */
gint64       scm_modality_find (const ScmModality *m, const char *name);

typedef enum {
  SCM_COLUMN_CATEGORICAL,
  SCM_COLUMN_NUMERIC,
  SCM_COLUMN_STRING,
  SCM_COLUMN_BOOL,
} ScmColumnKind;

/* One obs column.  Only the array matching `kind` is set. */
typedef struct {
  char         *name;
  ScmColumnKind kind;
  gint64        n;             /* = n_cells */
  gint32       *codes;         /* categorical: (n), -1 = missing */
  char        **categories;    /* categorical: GStrv of category names */
  guint         n_categories;
  gboolean      ordered;
  double       *numbers;       /* numeric: (n), NaN = missing */
  char        **strings;       /* string: GStrv (n) */
  guint8       *bools;         /* bool: (n) */
} ScmColumn;

ScmColumn *scm_column_new_categorical (const char *name, gint64 n, gint32 *codes_take,
                                       char **categories_take);
ScmColumn *scm_column_new_numeric     (const char *name, gint64 n, double *numbers_take);
ScmColumn *scm_column_new_string      (const char *name, gint64 n, char **strings_take);
ScmColumn *scm_column_new_bool        (const char *name, gint64 n, guint8 *bools_take);
/* Builds a categorical column from per-cell strings (NULL = missing);
 * categories sorted as anndata does (lexicographic). */
ScmColumn *scm_column_new_from_labels (const char *name, gint64 n, const char *const *labels);
void       scm_column_free            (ScmColumn *c);
/* Label of cell i as text (category, number, string); newly allocated, NULL if missing. */
char      *scm_column_value_string    (const ScmColumn *c, gint64 i);

/* Dense row-major float matrix (obsm entries, embeddings). */
typedef struct {
  char   *name;
  gint64  n_rows;
  gint64  n_cols;
  float  *data;     /* (n_rows, n_cols) */
} ScmMatrix;

ScmMatrix *scm_matrix_new  (const char *name, gint64 n_rows, gint64 n_cols, GError **error);
void       scm_matrix_free (ScmMatrix *m);

/* Named sparse cells x cells matrix (obsp entries: the kNN distances and
 * the connectivities graph, as Scanpy's `neighbors` stores them). */
typedef struct {
  char   *name;
  ScmCsr  X;        /* (n_cells, n_cells) */
} ScmPairwise;

/* Takes X (the struct is moved; the caller's copy must not be cleared). */
ScmPairwise *scm_pairwise_new  (const char *name, ScmCsr *X_take);
void         scm_pairwise_free (ScmPairwise *p);

/* A small tree for `uns`: groups of named arrays and scalars. */
typedef enum {
  SCM_UNS_GROUP,
  SCM_UNS_STRINGS,   /* GStrv, n = length */
  SCM_UNS_FLOATS,    /* double[n] (written as float64) */
  SCM_UNS_INTS,      /* gint64[n] */
  SCM_UNS_STRING,    /* one scalar string */
} ScmUnsKind;

typedef struct _ScmUnsNode ScmUnsNode;
struct _ScmUnsNode {
  char       *name;
  ScmUnsKind  kind;
  gint64      n;
  char      **strings;
  double     *floats;
  gint64     *ints;
  char       *string;
  gboolean    scalar;     /* FLOATS/INTS with n = 1 stored as a 0-d value
                           * (anndata's numeric-scalar), not a 1-element array */
  GPtrArray  *children;   /* group: ScmUnsNode* */
};

ScmUnsNode *scm_uns_group_new   (const char *name);
ScmUnsNode *scm_uns_strings_new (const char *name, char **strv_take);
ScmUnsNode *scm_uns_floats_new  (const char *name, gint64 n, double *take);
ScmUnsNode *scm_uns_ints_new    (const char *name, gint64 n, gint64 *take);
ScmUnsNode *scm_uns_string_new  (const char *name, const char *value);
/* Numeric scalars (Scanpy's uns/neighbors/params/n_neighbors...). */
ScmUnsNode *scm_uns_int_new     (const char *name, gint64 value);
ScmUnsNode *scm_uns_float_new   (const char *name, double value);
/* Adds or replaces the child with the same name; takes ownership of child. */
void        scm_uns_set         (ScmUnsNode *group, ScmUnsNode *child);
ScmUnsNode *scm_uns_get         (const ScmUnsNode *group, const char *name);
void        scm_uns_free        (ScmUnsNode *node);

typedef struct {
  char        *path;       /* file it was read from; never written to */
  char        *format;     /* "10x-h5-v3", "10x-h5-v2", "h5ad", "h5ad-0.7", "h5mu", ... */
  gint64       n_cells;
  char       **barcodes;   /* GStrv (n_cells); NULL until a reader sets it */
  ScmModality *rna;        /* NULL when the file has no RNA */
  ScmModality *adt;        /* NULL when the file has no proteins */
  GPtrArray   *obs;        /* ScmColumn*, in file order */
  GPtrArray   *obsm;       /* ScmMatrix* */
  GPtrArray   *obsp;       /* ScmPairwise*: cells x cells graphs */
  ScmUnsNode  *uns;        /* group node, never NULL */
  GPtrArray   *notes;      /* char*, human-readable layout notes */
} ScmDataset;

ScmDataset *scm_dataset_new   (void);
ScmDataset *scm_dataset_ref   (ScmDataset *ds);
void        scm_dataset_unref (ScmDataset *ds);

void        scm_dataset_add_note  (ScmDataset *ds, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
/* Adds or replaces (by name); takes ownership. */
void        scm_dataset_set_obs   (ScmDataset *ds, ScmColumn *col);
void        scm_dataset_set_obsm  (ScmDataset *ds, ScmMatrix *m);
void        scm_dataset_set_obsp  (ScmDataset *ds, ScmPairwise *p);
ScmColumn  *scm_dataset_get_obs   (const ScmDataset *ds, const char *name);
ScmMatrix  *scm_dataset_get_obsm  (const ScmDataset *ds, const char *name);
ScmPairwise *scm_dataset_get_obsp (const ScmDataset *ds, const char *name);
gint64      scm_dataset_find_cell (const ScmDataset *ds, const char *barcode);
/* Deep copy of cells with keep[i] != 0 (all modalities, obs, obsm; obsp
 * keeps the edges between kept cells, as anndata's subsetting). */
ScmDataset *scm_dataset_subset_cells (const ScmDataset *ds, const guint8 *keep, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmDataset, scm_dataset_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmModality, scm_modality_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmColumn, scm_column_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmMatrix, scm_matrix_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmPairwise, scm_pairwise_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmUnsNode, scm_uns_free)

G_END_DECLS
