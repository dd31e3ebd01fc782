/* test-bad-files.c: every file of the generated bad-input corpus
 * (scm-bad-files.c) fails with the expected GError code and a message
 * that names the file and the object or problem; nothing crashes (the
 * suite also runs under ASan/UBSan).  Detection alone must not crash
 * either. */
#include "io/scm-io.h"
#include "scm-bad-files.h"
#include "scm-error.h"
#include "scm-test-util.h"

#include <string.h>

static void
test_corpus (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autoptr (GPtrArray) files = scm_bad_files_make (dir);
  g_assert_cmpuint (files->len, >=, 40);
  for (guint i = 0; i < files->len; i++)
    {
      const ScmBadFile *b = files->pdata[i];
      g_autofree char *path = g_build_filename (dir, b->name, NULL);
      g_autoptr (GError) error = NULL;
      g_test_message ("%s", b->name);
      g_autoptr (ScmDataset) ds = scm_dataset_read (path, NULL, &error);
      if (ds != NULL || error == NULL || error->code != b->code
          || strstr (error->message, b->name) == NULL || strstr (error->message, b->needle) == NULL)
        g_error ("%s: expected code %d with \"%s\", got %s (code %d)", b->name, b->code, b->needle,
                 error ? error->message : "success", error ? error->code : -1);
      g_assert_true (error->domain == SCM_ERROR);
      /* detection never crashes and never claims success on junk layouts */
      g_autoptr (GError) e2 = NULL;
      (void) scm_io_detect_format (path, &e2);
    }
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/io/bad-files/corpus", test_corpus);
  return g_test_run ();
}
