/* scm-ref-tensors.h: reader for the PyTorch reference dumps
 * (../shared/reference/<folder>/manifest.tsv + all.bin).
 *
 * Each manifest row is `name dtype offset_bytes ndim shape...`; dtype is
 * float32, float64 or int32 (int64 tensors are stored as int32).  Values
 * are handed out converted to double (or gint32 for int32 tensors).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char   *name;
  char    dtype[16];
  gsize   offset;
  int     ndim;
  int     shape[8];
  gsize   numel;
} ScmRefEntry;

typedef struct {
  char   *dir;
  GArray *entries;       /* ScmRefEntry */
  GHashTable *by_name;   /* name -> index + 1 */
  GBytes *bin;
} ScmRefTensors;

ScmRefTensors     *scm_ref_tensors_open  (const char *dir, GError **error);
void               scm_ref_tensors_free  (ScmRefTensors *r);
const ScmRefEntry *scm_ref_tensors_find  (const ScmRefTensors *r, const char *name);
/* New array of numel doubles (float32/float64 entries), or NULL if absent. */
double            *scm_ref_tensors_get_f64 (const ScmRefTensors *r, const char *name, gsize *numel);
/* New array of numel gint32 (int32 entries), or NULL if absent. */
gint32            *scm_ref_tensors_get_i32 (const ScmRefTensors *r, const char *name, gsize *numel);

/* Robust relative error: max |a - b| / max(max |b|, tiny). */
double scm_ref_rel_error (const double *a, const double *b, gsize n, double tiny);

G_END_DECLS
