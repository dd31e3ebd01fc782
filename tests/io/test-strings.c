/* test-strings.c: variable-length string datasets read by our own
 * descriptor + global-heap parser (_scm_h5_read_strings, scm-h5.c) against
 * the reference, HDF5's own H5Dread conversion, on valid files only:
 * contiguous, chunked with a partial last chunk and an unwritten chunk,
 * shuffle + deflate (when HDF5 applies them to vlen data), NULL / empty / non-ASCII / long strings,
 * several heap collections, a 512-byte user block (heap addresses are
 * relative to it), and the shared real files when present (with timings of
 * both paths printed, never asserted).  Also vlen attributes (object
 * header versions 1 and 2, continuation chunks, dense storage fallback),
 * scalar uns strings, and damaged attribute descriptors (no crash). */
#include "io/scm-h5-private.h"
#include "scm-bad-files.h"
#include "scm-test-h5.h"
#include "scm-test-util.h"

#include <string.h>

/* Reference: HDF5's conversion; NULL elements become "" as in the reader. */
static char **
read_reference (hid_t file, const char *name, gint64 *n)
{
  hid_t d = H5Dopen2 (file, name, H5P_DEFAULT);
  g_assert_cmpint (d, >=, 0);
  hid_t sp = H5Dget_space (d);
  hsize_t dim = 0;
  g_assert_cmpint (H5Sget_simple_extent_dims (sp, &dim, NULL), ==, 1);
  hid_t mt = H5Tcopy (H5T_C_S1);
  H5Tset_size (mt, H5T_VARIABLE);
  hid_t ft = H5Dget_type (d);
  H5Tset_cset (mt, H5Tget_cset (ft));   /* HDF5 does not convert between csets */
  H5Tclose (ft);
  char **buf = g_new0 (char *, dim + 1);
  g_assert_cmpint (H5Dread (d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), >=, 0);
  char **out = g_new0 (char *, dim + 1);
  for (hsize_t i = 0; i < dim; i++)
    out[i] = g_strdup (buf[i] ? buf[i] : "");
  H5Dvlen_reclaim (mt, sp, H5P_DEFAULT, buf);
  g_free (buf);
  H5Tclose (mt);
  H5Sclose (sp);
  H5Dclose (d);
  *n = (gint64) dim;
  return out;
}

static void
compare (const char *path, const char *name, gboolean timed)
{
  scm_h5_lock ();
  ScmH5 h;
  g_autoptr (GError) error = NULL;
  g_assert_true (_scm_h5_open (&h, path, &error));
  g_test_message ("%s %s", path, name);
  gint64 n_ref = 0, n = -1;
  gint64 t0 = g_get_monotonic_time ();
  g_auto (GStrv) ref = read_reference (h.file, name, &n_ref);
  gint64 t1 = g_get_monotonic_time ();
  g_auto (GStrv) got = _scm_h5_read_strings (&h, h.file, name, &n, FALSE, &error);
  gint64 t2 = g_get_monotonic_time ();
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpint (n, ==, n_ref);
  for (gint64 i = 0; i < n; i++)
    g_assert_cmpstr (got[i], ==, ref[i]);
  g_assert_null (got[n]);
  if (timed)
    g_test_message ("%s %s: %" G_GINT64_FORMAT " strings, H5Dread %.2f ms, ours %.2f ms", path,
                    name, n, (t1 - t0) / 1e3, (t2 - t1) / 1e3);
  _scm_h5_close (&h);
  scm_h5_unlock ();
}

