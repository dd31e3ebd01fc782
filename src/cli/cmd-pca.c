/* cmd-pca.c: `scmmae pca`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_pca (int argc, char **argv)
{
  return scm_cli_usage ("pca", "this command is not available in this build yet");
}
