/* scm-real.h: precision switch for the model sources.
 *
 * The layer and model sources are written once against `real` and compiled
 * twice: float (the app) and double (the reference tests, which must match
 * PyTorch's float64 dumps to ~1e-12).  A wrapper defines SCM_REAL_F64 (or
 * not) and includes the *-impl.c file; SCM_L() names a layer function and
 * SCM_M() a model function in the right precision.  Sums that feed a
 * normalisation (LayerNorm statistics, bias gradients, losses) accumulate
 * in double in both builds.
 */
#pragma once

#include <cblas.h>

#ifdef SCM_REAL_F64
typedef double real;
#  define SCM_L(name)      scm_f64_##name
#  define SCM_M(name)      scm_model_f64_##name
#  define SCM_MODEL_T      ScmModelF64
#  define SCM_MODEL_STRUCT _ScmModelF64
#  define SCM_GEMM         cblas_dgemm
#  define SCM_GEMV         cblas_dgemv
#  define SCM_SQRT         sqrt
#  define SCM_EXP          exp
#  define SCM_ERF          erf
#else
typedef float real;
#  define SCM_L(name)      scm_f32_##name
#  define SCM_M(name)      scm_model_##name
#  define SCM_MODEL_T      ScmModel
#  define SCM_MODEL_STRUCT _ScmModel
#  define SCM_GEMM         cblas_sgemm
#  define SCM_GEMV         cblas_sgemv
#  define SCM_SQRT         sqrtf
#  define SCM_EXP          expf
#  define SCM_ERF          erff
#endif
