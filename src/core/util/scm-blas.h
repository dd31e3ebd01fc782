/* scm-blas.h: one place that includes CBLAS and reports what OpenBLAS runs.
 *
 * Debian's OpenBLAS 0.3.21 falls back to slow Prescott kernels on CPUs it
 * does not recognise; every benchmark prints scm_blas_describe() next to its
 * timings so numbers from different machines are never compared blindly.
 */
#pragma once

#include <glib.h>
#include <cblas.h>

G_BEGIN_DECLS

/* e.g. "OpenBLAS 0.3.21 core=Haswell threads=2"; static string. */
const char *scm_blas_describe     (void);
const char *scm_blas_core_name    (void);
int         scm_blas_get_threads  (void);
void        scm_blas_set_threads  (int n);

G_END_DECLS