static void
write_strings (hid_t f, const char *name, const char **v, gint64 n, hsize_t chunk, int filters)
{
  hsize_t d = (hsize_t) n;
  hid_t s = H5Screate_simple (1, &d, NULL);
  hid_t ft = H5Tcopy (H5T_C_S1);
  H5Tset_size (ft, H5T_VARIABLE);
  H5Tset_cset (ft, H5T_CSET_UTF8);
  hid_t p = H5Pcreate (H5P_DATASET_CREATE);
  if (chunk)
    {
      H5Pset_chunk (p, 1, &chunk);
      if (filters & 1)
        H5Pset_shuffle (p);
      if (filters & 2)
        H5Pset_deflate (p, 6);
      if (filters & 4)
        H5Pset_fletcher32 (p);
    }
  hid_t ds = H5Dcreate2 (f, name, ft, s, H5P_DEFAULT, p, H5P_DEFAULT);
  g_assert_cmpint (ds, >=, 0);
  if (filters & 8)
    {
      /* only the first half: later chunks stay unallocated (NULLs) */
      hsize_t start = 0, cnt = (hsize_t) n / 2;
      hid_t ms = H5Screate_simple (1, &cnt, NULL);
      H5Sselect_hyperslab (s, H5S_SELECT_SET, &start, NULL, &cnt, NULL);
      g_assert_cmpint (H5Dwrite (ds, ft, ms, s, H5P_DEFAULT, v), >=, 0);
      H5Sclose (ms);
    }
  else
    g_assert_cmpint (H5Dwrite (ds, ft, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), >=, 0);
  H5Dclose (ds);
  H5Pclose (p);
  H5Tclose (ft);
  H5Sclose (s);
}

