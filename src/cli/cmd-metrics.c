/* cmd-metrics.c: `scmmae metrics`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_metrics (int argc, char **argv)
{
  return scm_cli_usage ("metrics", "this command is not available in this build yet");
}
