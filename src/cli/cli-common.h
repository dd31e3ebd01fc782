/* cli-common.h: conventions shared by every `scmmae` subcommand.
 *
 * Exit status: 0 success, 1 bad input (one clear message on stderr, from a
 * GError), 2 bad usage (unknown option, missing argument).
 */
#pragma once

#include <glib.h>

#define SCM_EXIT_OK    0
#define SCM_EXIT_INPUT 1
#define SCM_EXIT_USAGE 2

typedef int (*ScmCliCommandFunc) (int argc, char **argv);

/* Parses options with GOptionContext; on failure prints the message and a
 * hint and returns FALSE (the caller exits with SCM_EXIT_USAGE).  `--help`
 * prints help and exits 0. */
gboolean scm_cli_parse (GOptionContext *ctx, int *argc, char ***argv);
/* Prints "scmmae CMD: message" and returns SCM_EXIT_INPUT. */
int      scm_cli_fail  (const char *cmd, GError *error);
/* Prints a usage error and returns SCM_EXIT_USAGE. */
int      scm_cli_usage (const char *cmd, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* One function per subcommand, each in its own cmd-<name>.c. */
int scm_cmd_info       (int argc, char **argv);
int scm_cmd_preprocess (int argc, char **argv);
int scm_cmd_train      (int argc, char **argv);
int scm_cmd_embed      (int argc, char **argv);
int scm_cmd_predict    (int argc, char **argv);
int scm_cmd_bench      (int argc, char **argv);
int scm_cmd_pca        (int argc, char **argv);
int scm_cmd_neighbors  (int argc, char **argv);
int scm_cmd_leiden     (int argc, char **argv);
int scm_cmd_umap       (int argc, char **argv);
int scm_cmd_markers    (int argc, char **argv);
int scm_cmd_metrics    (int argc, char **argv);
int scm_cmd_analyze    (int argc, char **argv);
