/* test-h5ad-write.c: the .h5ad writer, round-tripped through our reader.
 *
 * Writes a synthetic dataset holding every kind of column, obsm, nested
 * uns and RNA + ADT, reads it back with scm_dataset_read() and compares
 * value by value; does the same for the shared pbmc10k file; checks that
 * the input file is never overwritten and that failures leave no file.
 * (Python/anndata reading our files is the 'interop' suite.)
 */
#include "io/scm-io.h"
#include "scm-error.h"
#include "scm-test-synth.h"
#include "scm-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static void
assert_csr_equal (const ScmCsr *a, const ScmCsr *b)
{
  g_assert_cmpint (a->n_rows, ==, b->n_rows);
  g_assert_cmpint (a->n_cols, ==, b->n_cols);
  g_assert_cmpint (scm_csr_nnz (a), ==, scm_csr_nnz (b));
  g_assert_cmpmem (a->indptr, (a->n_rows + 1) * sizeof (gint64), b->indptr, (b->n_rows + 1) * sizeof (gint64));
  g_assert_cmpmem (a->indices, scm_csr_nnz (a) * sizeof (gint32), b->indices, scm_csr_nnz (b) * sizeof (gint32));
  g_assert_cmpmem (a->data, scm_csr_nnz (a) * sizeof (float), b->data, scm_csr_nnz (b) * sizeof (float));
}

static void
assert_strv_equal (char **a, char **b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpint (g_strv_length (a), ==, g_strv_length (b));
  for (guint i = 0; a[i]; i++)
    g_assert_cmpstr (a[i], ==, b[i]);
}

static void
assert_obs_equal (const ScmDataset *a, const ScmDataset *b)
{
  for (guint i = 0; i < a->obs->len; i++)
    {
      const ScmColumn *ca = a->obs->pdata[i];
      const ScmColumn *cb = scm_dataset_get_obs (b, ca->name);
      g_assert_nonnull (cb);
      for (gint64 r = 0; r < a->n_cells; r++)
        {
          g_autofree char *va = scm_column_value_string (ca, r);
          g_autofree char *vb = scm_column_value_string (cb, r);
          g_assert_cmpstr (va, ==, vb);
        }
    }
}

static void
test_roundtrip_synthetic (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "synth.h5ad", NULL);
  g_autoptr (ScmDataset) ds = scm_test_synth_dataset (40, 25, 3);
  g_autoptr (GError) err = NULL;
  g_assert_true (scm_h5ad_write (ds, path, &err));
  g_assert_no_error (err);

  g_assert_cmpint (scm_io_detect_format (path, NULL), ==, SCM_FORMAT_H5AD);
  g_autoptr (ScmDataset) back = scm_dataset_read (path, NULL, &err);
  g_assert_no_error (err);
  g_assert_nonnull (back);
  g_assert_cmpint (back->n_cells, ==, 40);
  assert_strv_equal (ds->barcodes, back->barcodes);
  g_assert_nonnull (back->rna);
  assert_csr_equal (&ds->rna->X, &back->rna->X);
  assert_strv_equal (ds->rna->names, back->rna->names);
  assert_strv_equal (ds->rna->ids, back->rna->ids);
  g_assert_nonnull (back->adt);
  assert_csr_equal (&ds->adt->X, &back->adt->X);
  assert_strv_equal (ds->adt->names, back->adt->names);
  assert_obs_equal (ds, back);
  const ScmColumn *ct = scm_dataset_get_obs (back, "cell_type");
  g_assert_cmpint (ct->kind, ==, SCM_COLUMN_CATEGORICAL);
  g_assert_cmpint (ct->codes[1], ==, -1);
  g_assert_cmpint (scm_dataset_get_obs (back, "score")->kind, ==, SCM_COLUMN_NUMERIC);
  g_assert_true (isnan (scm_dataset_get_obs (back, "score")->numbers[2]));
  const ScmMatrix *u = scm_dataset_get_obsm (back, "X_umap");
  g_assert_nonnull (u);
  g_assert_cmpmem (u->data, 80 * sizeof (float), scm_dataset_get_obsm (ds, "X_umap")->data, 80 * sizeof (float));
  scm_test_rmdir (dir);
}

