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

/* Committed inputs the fuzzers found (tests/fixtures/io): each fails with
 * the expected code naming the file and the damaged object, no crash.
 * crash-h5hg-read.h5ad: the first var/_index string descriptor has object
 * index 2^31, far past the end of its global heap collection; HDF5 1.10.8
 * indexes its object table with it in H5HG_read (SEGV).
 * crash-h5o-get-info.h5ad: a damaged object header under var/ made
 * H5Oget_info_by_name (all fields) dereference NULL while computing the
 * metadata sizes; the readers now ask for the basic fields only, and the
 * reader reports the missing dataset.
 * crash-h5o-attr-decode.h5ad: an attribute message whose name/type/space
 * sizes overrun the message; HDF5 decodes it without bounds checks (heap
 * overflow in H5Aexists).  Such headers are now checked first and their
 * attributes read as absent.
 * crash-h5f-accum-read.h5mu: the symbol-table message of mod/rna/obs (in
 * a continuation chunk of its object header) gives an undefined local
 * heap address; H5Lexists then crashed in H5F__accum_read (NULL memcpy).
 * The open-time walk of the group tree now rejects the file. */
static const struct {
  const char *name;
  int         code;
  const char *needle;
} fuzz_cases[] = {
  { "crash-h5hg-read.h5ad", SCM_ERROR_CORRUPT, "var/_index" },
  { "crash-h5o-get-info.h5ad", SCM_ERROR_FORMAT, "var/feature_types/codes" },
  { "crash-h5o-attr-decode.h5ad", SCM_ERROR_FORMAT, "obs/is_doublet" },
  { "crash-h5f-accum-read.h5mu", SCM_ERROR_CORRUPT, "local heap" },
};

static void
test_fuzz_regressions (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fuzz_cases); i++)
    {
      g_autofree char *rel = g_build_filename ("io", fuzz_cases[i].name, NULL);
      g_autofree char *path = scm_test_fixture_path (rel);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      g_autoptr (GError) error = NULL;
      g_autoptr (ScmDataset) ds = scm_dataset_read (path, NULL, &error);
      g_test_message ("%s: %s", fuzz_cases[i].name, error ? error->message : "success");
      g_assert_null (ds);
      g_assert_error (error, SCM_ERROR, fuzz_cases[i].code);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, fuzz_cases[i].needle));
      g_autoptr (GError) e2 = NULL;
      (void) scm_io_detect_format (path, &e2);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/io/bad-files/corpus", test_corpus);
  g_test_add_func ("/io/bad-files/fuzz-regressions", test_fuzz_regressions);
  return g_test_run ();
}
