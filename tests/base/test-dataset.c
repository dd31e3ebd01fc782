#include <string.h>
#include <stdlib.h>
/* test-dataset.c: the in-memory model, CSR helpers, RNG and atomic writes. */
#include "scm-dataset.h"
#include "scm-error.h"
#include "scm-test-util.h"
#include "util/scm-atomic-file.h"
#include "util/scm-rng.h"

#include <math.h>

/* 3 x 4:  [1 0 2 0; 0 0 0 0; 0 3 0 4] */
static void
make_small (ScmCsr *m)
{
  g_assert_true (scm_csr_alloc (m, 3, 4, 4, NULL));
  gint64 indptr[] = { 0, 2, 2, 4 };
  gint32 idx[] = { 0, 2, 1, 3 };
  float val[] = { 1, 2, 3, 4 };
  memcpy (m->indptr, indptr, sizeof indptr);
  memcpy (m->indices, idx, sizeof idx);
  memcpy (m->data, val, sizeof val);
}

static void
test_csr_validate (void)
{
  ScmCsr m;
  make_small (&m);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_csr_validate (&m, "X", &error));
  m.indices[3] = 9;
  g_assert_false (scm_csr_validate (&m, "X", &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "out of range"));
  g_clear_error (&error);
  m.indices[3] = 3;
  m.data[0] = NAN;
  g_assert_false (scm_csr_validate (&m, "X", &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  scm_csr_clear (&m);
}

static void
test_csr_subset (void)
{
  ScmCsr m, r, c;
  make_small (&m);
  guint8 keep[] = { 1, 0, 1 };
  g_assert_true (scm_csr_subset_rows (&r, &m, keep, NULL));
  g_assert_cmpint (r.n_rows, ==, 2);
  g_assert_cmpint (scm_csr_nnz (&r), ==, 4);
  gint32 cols[] = { 3, 0 };
  g_assert_true (scm_csr_subset_cols (&c, &m, cols, 2, NULL));
  g_autofree float *d = scm_csr_to_dense (&c, NULL);
  float expect[] = { 0, 1, 0, 0, 4, 0 };
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat (d[i], ==, expect[i]);
  g_assert_true (scm_csr_validate (&c, "sub", NULL));
  scm_csr_clear (&m);
  scm_csr_clear (&r);
  scm_csr_clear (&c);
}

static void
test_csr_huge (void)
{
  ScmCsr m;
  g_autoptr (GError) error = NULL;
  g_assert_false (scm_csr_alloc (&m, G_GINT64_CONSTANT (1) << 60, 10, 10, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY);
}

static void
test_labels_column (void)
{
  const char *labels[] = { "T", "B", NULL, "T" };
  g_autoptr (ScmColumn) c = scm_column_new_from_labels ("cell_type", 4, labels);
  g_assert_cmpuint (c->n_categories, ==, 2);
  g_assert_cmpstr (c->categories[0], ==, "B");
  g_assert_cmpint (c->codes[0], ==, 1);
  g_assert_cmpint (c->codes[2], ==, -1);
  g_autofree char *v = scm_column_value_string (c, 3);
  g_assert_cmpstr (v, ==, "T");
  g_assert_null (scm_column_value_string (c, 2));
}

static void
test_dataset_subset (void)
{
  g_autoptr (ScmDataset) ds = scm_dataset_new ();
  ds->n_cells = 3;
  g_strfreev (ds->barcodes);
  ds->barcodes = g_strsplit ("a,b,c", ",", -1);
  ds->rna = scm_modality_new (SCM_MODALITY_RNA);
  make_small (&ds->rna->X);
  ds->rna->names = g_strsplit ("G1,G2,CD4,MT-X", ",", -1);
  const char *labels[] = { "x", "y", "z" };
  scm_dataset_set_obs (ds, scm_column_new_from_labels ("lab", 3, labels));
  guint8 keep[] = { 0, 1, 1 };
  g_autoptr (ScmDataset) sub = scm_dataset_subset_cells (ds, keep, NULL);
  g_assert_cmpint (sub->n_cells, ==, 2);
  g_assert_cmpstr (sub->barcodes[1], ==, "c");
  g_autofree char *v = scm_column_value_string (scm_dataset_get_obs (sub, "lab"), 1);
  g_assert_cmpstr (v, ==, "z");
  g_assert_cmpint (scm_modality_find (sub->rna, "cd4"), ==, 2);
  g_assert_cmpint (scm_dataset_find_cell (sub, "c"), ==, 1);
}

static void
test_rng (void)
{
  ScmRng a, b;
  scm_rng_seed (&a, 42);
  scm_rng_seed (&b, 42);
  for (int i = 0; i < 100; i++)
    g_assert_cmpuint (scm_rng_next (&a), ==, scm_rng_next (&b));
  double sum = 0;
  int counts[5] = { 0 };
  for (int i = 0; i < 100000; i++)
    {
      double u = scm_rng_uniform (&a);
      g_assert_true (u >= 0 && u < 1);
      sum += u;
      counts[scm_rng_below (&a, 5)]++;
    }
  g_assert_cmpfloat (fabs (sum / 100000 - 0.5), <, 0.01);
  for (int k = 0; k < 5; k++)
    g_assert_cmpint (abs (counts[k] - 20000), <, 1000);
}

static void
test_atomic_write (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *target = g_build_filename (dir, "out.csv", NULL);
  g_assert_true (scm_atomic_write_contents (target, "a,b\n", -1, NULL));
  g_autofree char *tmp = scm_atomic_file_begin (target, NULL);
  g_assert_nonnull (tmp);
  g_assert_true (g_file_set_contents (tmp, "new\n", -1, NULL));
  g_assert_true (scm_atomic_file_commit (tmp, target, NULL));
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (target, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "new\n");
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  g_autoptr (GError) error = NULL;
  g_assert_false (scm_atomic_write_contents ("/nonexistent-dir/x.csv", "x", -1, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_IO);
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/base/csr/validate", test_csr_validate);
  g_test_add_func ("/base/csr/subset", test_csr_subset);
  g_test_add_func ("/base/csr/huge", test_csr_huge);
  g_test_add_func ("/base/column/labels", test_labels_column);
  g_test_add_func ("/base/dataset/subset", test_dataset_subset);
  g_test_add_func ("/base/rng", test_rng);
  g_test_add_func ("/base/atomic-write", test_atomic_write);
  return g_test_run ();
}
