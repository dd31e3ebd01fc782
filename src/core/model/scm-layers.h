/* scm-layers.h: the transformer layer kernels of the scMMAE model.
 *
 * Pure functions over pointers and dimensions, forward/backward pairs in
 * the llm.c manner, each optimised kernel (BLAS linear, fused per-(cell,
 * head) attention) next to a naive reference that tests/model compares it
 * with.  Both precisions are declared: scm_f32_<layer>_* (float, the app)
 * and scm_f64_<layer>_* (double, the reference tests).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SCM_LT(name) scm_f32_##name
#define SCM_RT float
#include "scm-layers-tmpl.h"
#undef SCM_LT
#undef SCM_RT

#define SCM_LT(name) scm_f64_##name
#define SCM_RT double
#include "scm-layers-tmpl.h"
#undef SCM_LT
#undef SCM_RT

/* TEST HOOK: FALSE makes the float kernels skip their AVX-512 copies
 * (softmax, GELU and LayerNorm forward), so tests can check that both
 * give the same bits.  TRUE (the default) uses them when the CPU can. */
void scm_layers_allow_wide (gboolean allow);

G_END_DECLS
