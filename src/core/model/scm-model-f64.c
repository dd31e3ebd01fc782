/* scm-model-f64.c: the double model ScmModelF64 for the reference tests. */
#define SCM_REAL_F64 1
#include "scm-model-impl.c"
