/* test-cli-dispatch.c: the `scmmae` tool's top-level contract.
#include <sys/wait.h>
 *
 * Exit status 0 on success (and --help), 2 on bad usage; every subcommand
 * answers --help with its own usage text.
 */
#include "scm-test-util.h"

#include <string.h>

static int
run (const char *const *args, char **out, char **err)
{
  const char *cli = g_getenv ("SCMMAE_CLI");
  g_assert_nonnull (cli);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) cli);
  for (int i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_top_level (void)
{
  g_autofree char *out = NULL, *err = NULL;
  const char *help[] = { "--help", NULL };
  g_assert_cmpint (run (help, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Commands:"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  const char *none[] = { NULL };
  g_assert_cmpint (run (none, &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  const char *bogus[] = { "frobnicate", NULL };
  g_assert_cmpint (run (bogus, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "unknown command"));
}

static void
test_subcommand_help (gconstpointer data)
{
  const char *cmd = data;
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { cmd, "--help", NULL };
  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Usage:"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/dispatch/top-level", test_top_level);
  static const char *cmds[] = { "info", "preprocess", "train", "embed", "predict", "bench", "pca",
                                "neighbors", "leiden", "umap", "markers", "metrics", "analyze" };
  for (gsize i = 0; i < G_N_ELEMENTS (cmds); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/help/%s", cmds[i]);
      g_test_add_data_func (path, cmds[i], test_subcommand_help);
    }
  return g_test_run ();
}
