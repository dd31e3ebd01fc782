/* cmd-embed.c: `scmmae embed`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_embed (int argc, char **argv)
{
  return scm_cli_usage ("embed", "this command is not available in this build yet");
}
