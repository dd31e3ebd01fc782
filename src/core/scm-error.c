/* scm-error.c: the engine's GError domain. */
#include "scm-error.h"

G_DEFINE_QUARK (scm-error-quark, scm_error)
