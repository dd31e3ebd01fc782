/* test-cli-stats.c: `scmmae pca | markers | metrics | analyze` end to end.
 *
 * Spawns $SCMMAE_CLI on tests/fixtures/stats/small.h5ad (300 real pbmc3k
 * cells x 300 genes, see gen_small_h5ad.py) and checks exit codes (0 ok,
 * 1 bad input, 2 bad usage), the metrics against sklearn, the marker
 * p-values against scipy (1e-6 relative) and what pca/analyze write.
 */
#include "config.h"

#include "io/scm-io.h"
#include "scm-test-util.h"
#include "stats-fixture.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

static char *small_path;

static int
run_cli (const char *const *args, char **out, char **err)
{
  const char *cli = g_getenv ("SCMMAE_CLI");
  g_assert_nonnull (cli);
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) cli);
  for (const char *const *a = args; *a; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  int status = -1;
  g_autoptr (GError) error = NULL;
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status,
                &error);
  g_assert_no_error (error);
  g_ptr_array_free (argv, TRUE);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

#define RUN(out, err, ...) run_cli ((const char *[]) { __VA_ARGS__, NULL }, out, err)

static void
test_exit_codes (void)
{
  const char *cmds[] = { "pca", "markers", "metrics", "analyze" };
  for (gsize i = 0; i < G_N_ELEMENTS (cmds); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_assert_cmpint (RUN (&out, &err, cmds[i], "--help"), ==, 0);
      g_assert_nonnull (strstr (out, "Usage"));
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      /* no input file */
      g_assert_cmpint (RUN (&out, &err, cmds[i]), ==, 2);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (RUN (&out, &err, cmds[i], "--no-such-option", small_path), ==, 2);
    }
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (RUN (&out, &err, "pca", "/nonexistent/x.h5ad", "-o", "/tmp/never.h5ad"), ==, 1);
  g_assert_nonnull (strstr (err, "/nonexistent/x.h5ad"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (RUN (&out, &err, "markers", small_path, "--groupby", "no_such_column"), ==, 1);
  g_assert_nonnull (strstr (err, "no_such_column"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (RUN (&out, &err, "markers", small_path, "--groupby", "cell_type", "--modality", "xyz"), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (RUN (&out, &err, "markers", small_path, "--groupby", "cell_type", "--modality", "adt"), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (RUN (&out, &err, "metrics", small_path, "--truth", "cell_type", "--pred", "pred",
                        "--rep", "X_nothing"), ==, 1);
  g_assert_nonnull (strstr (err, "X_nothing"));
}

static void
test_metrics (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (RUN (&out, &err, "metrics", small_path, "--truth", "cell_type", "--pred", "pred",
                        "--json"), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (o, "n_cells"), ==, 300);
  g_auto (GStrv) exp = stats_fixture_lines ("stats/small_expected.tsv");
  const char *names[] = { "ari", "nmi", "ami", "fmi" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    stats_assert_close (names[i], json_object_get_double_member (o, names[i]),
                        stats_expected (exp, "metric", names[i]), 1e-9, 0);
}

static void
test_markers (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *tsv = g_build_filename (dir, "m.tsv", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (RUN (&out, &err, "markers", small_path, "--groupby", "cell_type", "--top", "10",
                        "-o", tsv), ==, 0);
  g_auto (GStrv) exp = stats_fixture_lines ("stats/small_expected.tsv");
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (tsv, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "group\treference\trank\tgene\tscore"));
  int rows = 0;
  for (char **l = lines + 1; *l && **l; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, "\t", -1);
      g_assert_cmpint (g_strv_length (f), ==, 10);
      g_autofree char *key = g_strdup_printf ("%s|%s", f[0], f[3]);
      stats_assert_close (key, g_ascii_strtod (f[6], NULL), stats_expected (exp, "p", key), 1e-6, 0);
      rows++;
    }
  g_assert_cmpint (rows, ==, 8 * 10);
  /* one group vs a reference group */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (RUN (&out, &err, "markers", small_path, "--groupby", "cell_type", "--group", "B",
                        "--reference", "NK", "--top", "3"), ==, 0);
  g_auto (GStrv) l2 = g_strsplit (out, "\n", -1);
  g_assert_true (g_str_has_prefix (l2[1], "B\tNK\t1\t"));
  g_assert_cmpint (g_strv_length (l2), ==, 5);
  scm_test_rmdir (dir);
}

static void
test_pca_and_analyze (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *pca_out = g_build_filename (dir, "pca.h5ad", NULL);
  g_autofree char *an_out = g_build_filename (dir, "an.h5ad", NULL);
  g_autofree char *out = NULL, *err = NULL;
  int rc = RUN (&out, &err, "pca", small_path, "-o", pca_out, "--n-comps", "20");
  if (rc == 1 && strstr (err, "not implemented"))
    {
      /* the .h5ad writer has not landed in this tree yet */
      g_test_skip (err);
      scm_test_rmdir (dir);
      return;
    }
  g_assert_cmpint (rc, ==, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) p = scm_dataset_read (pca_out, NULL, &error);
  g_assert_no_error (error);
  ScmMatrix *xp = scm_dataset_get_obsm (p, "X_pca");
  g_assert_nonnull (xp);
  g_assert_cmpint (xp->n_rows, ==, 300);
  g_assert_cmpint (xp->n_cols, ==, 20);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (RUN (&out, &err, "analyze", small_path, "-o", an_out, "--seed", "1", "--top", "7",
                        "--threads", "1"), ==, 0);
  g_assert_nonnull (strstr (out, "Leiden clusters"));
  g_autoptr (ScmDataset) a = scm_dataset_read (an_out, NULL, &error);
  g_assert_no_error (error);
  ScmColumn *leiden = scm_dataset_get_obs (a, "leiden");
  g_assert_nonnull (leiden);
  g_assert_cmpint (leiden->kind, ==, SCM_COLUMN_CATEGORICAL);
  g_assert_cmpuint (leiden->n_categories, >=, 2);
  ScmMatrix *um = scm_dataset_get_obsm (a, "X_umap");
  g_assert_nonnull (um);
  g_assert_cmpint (um->n_cols, ==, 2);
  g_assert_nonnull (scm_dataset_get_obsm (a, "X_pca"));
  ScmUnsNode *rgg = scm_uns_get (a->uns, "rank_genes_groups");
  g_assert_nonnull (rgg);
  ScmUnsNode *names = scm_uns_get (rgg, "names");
  g_assert_nonnull (names);
  ScmUnsNode *g0 = scm_uns_get (names, "0");
  g_assert_nonnull (g0);
  g_assert_cmpint (g0->n, ==, 7);
  ScmUnsNode *pv = scm_uns_get (scm_uns_get (rgg, "pvals_adj"), "0");
  g_assert_nonnull (pv);
  for (gint64 i = 0; i < pv->n; i++)
    g_assert_true (pv->floats[i] >= 0 && pv->floats[i] <= 1);
  /* the layout's parameters, with the thread count that reproduces it */
  ScmUnsNode *up = scm_uns_get (scm_uns_get (a->uns, "umap"), "params");
  g_assert_nonnull (up);
  g_assert_cmpfloat_with_epsilon (scm_uns_get (up, "a")->floats[0], 1.5769, 1e-3);
  g_assert_cmpfloat_with_epsilon (scm_uns_get (up, "b")->floats[0], 0.8951, 1e-3);
  g_assert_cmpint (scm_uns_get (up, "n_threads")->ints[0], ==, 1);
  g_assert_cmpint (scm_uns_get (up, "random_state")->ints[0], ==, 1);
  /* two threads: the same layout twice, end to end */
  char *an2[2];
  for (int r = 0; r < 2; r++)
    {
      an2[r] = g_strdup_printf ("%s/an2-%d.h5ad", dir, r);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (RUN (&out, &err, "analyze", small_path, "-o", an2[r], "--seed", "1",
                            "--threads", "2"), ==, 0);
    }
  g_autoptr (ScmDataset) b0 = scm_dataset_read (an2[0], NULL, &error);
  g_autoptr (ScmDataset) b1 = scm_dataset_read (an2[1], NULL, &error);
  g_assert_no_error (error);
  ScmMatrix *u0 = scm_dataset_get_obsm (b0, "X_umap"), *u1 = scm_dataset_get_obsm (b1, "X_umap");
  g_assert_cmpmem (u0->data, 300 * 2 * sizeof (float), u1->data, 300 * 2 * sizeof (float));
  g_assert_cmpint (scm_uns_get (scm_uns_get (scm_uns_get (b0->uns, "umap"), "params"),
                                "n_threads")->ints[0], ==, 2);
  g_free (an2[0]);
  g_free (an2[1]);
  /* the input is never overwritten */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (RUN (&out, &err, "analyze", an_out, "-o", an_out), ==, 1);
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  small_path = scm_test_fixture_path ("stats/small.h5ad");
  g_test_add_func ("/stats/cli/exit-codes", test_exit_codes);
  g_test_add_func ("/stats/cli/metrics", test_metrics);
  g_test_add_func ("/stats/cli/markers", test_markers);
  g_test_add_func ("/stats/cli/pca-and-analyze", test_pca_and_analyze);
  int rc = g_test_run ();
  g_free (small_path);
  return rc;
}
