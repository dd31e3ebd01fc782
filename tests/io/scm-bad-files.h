/* scm-bad-files.h: the generated corpus of damaged input files (see .c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char        name[64];   /* file name inside the folder */
  int         code;       /* expected ScmErrorCode */
  const char *needle;     /* text the message must contain (object or problem) */
} ScmBadFile;

/* Damages the on-disk descriptor of vlen string `text` (in the first
 * global heap collection): what 0 bad object index, 1 wrong length, 2
 * address that is not a collection. */
void scm_bad_files_damage_vlen (const char *path, const char *text, int what);

/* Writes every corpus file into dir; returns ScmBadFile* entries. */
GPtrArray *scm_bad_files_make (const char *dir);

G_END_DECLS
