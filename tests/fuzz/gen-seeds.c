/* gen-seeds.c: writes the committed seed corpus (tests/fuzz/corpus/<reader>/)
 * from the test builders of tests/io/scm-test-h5.c.  Run by run.sh only
 * when a corpus folder is missing; the outputs are small (< 200 KB total). */
#include "scm-test-h5.h"

#include <glib/gstdio.h>

static char *
out (const char *root, const char *sub, const char *name)
{
  g_autofree char *dir = g_build_filename (root, sub, NULL);
  g_mkdir_with_parents (dir, 0755);
  return g_build_filename (dir, name, NULL);
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      g_printerr ("usage: gen-seeds CORPUS_DIR\n");
      return 2;
    }
  const char *root = argv[1];
  Th5Spec plain = { 0 };
  Th5Spec rich = { .kind = TH5_X_CSC, .index_type = H5T_STD_I64LE, .obs_extra = TRUE,
                   .proteins = TRUE };
  Th5Spec norm = { .kind = TH5_X_DENSE, .data_type = H5T_IEEE_F64LE, .normalise_x = TRUE,
                   .layers_counts = TRUE, .feature_types = TRUE };
  g_autofree char *a = out (root, "h5ad", "plain.h5ad");
  g_autofree char *b = out (root, "h5ad", "rich.h5ad");
  g_autofree char *c = out (root, "h5ad", "norm.h5ad");
  th5_make_h5ad (a, &plain);
  th5_make_h5ad (b, &rich);
  th5_make_h5ad (c, &norm);
  g_autofree char *d = out (root, "10x", "i64.h5");
  g_autofree char *e = out (root, "10x", "i32.h5");
  th5_make_10x (d, H5T_STD_I64LE);
  th5_make_10x (e, H5T_STD_I32LE);
  g_autofree char *f = out (root, "h5mu", "reordered.h5mu");
  th5_make_h5mu (f);
  const char *csv[] = {
    "barcode,cell_type\nAAAC-1,T\nAAAG-1,B\nAAAT-1,\nZZZ-1,B\n",
    "\xEF\xBB\xBF" "barcode,\"cell type\"\r\n\"AAAC-1\",\"T, \"\"naive\"\"\"\r\nAACA-1,NK\r\n",
    "barcode\tlabel\nAAAC-1\t1\nAAAG-1\t2\n",
  };
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("seed%d.csv", i);
      g_autofree char *p = out (root, "csv", name);
      g_file_set_contents (p, csv[i], -1, NULL);
    }
  return 0;
}