static void
test_roundtrip_pbmc10k (void)
{
  g_autofree char *in = scm_test_shared_path ("pbmc10k/pbmc10k.h5ad");
  if (in == NULL)
    return;
  g_autoptr (GError) err = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (in, NULL, &err);
  g_assert_no_error (err);
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "pbmc10k-copy.h5ad", NULL);
  g_assert_true (scm_h5ad_write (ds, path, &err));
  g_assert_no_error (err);
  g_autoptr (ScmDataset) back = scm_dataset_read (path, NULL, &err);
  g_assert_no_error (err);
  g_assert_cmpint (back->n_cells, ==, 6855);
  assert_strv_equal (ds->barcodes, back->barcodes);
  assert_csr_equal (&ds->rna->X, &back->rna->X);
  assert_strv_equal (ds->rna->names, back->rna->names);
  g_assert_nonnull (back->adt);
  assert_csr_equal (&ds->adt->X, &back->adt->X);
  assert_strv_equal (ds->adt->names, back->adt->names);
  assert_obs_equal (ds, back);
  /* gzip makes the copy no bigger than a few times the original. */
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_test_message ("pbmc10k copy: %.2f MB", st.st_size / 1e6);
  g_assert_cmpint (st.st_size, <, 20 * 1000 * 1000);
  scm_test_rmdir (dir);
}

static void
test_refuse_input (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "in.h5ad", NULL);
  g_autoptr (ScmDataset) ds = scm_test_synth_dataset (10, 5, 0);
  g_autoptr (GError) err = NULL;
  g_assert_true (scm_h5ad_write (ds, path, &err));
  GStatBuf before;
  g_assert_cmpint (g_stat (path, &before), ==, 0);
  ds->path = g_strdup (path);
  g_assert_false (scm_h5ad_write (ds, path, &err));
  g_assert_error (err, SCM_ERROR, SCM_ERROR_INVALID);
  g_assert_nonnull (strstr (err->message, "overwrite"));
  g_clear_error (&err);
  /* The same file through another spelling of its path. */
  g_autofree char *alias = g_build_filename (dir, ".", "in.h5ad", NULL);
  g_assert_false (scm_h5ad_write (ds, alias, &err));
  g_assert_error (err, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&err);
  GStatBuf after;
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpint (before.st_mtime, ==, after.st_mtime);
  g_assert_cmpint (before.st_size, ==, after.st_size);
  scm_test_rmdir (dir);
}

static void
test_errors (void)
{
  g_autoptr (ScmDataset) ds = scm_test_synth_dataset (10, 5, 2);
  g_autoptr (GError) err = NULL;
  /* Directory that does not exist. */
  g_assert_false (scm_h5ad_write (ds, "/nonexistent-dir-scm/x.h5ad", &err));
  g_assert_nonnull (err);
  g_clear_error (&err);
  /* Inconsistent dataset: nothing is written. */
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "bad.h5ad", NULL);
  ds->adt->X.n_rows = 9;
  g_assert_false (scm_h5ad_write (ds, path, &err));
  g_assert_error (err, SCM_ERROR, SCM_ERROR_INVALID);
  ds->adt->X.n_rows = 10;
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (d));   /* no temporary left behind */
  scm_test_rmdir (dir);
}

static void
test_protein_only (void)
{
  /* A protein-only dataset keeps its proteins in X (as the shared malt10k
   * file does) and reads back as ADT. */
  g_autoptr (ScmDataset) ds = scm_test_synth_dataset (12, 4, 5);
  g_clear_pointer (&ds->rna, scm_modality_free);
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "adt.h5ad", NULL);
  g_autoptr (GError) err = NULL;
  g_assert_true (scm_h5ad_write (ds, path, &err));
  g_assert_no_error (err);
  g_autoptr (ScmDataset) back = scm_dataset_read (path, NULL, &err);
  g_assert_no_error (err);
  g_assert_cmpint (back->n_cells, ==, 12);
  const ScmModality *m = back->adt ? back->adt : back->rna;
  g_assert_nonnull (m);
  assert_csr_equal (&ds->adt->X, &m->X);
  assert_strv_equal (ds->adt->names, m->names);
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/io/h5ad-write/roundtrip-synthetic", test_roundtrip_synthetic);
  g_test_add_func ("/io/h5ad-write/roundtrip-pbmc10k", test_roundtrip_pbmc10k);
  g_test_add_func ("/io/h5ad-write/refuse-input", test_refuse_input);
  g_test_add_func ("/io/h5ad-write/errors", test_errors);
  g_test_add_func ("/io/h5ad-write/protein-only", test_protein_only);
  return g_test_run ();
}
