/* scm-read-private.h: pieces shared between the AnnData, MuData and 10x
 * readers (not public).  Callers hold scm_h5_lock(). */
#pragma once

#include "io/scm-h5-private.h"

G_BEGIN_DECLS

/* "base/rel", or rel when base is empty. */
char  *_scm_io_join (const char *base, const char *rel);
/* Member names of a group (name order), NULL-terminated; NULL if not a group. */
char **_scm_h5_group_members (hid_t loc, const char *path);

/* Splits the columns of X into RNA / ADT modalities by kinds[c] (0 RNA,
 * 1 ADT, -1 left out; kinds NULL = all RNA).  Consumes X. */
gboolean _scm_io_split_modalities (ScmCsr *X, const gint8 *kinds, char **names, char **ids,
                                   char **genomes, const char *source, gboolean is_counts,
                                   ScmModality **rna, ScmModality **adt, GError **error);

/* The matrix part of one AnnData object rooted at base ("" or "mod/rna"). */
typedef struct {
  char       **barcodes;  /* obs names */
  gint64       n;
  ScmModality *rna;
  ScmModality *adt;
} ScmAnnCore;

gboolean _scm_read_ann_core  (const ScmH5 *h, const char *base, const ScmReadOptions *opts,
                              ScmModalityKind default_kind, ScmDataset *ds, ScmAnnCore *core,
                              GError **error);
void     _scm_ann_core_clear (ScmAnnCore *core);
/* Dense 2-D obsm arrays under base/obsm into ds->obsm (float32). */
gboolean _scm_read_obsm      (const ScmH5 *h, const char *base, ScmDataset *ds,
                              gboolean skip_protein, GError **error);

/* AnnData <= 0.6: obs / var as compound tables (scm-read-h5ad-legacy.c). */
char   **_scm_h5ad_legacy_index   (const ScmH5 *h, const char *path, gint64 *n, GError **error);
gboolean _scm_h5ad_legacy_columns (const ScmH5 *h, const char *path, gint64 n, GPtrArray *out,
                                   ScmDataset *notes, GError **error);

G_END_DECLS
