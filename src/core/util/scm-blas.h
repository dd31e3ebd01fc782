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

/* The OpenBLAS kernel family this CPU can run at its best ("SkylakeX",
 * "Haswell", "Sandybridge", or NULL when there is nothing to improve on
 * or the CPU is not x86-64). */
const char *scm_blas_best_core    (void);

/* The kernel family to switch to when OpenBLAS runs `current` on a CPU
 * whose best is `best`; NULL when `current` is as good, unknown, or
 * `best` is NULL. */
const char *scm_blas_upgrade_core (const char *current, const char *best);

/* Call first thing in main(): when OpenBLAS picked kernels weaker than the
 * CPU supports (Debian's 0.3.21 does not recognise recent Xeons and falls
 * back to SSE3 "Prescott" kernels, ~3x slower) and the user has not chosen
 * with OPENBLAS_CORETYPE, sets OPENBLAS_CORETYPE and re-executes the
 * program so the library loads with the right kernels.  OpenBLAS reads the
 * variable only while it is being loaded, hence the re-exec.  Returns (does
 * nothing) when no change is needed, when SCM_BLAS_AUTO=0, or if the exec
 * fails. */
void        scm_blas_reexec_with_best_kernels (char **argv);

G_END_DECLS
