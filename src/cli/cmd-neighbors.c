/* cmd-neighbors.c: `scmmae neighbors`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_neighbors (int argc, char **argv)
{
  return scm_cli_usage ("neighbors", "this command is not available in this build yet");
}
