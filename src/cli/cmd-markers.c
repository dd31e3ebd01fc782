/* cmd-markers.c: `scmmae markers`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_markers (int argc, char **argv)
{
  return scm_cli_usage ("markers", "this command is not available in this build yet");
}
