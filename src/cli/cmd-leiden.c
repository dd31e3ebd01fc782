/* cmd-leiden.c: `scmmae leiden`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_leiden (int argc, char **argv)
{
  return scm_cli_usage ("leiden", "this command is not available in this build yet");
}
