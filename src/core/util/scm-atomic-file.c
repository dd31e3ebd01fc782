/* scm-atomic-file.c: temp file + fsync + rename. */
#include "scm-atomic-file.h"
#include "scm-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

char *
scm_atomic_file_begin (const char *target, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (target);
  g_autofree char *base = g_path_get_basename (target);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  int fd = g_mkstemp (tmpl);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot create a file in %s: %s",
                   target, dir, g_strerror (e));
      return NULL;
    }
  close (fd);
  return g_steal_pointer (&tmpl);
}

gboolean
scm_atomic_file_commit (const char *tmp_path, const char *target, GError **error)
{
  int fd = open (tmp_path, O_RDONLY);
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
  /* mkstemp creates 0600; give the file the usual permissions. */
  mode_t mask = umask (0);
  umask (mask);
  chmod (tmp_path, 0666 & ~mask);
  if (g_rename (tmp_path, target) != 0)
    {
      int e = errno;
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot replace file: %s", target,
                   g_strerror (e));
      g_unlink (tmp_path);
      return FALSE;
    }
  return TRUE;
}

void
scm_atomic_file_abort (const char *tmp_path)
{
  if (tmp_path)
    g_unlink (tmp_path);
}

gboolean
scm_atomic_write_contents (const char *target, const char *data, gssize len, GError **error)
{
  GError *local = NULL;
  /* g_file_set_contents already writes a temp file, fsyncs and renames. */
  if (!g_file_set_contents_full (target, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0666, &local))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s", local->message);
      g_error_free (local);
      return FALSE;
    }
  return TRUE;
}
