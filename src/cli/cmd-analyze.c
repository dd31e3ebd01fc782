/* cmd-analyze.c: `scmmae analyze`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_analyze (int argc, char **argv)
{
  return scm_cli_usage ("analyze", "this command is not available in this build yet");
}
