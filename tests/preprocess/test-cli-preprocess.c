/* test-cli-preprocess.c: `scmmae preprocess` as a user runs it.
 *
 * Spawns the CLI named by $SCMMAE_CLI: usage errors exit 2, bad input exits
 * 1 with one message, a real run on pbmc3k writes a file our reader loads
 * back with the asked-for number of HVGs and the joined labels.
 */
#include "io/scm-io.h"
#include "scm-test-util.h"

#include <string.h>

typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

static gboolean
run_cli (Run *r, const char *first, ...)
{
  const char *cli = g_getenv ("SCMMAE_CLI");
  if (cli == NULL || !g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("SCMMAE_CLI is not set to the built scmmae");
      return FALSE;
    }
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) cli);
  g_ptr_array_add (argv, (gpointer) "preprocess");
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GError) error = NULL;
  memset (r, 0, sizeof *r);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &r->status, &error));
  g_assert_no_error (error);
  g_ptr_array_unref (argv);
  r->status = WIFEXITED (r->status) ? WEXITSTATUS (r->status) : -1;
  return TRUE;
}

static void
test_usage (void)
{
  Run r;
  if (!run_cli (&r, "--help", NULL))
    return;
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "--n-top-genes"));
  g_assert_nonnull (strstr (r.out, "--flavor"));
  run_clear (&r);

  run_cli (&r, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "missing input"));
  run_clear (&r);

  run_cli (&r, "in.h5ad", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "-o"));
  run_clear (&r);

  run_cli (&r, "in.h5ad", "-o", "x.h5ad", "--flavor", "cellranger", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "cellranger"));
  run_clear (&r);

  run_cli (&r, "in.h5ad", "-o", "x.h5ad", "--n-top-genes", "-5", NULL);
  g_assert_cmpint (r.status, ==, 2);
  run_clear (&r);

  run_cli (&r, "in.h5ad", "-o", "x.h5ad", "--no-such-option", NULL);
  g_assert_cmpint (r.status, ==, 2);
  run_clear (&r);
}

static void
test_bad_input (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "nope.h5ad", NULL);
  g_autofree char *out = g_build_filename (dir, "out.h5ad", NULL);
  Run r;
  if (!run_cli (&r, missing, "-o", out, NULL))
    return;
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "nope.h5ad"));
  /* one clear message: a single line */
  g_assert_nonnull (strchr (r.err, '\n'));
  g_assert_null (strchr (strchr (r.err, '\n') + 1, '\n'));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  run_clear (&r);

  /* A text file is not a dataset. */
  g_autofree char *txt = g_build_filename (dir, "notes.h5ad", NULL);
  g_assert_true (g_file_set_contents (txt, "hello\n", -1, NULL));
  run_cli (&r, txt, "-o", out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  run_clear (&r);
  scm_test_rmdir (dir);
}

static void
test_pbmc3k (void)
{
  g_autofree char *in = scm_test_shared_path ("pbmc3k/pbmc3k.h5ad");
  g_autofree char *csv = scm_test_shared_path ("pbmc3k/labels_cell_type.csv");
  if (in == NULL || csv == NULL)
    return;
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "pp.h5ad", NULL);
  Run r;
  if (!run_cli (&r, in, "-o", out, "--n-top-genes", "500", "--labels", csv, "--label-column",
                "celltype_csv", NULL))
    return;
  g_test_message ("%s%s", r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "HVG: 500 genes"));
  g_assert_nonnull (strstr (r.out, "RNA matrix: X"));
  g_assert_nonnull (strstr (r.out, "2638 matched"));
  g_assert_nonnull (strstr (r.out, "removed: 58 in < 3 cells"));
  run_clear (&r);

  g_autoptr (GError) err = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (out, NULL, &err);
  g_assert_no_error (err);
  g_assert_cmpint (ds->n_cells, ==, 2638);
  g_assert_cmpint (ds->rna->X.n_cols, ==, 500);
  g_assert_nonnull (scm_dataset_get_obs (ds, "celltype_csv"));
  g_assert_nonnull (scm_dataset_get_obs (ds, "pct_counts_mt"));

  /* Seurat flavour with its default cutoffs. */
  g_autofree char *out2 = g_build_filename (dir, "pp2.h5ad", NULL);
  run_cli (&r, in, "-o", out2, "--flavor", "seurat", "--n-top-genes", "0", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "HVG: 1826 genes (flavor seurat)"));
  run_clear (&r);

  /* Writing over the input is refused and leaves it intact. */
  run_cli (&r, out, "-o", out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  run_clear (&r);
  /* out holds log-normalised values: preprocessing it again is refused. */
  g_autofree char *out3 = g_build_filename (dir, "pp3.h5ad", NULL);
  run_cli (&r, out, "-o", out3, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_test_message ("re-preprocess: %s", r.err);
  run_clear (&r);
  scm_test_rmdir (dir);
}

static void
test_protein_only (void)
{
  g_autofree char *in = scm_test_shared_path ("malt10k_protein_only/malt10k_protein_only.h5ad");
  if (in == NULL)
    return;
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "malt.h5ad", NULL);
  Run r;
  if (!run_cli (&r, in, "-o", out, NULL))
    return;
  g_test_message ("%s%s", r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "RNA matrix: none"));
  run_clear (&r);
  g_autoptr (GError) err = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (out, NULL, &err);
  g_assert_no_error (err);
  g_assert_cmpint (ds->n_cells, ==, 6838);
  g_assert_nonnull (scm_dataset_get_obsm (ds, "protein_clr"));
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/preprocess/cli/usage", test_usage);
  g_test_add_func ("/preprocess/cli/bad-input", test_bad_input);
  g_test_add_func ("/preprocess/cli/pbmc3k", test_pbmc3k);
  g_test_add_func ("/preprocess/cli/protein-only", test_protein_only);
  return g_test_run ();
}
