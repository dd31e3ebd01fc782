/* fuzz-csv.c: libFuzzer harness for the labels CSV join.  The dataset is
 * four cells whose barcodes the seed CSVs use. */
#include "scm-fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = scm_fuzz_write (data, size, ".csv");
  ScmDataset *ds = scm_dataset_new ();
  const char *bc[] = { "AAAC-1", "AAAG-1", "AAAT-1", "AACA-1", NULL };
  g_strfreev (ds->barcodes);
  ds->barcodes = g_strdupv ((char **) bc);
  ds->n_cells = 4;
  ScmLabelsReport rep;
  GError *error = NULL;
  if (scm_labels_join_csv (ds, path, NULL, &rep, &error))
    {
      ScmColumn *c = ds->obs->pdata[ds->obs->len - 1];
      for (gint64 i = 0; i < c->n; i++)
        g_assert (c->codes[i] >= -1 && c->codes[i] < (gint32) c->n_categories);
      g_assert (rep.n_matched + rep.n_unmatched == rep.n_rows);
      scm_labels_report_clear (&rep);
    }
  g_clear_error (&error);
  scm_dataset_unref (ds);
  return 0;
}
