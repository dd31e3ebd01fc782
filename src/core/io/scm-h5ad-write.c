/* scm-h5ad-write.c: the .h5ad writer (placeholder until implemented). */
#include "io/scm-io.h"
#include "scm-error.h"

gboolean
scm_h5ad_write (const ScmDataset *ds, const char *path, GError **error)
{
  g_set_error (error, SCM_ERROR, SCM_ERROR_UNSUPPORTED, "%s: writing .h5ad is not implemented yet", path);
  return FALSE;
}
