/* fuzz-h5mu.c: libFuzzer harness for the h5mu reader (see scm-fuzz-common.h). */
#include "scm-fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = scm_fuzz_write (data, size, ".h5mu");
  scm_fuzz_read_with (path, _scm_read_h5mu);
  return 0;
}
