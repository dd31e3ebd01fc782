/* cmd-predict.c: `scmmae predict`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_predict (int argc, char **argv)
{
  return scm_cli_usage ("predict", "this command is not available in this build yet");
}
