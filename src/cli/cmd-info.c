/* cmd-info.c: `scmmae info`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_info (int argc, char **argv)
{
  return scm_cli_usage ("info", "this command is not available in this build yet");
}
