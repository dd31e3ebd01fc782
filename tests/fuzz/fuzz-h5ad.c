/* fuzz-h5ad.c: libFuzzer harness for the h5ad reader (see scm-fuzz-common.h). */
#include "scm-fuzz-common.h"

static ScmDataset *
read_h5ad (const ScmH5 *h, const ScmReadOptions *opts, GError **error)
{
  return _scm_read_h5ad (h, SCM_FORMAT_H5AD, opts, error);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = scm_fuzz_write (data, size, ".h5ad");
  scm_fuzz_read_with (path, read_h5ad);
  return 0;
}
