/* cmd-bench.c: `scmmae bench`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_bench (int argc, char **argv)
{
  return scm_cli_usage ("bench", "this command is not available in this build yet");
}
