/* cmd-umap.c: `scmmae umap`. Placeholder until its engine part lands. */
#include "cli-common.h"

int
scm_cmd_umap (int argc, char **argv)
{
  return scm_cli_usage ("umap", "this command is not available in this build yet");
}
