/* scm-test-util.c: locating shared data and fixtures for tests. */
#include "config.h"
#include "scm-test-util.h"

#include <glib/gstdio.h>

static char *
existing_or_skip (char *path)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *msg = g_strdup_printf ("missing test data %s", path);
      g_test_skip (msg);
      g_free (path);
      return NULL;
    }
  return path;
}

char *
scm_test_shared_path (const char *rel)
{
  const char *root = g_getenv ("SCM_SHARED_DATA");
  return existing_or_skip (g_build_filename (root ? root : SCM_SHARED_DATA_DIR, rel, NULL));
}

char *
scm_test_reference_path (const char *rel)
{
  const char *root = g_getenv ("SCM_REFERENCE");
  return existing_or_skip (g_build_filename (root ? root : SCM_REFERENCE_DIR, rel, NULL));
}

char *
scm_test_fixture_path (const char *rel)
{
  return g_build_filename (SCM_SOURCE_DIR, "tests", "fixtures", rel, NULL);
}

char *
scm_test_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("scmmae-test-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

void
scm_test_rmdir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return;
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        scm_test_rmdir (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}
