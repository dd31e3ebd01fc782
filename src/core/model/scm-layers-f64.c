/* scm-layers-f64.c: the layer kernels in double, for the reference tests. */
#define SCM_REAL_F64 1
#include "scm-layers-impl.c"
