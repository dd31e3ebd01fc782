/* cmd-train.c: `scmmae train`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_train (int argc, char **argv)
{
  return scm_cli_usage ("train", "this command is not available in this build yet");
}