static void
test_generated (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  const gint64 n = 5003;
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  const char **v = g_new0 (const char *, n);
  for (gint64 i = 0; i < n; i++)
    {
      if (i % 101 == 7)
        v[i] = NULL;
      else if (i % 53 == 3)
        v[i] = "";
      else if (i % 97 == 5)
        v[i] = "Zellen \xc3\xa9t\xc3\xa9 \xe2\x80\x94 CD8\xe2\x81\xba";
      else if (i == 1000)
        {
          /* longer than a heap collection's minimum size */
          char *s = g_strnfill (9000, 'x');
          g_ptr_array_add (keep, s);
          v[i] = s;
        }
      else
        {
          char *s = g_strdup_printf ("CELL-%06" G_GINT64_FORMAT "-%s", i * 7919 % 100000,
                                     i % 2 ? "A" : "BB");
          g_ptr_array_add (keep, s);
          v[i] = s;
        }
    }
  for (int ub = 0; ub < 2; ub++)
    {
      g_autofree char *path = g_build_filename (dir, ub ? "strings-ub.h5" : "strings.h5", NULL);
      hid_t fcpl = H5Pcreate (H5P_FILE_CREATE);
      if (ub)
        H5Pset_userblock (fcpl, 512);
      hid_t f = H5Fcreate (path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
      g_assert_cmpint (f, >=, 0);
      write_strings (f, "contig", v, n, 0, 0);
      write_strings (f, "chunked", v, n, 1000, 0);
      write_strings (f, "gzip", v, n, 777, 2);
      write_strings (f, "shuffle-gzip", v, n, 4096, 3);
      write_strings (f, "shuffle", v, n, 600, 1);
      write_strings (f, "half-written", v, n, 500, 2 | 8);
      write_strings (f, "one", v + 1, 1, 0, 0);
      H5Fclose (f);
      H5Pclose (fcpl);
      const char *names[] = { "contig", "chunked", "gzip", "shuffle-gzip", "shuffle",
                              "half-written", "one" };
      for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        compare (path, names[i], FALSE);
    }
  g_free (v);
  scm_test_rmdir (dir);
}

static void
test_shared (void)
{
  static const char *const cases[][2] = {
    { "pbmc10k/pbmc10k.h5ad", "obs/_index" },
    { "pbmc10k/pbmc10k.h5ad", "var/_index" },
    { "formats/cellxgene_small.h5ad", "obs/_index" },
    { "formats/cellxgene_small.h5ad", "var/_index" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = scm_test_shared_path (cases[i][0]);
      if (path == NULL)
        return;
      compare (path, cases[i][1], TRUE);
    }
}

/* Reference for a string attribute through HDF5's conversion. */
static char **
attr_reference (hid_t obj, const char *name)
{
  hid_t a = H5Aopen (obj, name, H5P_DEFAULT);
  g_assert_cmpint (a, >=, 0);
  hid_t ft = H5Aget_type (a), sp = H5Aget_space (a);
  hssize_t np = H5Sget_simple_extent_npoints (sp);
  hid_t mt = H5Tcopy (H5T_C_S1);
  H5Tset_size (mt, H5T_VARIABLE);
  H5Tset_cset (mt, H5Tget_cset (ft));
  char **buf = g_new0 (char *, np + 1);
  g_assert_cmpint (H5Aread (a, mt, buf), >=, 0);
  char **out = g_new0 (char *, np + 1);
  for (hssize_t i = 0; i < np; i++)
    out[i] = g_strdup (buf[i] ? buf[i] : "");
  H5Dvlen_reclaim (mt, sp, H5P_DEFAULT, buf);
  g_free (buf);
  H5Tclose (mt);
  H5Tclose (ft);
  H5Sclose (sp);
  H5Aclose (a);
  return out;
}

static void
write_attr (hid_t obj, const char *name, const char **v, int n)
{
  hsize_t d = (hsize_t) n;
  hid_t s = n == 1 ? H5Screate (H5S_SCALAR) : H5Screate_simple (1, &d, NULL);
  hid_t ft = H5Tcopy (H5T_C_S1);
  H5Tset_size (ft, H5T_VARIABLE);
  H5Tset_cset (ft, H5T_CSET_UTF8);
  hid_t a = H5Acreate2 (obj, name, ft, s, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (a, >=, 0);
  g_assert_cmpint (H5Awrite (a, ft, v), >=, 0);
  H5Aclose (a);
  H5Tclose (ft);
  H5Sclose (s);
}

/* Attributes in v1 and v2 object headers (with continuation chunks once
 * the first chunk is full), with a user block, and in dense storage (the
 * HDF5 fallback, counted). */
static void
test_attributes (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  const char *vals[] = { "dataframe", "", NULL, "\xc3\xa9t\xc3\xa9", "cell_type", "n_counts" };
  for (int variant = 0; variant < 3; variant++)
    {
      g_autofree char *path = g_strdup_printf ("%s/attrs%d.h5", dir, variant);
      hid_t fapl = H5Pcreate (H5P_FILE_ACCESS), fcpl = H5Pcreate (H5P_FILE_CREATE);
      if (variant == 1)
        H5Pset_libver_bounds (fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
      if (variant == 2)
        H5Pset_userblock (fcpl, 1024);
      hid_t f = H5Fcreate (path, H5F_ACC_TRUNC, fcpl, fapl);
      g_assert_cmpint (f, >=, 0);
      hid_t g = H5Gcreate2 (f, "obs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      write_attr (f, "encoding-type", vals, 1);
      write_attr (g, "column-order", vals, 6);
      /* enough attributes to need continuation chunks (v1) or, with the
       * newest format, dense storage on "many" */
      hid_t m = H5Gcreate2 (f, "many", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      for (int i = 0; i < 12; i++)
        {
          g_autofree char *an = g_strdup_printf ("attr-%02d", i);
          const char *one[] = { an };
          write_attr (m, an, one, 1);
          write_attr (g, an, one, 1);   /* after column-order: later chunks */
        }
      H5Gclose (m);
      H5Gclose (g);
      H5Fclose (f);
      H5Pclose (fapl);
      H5Pclose (fcpl);

      scm_h5_lock ();
      ScmH5 h;
      g_autoptr (GError) error = NULL;
      g_assert_true (_scm_h5_open (&h, path, &error));
      struct { const char *obj, *name; } cases[] = {
        { "/", "encoding-type" }, { "obs", "column-order" }, { "obs", "attr-11" },
        { "many", "attr-00" }, { "many", "attr-11" },
      };
      for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          hid_t o = H5Oopen (h.file, cases[i].obj, H5P_DEFAULT);
          g_assert_cmpint (o, >=, 0);
          gint64 fb = _scm_h5_vlen_attr_fallbacks;
          g_auto (GStrv) got = _scm_h5_attr_strings (o, cases[i].name);
          g_auto (GStrv) ref = attr_reference (o, cases[i].name);
          g_assert_nonnull (got);
          g_assert_cmpuint (g_strv_length (got), ==, g_strv_length (ref));
          for (guint k = 0; ref[k]; k++)
            g_assert_cmpstr (got[k], ==, ref[k]);
          /* only dense storage (newest format, > 8 attributes) falls back */
          gboolean dense = variant == 1 && strcmp (cases[i].obj, "/") != 0;
          g_test_message ("%s %s:%s fallback %d", path, cases[i].obj, cases[i].name,
                          (int) (_scm_h5_vlen_attr_fallbacks - fb));
          if (!dense)
            g_assert_cmpint (_scm_h5_vlen_attr_fallbacks, ==, fb);
          H5Oclose (o);
        }
      _scm_h5_close (&h);
      scm_h5_unlock ();
    }
  scm_test_rmdir (dir);
}

/* A scalar vlen string in uns (anndata writes e.g. titles so) reaches the
 * dataset through the same parser. */
static void
test_uns_scalar (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "uns.h5ad", NULL);
  Th5Spec spec = { 0 };
  th5_make_h5ad (path, &spec);
  scm_h5_lock ();
  hid_t f = th5_open_rw (path);
  hid_t ft = H5Tcopy (H5T_C_S1);
  H5Tset_size (ft, H5T_VARIABLE);
  H5Tset_cset (ft, H5T_CSET_UTF8);
  hid_t sp = H5Screate (H5S_SCALAR);
  if (!_scm_h5_is_group (f, "uns"))
    th5_group (f, "uns");
  hid_t d = H5Dcreate2 (f, "uns/title", ft, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (d, >=, 0);
  const char *title = "PBMC \xc3\xbc 10k";
  g_assert_cmpint (H5Dwrite (d, ft, H5S_ALL, H5S_ALL, H5P_DEFAULT, &title), >=, 0);
  H5Dclose (d);
  H5Sclose (sp);
  H5Tclose (ft);
  th5_close (f);
  scm_h5_unlock ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (path, NULL, &error);
  g_assert_no_error (error);
  const ScmUnsNode *u = scm_uns_get (ds->uns, "title");
  g_assert_nonnull (u);
  g_assert_cmpstr (u->string, ==, title);
  scm_test_rmdir (dir);
}

/* A damaged descriptor in an attribute (HDF5's H5Aread would crash) reads
 * as an absent attribute; the whole file then reads or fails cleanly. */
static void
test_damaged_attribute (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  for (int w = 0; w < 3; w++)
    {
      g_autofree char *path = g_strdup_printf ("%s/attr-bad-%d.h5ad", dir, w);
      Th5Spec spec = { 0 };
      th5_make_h5ad (path, &spec);
      scm_bad_files_damage_vlen (path, "anndata", w);   /* root encoding-type */
      scm_h5_lock ();
      ScmH5 h;
      g_autoptr (GError) error = NULL;
      g_assert_true (_scm_h5_open (&h, path, &error));
      g_autofree char *et = _scm_h5_attr_string (h.file, "encoding-type");
      g_assert_null (et);
      g_autofree char *ev = _scm_h5_attr_string (h.file, "encoding-version");
      g_assert_cmpstr (ev, ==, "0.1.0");
      _scm_h5_close (&h);
      scm_h5_unlock ();
      g_autoptr (ScmDataset) ds = scm_dataset_read (path, NULL, &error);
      g_assert_true ((ds != NULL) != (error != NULL));
    }
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/io/strings/generated-vs-hdf5", test_generated);
  g_test_add_func ("/io/strings/shared-vs-hdf5", test_shared);
  g_test_add_func ("/io/strings/attributes-vs-hdf5", test_attributes);
  g_test_add_func ("/io/strings/uns-scalar", test_uns_scalar);
  g_test_add_func ("/io/strings/damaged-attribute", test_damaged_attribute);
  return g_test_run ();
}
