/* scm-model-f32.c: the float model, the public ScmModel (see scm-real.h). */
#include "scm-model-impl.c"
