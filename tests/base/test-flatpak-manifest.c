/* test-flatpak-manifest.c: the Flatpak manifest stays consistent with the build.
 *
 * Building the Flatpak needs the network (runtime + archives), so CI checks
 * what can be checked offline: it parses, names our app id and command,
 * builds OpenBLAS with run-time CPU dispatch and HDF5 with deflate, and
 * pins every archive by sha256.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

static void
test_manifest (void)
{
  g_autofree char *path = g_build_filename (SCM_SOURCE_DIR, "flatpak", "io.github.scmmae.Studio.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "id"), ==, "io.github.scmmae.Studio");
  g_assert_cmpstr (json_object_get_string_member (root, "command"), ==, "scmmae-studio");
  g_assert_cmpstr (json_object_get_string_member (root, "runtime"), ==, "org.gnome.Platform");

  JsonArray *modules = json_object_get_array_member (root, "modules");
  gboolean have_openblas = FALSE, have_hdf5 = FALSE, app_last = FALSE;
  for (guint i = 0; i < json_array_get_length (modules); i++)
    {
      JsonObject *m = json_array_get_object_element (modules, i);
      const char *name = json_object_get_string_member (m, "name");
      g_autofree char *dump = json_to_string (json_array_get_element (modules, i), FALSE);
      if (strcmp (name, "openblas") == 0)
        {
          have_openblas = TRUE;
          g_assert_nonnull (strstr (dump, "DYNAMIC_ARCH=1"));
        }
      else if (strcmp (name, "hdf5") == 0)
        {
          have_hdf5 = TRUE;
          g_assert_nonnull (strstr (dump, "--with-zlib"));
        }
      app_last = strcmp (name, "scmmae-studio") == 0;
      JsonArray *sources = json_object_get_array_member (m, "sources");
      for (guint s = 0; s < json_array_get_length (sources); s++)
        {
          JsonObject *src = json_array_get_object_element (sources, s);
          if (strcmp (json_object_get_string_member (src, "type"), "archive") == 0)
            g_assert_cmpint (strlen (json_object_get_string_member (src, "sha256")), ==, 64);
        }
    }
  g_assert_true (have_openblas);
  g_assert_true (have_hdf5);
  g_assert_true (app_last);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/base/flatpak/manifest", test_manifest);
  return g_test_run ();
}
