/* scm-fuzz-common.h: shared body of the libFuzzer harnesses.
 *
 * The input bytes are written to a per-process file in /dev/shm (HDF5
 * needs a path; tmpfs keeps it in memory) and handed to one reader
 * directly, bypassing format detection so that mutations which break
 * detection still reach the reader.  Detection is exercised as well.
 * Any GError is fine; a crash, leak or sanitizer report is a finding.
 */
#pragma once

#include "io/scm-read-private.h"

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static inline const char *
scm_fuzz_write (const uint8_t *data, size_t size, const char *ext)
{
  static char path[128];
  if (path[0] == '\0')
    {
      const char *dir = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
      g_snprintf (path, sizeof path, "%s/scm-fuzz-%d%s", dir, (int) getpid (), ext);
    }
  FILE *fp = fopen (path, "wb");
  if (fp == NULL)
    abort ();
  if (size && fwrite (data, 1, size, fp) != size)
    abort ();
  fclose (fp);
  return path;
}

typedef ScmDataset *(*ScmFuzzReader) (const ScmH5 *h, const ScmReadOptions *opts, GError **error);

static inline void
scm_fuzz_read_with (const char *path, ScmFuzzReader reader)
{
  g_autoptr (GError) e0 = NULL;
  (void) scm_io_detect_format (path, &e0);
  ScmReadOptions opts = { NULL, FALSE };
  scm_h5_lock ();
  ScmH5 h;
  GError *error = NULL;
  if (_scm_h5_open (&h, path, &error))
    {
      ScmDataset *ds = reader (&h, &opts, &error);
      if (ds)
        {
          /* touch what a caller would use */
          g_assert (ds->n_cells >= 0);
          if (ds->rna)
            g_assert (scm_csr_validate (&ds->rna->X, "rna", NULL));
          if (ds->adt)
            g_assert (scm_csr_validate (&ds->adt->X, "adt", NULL));
          scm_dataset_unref (ds);
        }
      _scm_h5_close (&h);
    }
  scm_h5_unlock ();
  g_clear_error (&error);
}
