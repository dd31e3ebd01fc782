/* cmd-preprocess.c: `scmmae preprocess`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_preprocess (int argc, char **argv)
{
  return scm_cli_usage ("preprocess", "this command is not available in this build yet");
}
