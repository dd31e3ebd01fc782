/* scm-blas.c: OpenBLAS identification and thread control. */
#include "scm-blas.h"

/* OpenBLAS exports these; declared here so we need no openblas_config.h. */
extern char *openblas_get_corename (void);
extern char *openblas_get_config (void);
extern int openblas_get_num_threads (void);
extern void openblas_set_num_threads (int);

const char *
scm_blas_core_name (void)
{
  return openblas_get_corename ();
}

int
scm_blas_get_threads (void)
{
  return openblas_get_num_threads ();
}

void
scm_blas_set_threads (int n)
{
  openblas_set_num_threads (n > 0 ? n : 1);
}

const char *
scm_blas_describe (void)
{
  static char buf[256];
  g_snprintf (buf, sizeof buf, "%s core=%s threads=%d", openblas_get_config (),
              openblas_get_corename (), openblas_get_num_threads ());
  return buf;
}
