/* test-info-cli.c: `scmmae info` end to end: exit codes 0 / 1 / 2, the
 * --json fields and the single-line error message.  The CLI is found
 * through $SCMMAE_CLI (set in test_env); build the scmmae target too, as
 * `meson test --no-rebuild` will not. */
#include "scm-test-util.h"

#include <json-glib/json-glib.h>
#include <string.h>

static const char *
cli (void)
{
  const char *p = g_getenv ("SCMMAE_CLI");
  if (p == NULL || !g_file_test (p, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("scmmae CLI not built");
      return NULL;
    }
  return p;
}

static int
run (const char *const *args, char **out, char **err)
{
  g_autoptr (GError) error = NULL;
  int status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_json (void)
{
  const char *exe = cli ();
  g_autofree char *path = scm_test_shared_path ("pbmc10k/pbmc10k.h5ad");
  if (exe == NULL || path == NULL)
    return;
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { exe, "info", "--json", path, NULL };
  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "h5ad");
  g_assert_cmpint (json_object_get_int_member (o, "n_cells"), ==, 6855);
  g_assert_cmpint (json_object_get_int_member (o, "n_genes"), ==, 4000);
  g_assert_cmpint (json_object_get_int_member (o, "n_proteins"), ==, 14);
  g_assert_cmpstr (json_object_get_string_member (o, "rna_source"), ==, "X");
  g_assert_true (json_object_get_boolean_member (o, "is_counts"));
  JsonArray *cols = json_object_get_array_member (o, "obs_columns");
  g_assert_cmpuint (json_array_get_length (cols), ==, 4);
  JsonObject *c0 = json_array_get_object_element (cols, 0);
  g_assert_cmpstr (json_object_get_string_member (c0, "name"), ==, "cell_type");
  g_assert_cmpstr (json_object_get_string_member (c0, "kind"), ==, "categorical");
  g_assert_cmpint (json_object_get_int_member (c0, "n_categories"), ==, 8);
  g_assert_nonnull (json_object_get_array_member (o, "layout_notes"));
  g_assert_nonnull (json_object_get_array_member (o, "obsm"));
}

static void
test_human_and_errors (void)
{
  const char *exe = cli ();
  g_autofree char *path = scm_test_shared_path ("formats/cellranger2_filtered_gene_bc_matrices.h5");
  if (exe == NULL || path == NULL)
    return;
  g_autofree char *out = NULL, *err = NULL;
  const char *ok[] = { exe, "info", path, NULL };
  g_assert_cmpint (run (ok, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "10x-h5-v2"));
  g_assert_nonnull (strstr (out, "343 genes"));

  /* bad input: exit 1, one line naming the file */
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *txt = g_build_filename (dir, "notes.h5ad", NULL);
  g_assert_true (g_file_set_contents (txt, "hello\n", -1, NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *bad[] = { exe, "info", txt, NULL };
  g_assert_cmpint (run (bad, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "notes.h5ad"));
  g_assert_cmpint (strchr (err, '\n') - err, ==, (int) strlen (err) - 1);
  /* unknown genome: exit 1 with the list */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *gen[] = { exe, "info", "--genome", "mm10", path, NULL };
  g_assert_cmpint (run (gen, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "hg19_chr21"));
  /* bad usage: exit 2 */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *none[] = { exe, "info", NULL };
  g_assert_cmpint (run (none, &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *opt[] = { exe, "info", "--no-such-option", path, NULL };
  g_assert_cmpint (run (opt, &out, &err), ==, 2);
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/io/info-cli/json", test_json);
  g_test_add_func ("/io/info-cli/human-and-errors", test_human_and_errors);
  return g_test_run ();
}
