/* cli-common.c: option parsing and error reporting for subcommands. */
#include "cli-common.h"

#include <stdio.h>

gboolean
scm_cli_parse (GOptionContext *ctx, int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      g_printerr ("%s\nTry '%s --help'.\n", error->message, (*argv)[0]);
      return FALSE;
    }
  return TRUE;
}

int
scm_cli_fail (const char *cmd, GError *error)
{
  g_printerr ("scmmae %s: %s\n", cmd, error ? error->message : "failed");
  return SCM_EXIT_INPUT;
}

int
scm_cli_usage (const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_printerr ("scmmae %s: %s\nTry 'scmmae %s --help'.\n", cmd, msg, cmd);
  return SCM_EXIT_USAGE;
}
