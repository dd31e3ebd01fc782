/* test-blas.c: choosing OpenBLAS kernels.  Debian's OpenBLAS may fall back
 * to SSE3 kernels on CPUs it does not know; the CLI and the app then restart
 * themselves with OPENBLAS_CORETYPE set (scm_blas_reexec_with_best_kernels).
 * The decision is a pure function, tested here on a table; the restart
 * itself is checked through the CLI when the CPU has something better than
 * Prescott to offer. */
#include "util/scm-blas.h"

#include <string.h>

static void
test_upgrade_table (void)
{
  /* weaker kernels than the CPU can run: switch */
  g_assert_cmpstr (scm_blas_upgrade_core ("Prescott", "SkylakeX"), ==, "SkylakeX");
  g_assert_cmpstr (scm_blas_upgrade_core ("Nehalem", "Haswell"), ==, "Haswell");
  g_assert_cmpstr (scm_blas_upgrade_core ("Haswell", "SkylakeX"), ==, "SkylakeX");
  g_assert_cmpstr (scm_blas_upgrade_core ("SANDYBRIDGE", "Haswell"), ==, "Haswell");
  /* as good or better already: leave alone */
  g_assert_null (scm_blas_upgrade_core ("Cooperlake", "SkylakeX"));
  g_assert_null (scm_blas_upgrade_core ("SkylakeX", "SkylakeX"));
  g_assert_null (scm_blas_upgrade_core ("Zen", "Haswell"));
  g_assert_null (scm_blas_upgrade_core ("Haswell", "Sandybridge"));
  /* unknown kernel names (another architecture, a future core) or no
   * x86 features: never guess */
  g_assert_null (scm_blas_upgrade_core ("ARMV8", "SkylakeX"));
  g_assert_null (scm_blas_upgrade_core ("Prescott", NULL));
  g_assert_null (scm_blas_upgrade_core (NULL, "Haswell"));
}

/* Runs `scmmae bench train` (tiny, one step) with `coretype` (NULL: unset)
 * and returns the blas_core it reports. */
static char *
cli_core (const char *coretype, gboolean auto_on)
{
  const char *cli = g_getenv ("SCMMAE_CLI");
  g_auto (GStrv) env = g_get_environ ();
  env = coretype ? g_environ_setenv (env, "OPENBLAS_CORETYPE", coretype, TRUE)
                 : g_environ_unsetenv (env, "OPENBLAS_CORETYPE");
  env = g_environ_setenv (env, "SCM_BLAS_AUTO", auto_on ? "1" : "0", TRUE);
  const char *argv[] = { cli, "bench", "train", "--stage", "2", "--preset", "tiny",
                         "--steps", "1", "--warmup", "0", "--threads", "1", "--json", NULL };
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  const char *p = strstr (out, "\"blas_core\": \"");
  g_assert_nonnull (p);
  p += strlen ("\"blas_core\": \"");
  return g_strndup (p, strcspn (p, "\""));
}

static void
test_cli_restart (void)
{
  const char *best = scm_blas_best_core ();
  if (g_getenv ("SCMMAE_CLI") == NULL || best == NULL)
    {
      g_test_skip ("needs the CLI and an x86-64 CPU with AVX");
      return;
    }
  /* A user's explicit choice is kept. */
  g_autofree char *forced = cli_core ("Prescott", TRUE);
  g_assert_cmpstr (forced, ==, "Prescott");
  /* Unset: whatever the library detects, the CLI ends up with kernels at
   * least as good as the CPU's best family. */
  g_autofree char *chosen = cli_core (NULL, TRUE);
  g_assert_null (scm_blas_upgrade_core (chosen, best));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/base/blas/upgrade-table", test_upgrade_table);
  g_test_add_func ("/base/blas/cli-restart", test_cli_restart);
  return g_test_run ();
}
