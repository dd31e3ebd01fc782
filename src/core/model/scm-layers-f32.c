/* scm-layers-f32.c: the layer kernels in float (see scm-real.h). */
#include "scm-layers-impl.c"
