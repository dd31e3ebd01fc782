/* test-cli-graph.c: the `neighbors`, `leiden` and `umap` subcommands end to
 * end on pbmc10k.h5ad with the per-protein CLR of its ADT counts written
 * as obsm/X_clr (the reader moves obsm/protein_expression to the ADT
 * modality, so the test builds its own representation):
 * exit codes 0/1/2, and outputs that read back with obs/leiden and
 * obsm/X_umap. */
#include "analysis-test-util.h"
#include "io/scm-io.h"
#include "scm-test-util.h"

#include <math.h>
#include <string.h>

static int
run (const char *const *args, char **err_out)
{
  const char *cli = g_getenv ("SCMMAE_CLI");
  g_assert_nonnull (cli);
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) cli);
  for (const char *const *a = args; *a; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  int status = -1;
  g_autofree char *out = NULL;
  char *err = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_ptr_array_unref (argv);
  g_test_message ("stdout: %s", out);
  if (err_out)
    *err_out = err;
  else
    g_free (err);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_cli_graph (void)
{
  char *in = scm_test_shared_path ("pbmc10k/pbmc10k.h5ad");
  if (!in)
    return;
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *src = in;
  in = g_build_filename (dir, "in.h5ad", NULL);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (ScmDataset) ds = scm_dataset_read (src, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (ds->adt);
    float *A = scm_csr_to_dense (&ds->adt->X, &error);
    g_assert_no_error (error);
    gint64 n = ds->n_cells, d = ds->adt->X.n_cols;
    ScmMatrix *m = scm_matrix_new ("X_clr", n, d, &error);
    for (gint64 c = 0; c < d; c++)
      {
        double s = 0;
        for (gint64 i = 0; i < n; i++)
          s += log1p (A[i * d + c]);
        double gm = exp (s / n);
        for (gint64 i = 0; i < n; i++)
          m->data[i * d + c] = (float) log1p (A[i * d + c] / gm);
      }
    g_free (A);
    scm_dataset_set_obsm (ds, m);
    g_assert_true (scm_h5ad_write (ds, in, &error));
    g_assert_no_error (error);
  }
  g_autofree char *l = g_build_filename (dir, "l.h5ad", NULL);
  g_autofree char *u = g_build_filename (dir, "u.h5ad", NULL);
  g_autofree char *e = g_build_filename (dir, "e.tsv", NULL);

  const char *a1[] = { "leiden", in, "--use-rep", "X_clr", "-o", l, NULL };
  g_assert_cmpint (run (a1, NULL), ==, 0);
  const char *a2[] = { "umap", l, "--use-rep", "X_clr", "--n-epochs", "30",
                       "--threads", "1", "-o", u, NULL };
  g_assert_cmpint (run (a2, NULL), ==, 0);
  const char *a3[] = { "neighbors", in, "--use-rep", "X_clr", "--k", "10",
                       "--metric", "cosine", "--edges", e, NULL };
  g_assert_cmpint (run (a3, NULL), ==, 0);

  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (u, NULL, &error);
  g_assert_no_error (error);
  ScmColumn *c = scm_dataset_get_obs (ds, "leiden");
  g_assert_nonnull (c);
  g_assert_cmpint (c->kind, ==, SCM_COLUMN_CATEGORICAL);
  g_assert_cmpuint (c->n_categories, >, 3);
  g_assert_cmpstr (c->categories[0], ==, "0");
  for (gint64 i = 0; i < ds->n_cells; i++)
    g_assert_true (c->codes[i] >= 0 && c->codes[i] < (gint32) c->n_categories);
  ScmMatrix *m = scm_dataset_get_obsm (ds, "X_umap");
  g_assert_nonnull (m);
  g_assert_cmpint (m->n_rows, ==, ds->n_cells);
  g_assert_cmpint (m->n_cols, ==, 2);
  for (gint64 i = 0; i < m->n_rows * 2; i++)
    g_assert_true (isfinite (m->data[i]));
  g_autofree char *edges = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (e, &edges, &len, NULL));
  gint64 lines = 0;
  for (gsize i = 0; i < len; i++)
    lines += edges[i] == '\n';
  g_assert_cmpint (lines, >, ds->n_cells * 5);

  char *err = NULL;
  const char *b1[] = { "leiden", in, "--use-rep", "nope", NULL };
  g_assert_cmpint (run (b1, &err), ==, 1);
  g_assert_nonnull (strstr (err, "obsm/nope"));
  g_free (err);
  const char *b2[] = { "umap", "--bogus", NULL };
  g_assert_cmpint (run (b2, NULL), ==, 2);
  const char *b3[] = { "neighbors", in, "--metric", "manhattan", NULL };
  g_assert_cmpint (run (b3, NULL), ==, 2);
  const char *b4[] = { "leiden", "--help", NULL };
  g_assert_cmpint (run (b4, NULL), ==, 0);
  const char *b5[] = { "umap", "/nonexistent.h5ad", "-o", u, NULL };
  g_assert_cmpint (run (b5, NULL), ==, 1);
  scm_test_rmdir (dir);
  g_free (in);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/analysis/cli/neighbors-leiden-umap", test_cli_graph);
  return g_test_run ();
}
