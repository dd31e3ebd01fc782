/* scm-bad-files.h: the generated corpus of damaged input files (see .c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char        name[64];   /* file name inside the folder */
  int         code;       /* expected ScmErrorCode */
  const char *needle;     /* text the message must contain (object or problem) */
} ScmBadFile;

/* Writes every corpus file into dir; returns ScmBadFile* entries. */
GPtrArray *scm_bad_files_make (const char *dir);

G_END_DECLS
