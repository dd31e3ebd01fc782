/* scm-blas.c: OpenBLAS identification and thread control. */
#include "scm-blas.h"

#include <string.h>
#include <unistd.h>

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

/* Kernel families in increasing order of the instructions they need.  A
 * name OpenBLAS reports that is not listed ranks as 0 (unknown: leave it). */
static int
core_rank (const char *name)
{
  static const struct { const char *name; int rank; } table[] = {
    { "Prescott", 1 }, { "Core2", 1 }, { "Penryn", 1 }, { "Dunnington", 1 },
    { "Nehalem", 1 }, { "Atom", 1 }, { "Opteron", 1 }, { "Opteron_SSE3", 1 },
    { "Barcelona", 1 }, { "Bobcat", 1 }, { "Katmai", 1 }, { "Coppermine", 1 },
    { "Northwood", 1 }, { "Banias", 1 },
    { "Sandybridge", 2 }, { "Bulldozer", 2 }, { "Piledriver", 2 },
    { "Haswell", 3 }, { "Zen", 3 }, { "Steamroller", 3 }, { "Excavator", 3 },
    { "SkylakeX", 4 }, { "Cooperlake", 4 }, { "SapphireRapids", 4 },
  };
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (table); i++)
    if (g_ascii_strcasecmp (name, table[i].name) == 0)
      return table[i].rank;
  return 0;
}

const char *
scm_blas_best_core (void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  /* libgcc's feature bits include the OS check (XGETBV) for AVX state. */
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw") &&
      __builtin_cpu_supports ("avx512dq") && __builtin_cpu_supports ("avx512vl"))
    return "SkylakeX";
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    return "Haswell";
  if (__builtin_cpu_supports ("avx"))
    return "Sandybridge";
#endif
  return NULL;
}

const char *
scm_blas_upgrade_core (const char *current, const char *best)
{
  int have = core_rank (current);
  if (best == NULL || have == 0 || have >= core_rank (best))
    return NULL;
  return best;
}

void
scm_blas_reexec_with_best_kernels (char **argv)
{
  if (g_getenv ("OPENBLAS_CORETYPE") != NULL || g_strcmp0 (g_getenv ("SCM_BLAS_AUTO"), "0") == 0)
    return;
  const char *best = scm_blas_upgrade_core (openblas_get_corename (), scm_blas_best_core ());
  if (best == NULL)
    return;
  /* Only a DYNAMIC_ARCH build can switch kernels; others ignore the variable. */
  if (strstr (openblas_get_config (), "DYNAMIC_ARCH") == NULL)
    return;
  g_setenv ("OPENBLAS_CORETYPE", best, TRUE);
  execv ("/proc/self/exe", argv);
  /* exec failed (no /proc?): carry on with the kernels we have. */
  g_unsetenv ("OPENBLAS_CORETYPE");
}
