/* fuzz-10x.c: libFuzzer harness for the 10x reader (see scm-fuzz-common.h). */
#include "scm-fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = scm_fuzz_write (data, size, ".h5");
  scm_fuzz_read_with (path, _scm_read_10x_v3);
  return 0;
}
