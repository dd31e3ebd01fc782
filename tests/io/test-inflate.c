/* test-inflate.c: the multi-threaded gzip-chunk path (scm-io-inflate.c)
 * against the plain H5Dread path on the same datasets: int32/int64/uint32
 * indices (with saturation), float32/float64/int values, shuffle, a
 * partial last chunk, and a dataset the fast path must decline. */
#include "io/scm-h5-private.h"
#include "scm-test-util.h"

#include <string.h>

static void
write_chunked (hid_t f, const char *name, hid_t ft, hid_t mt, gint64 n, hsize_t chunk,
               gboolean shuffle, gboolean deflate, const void *data)
{
  hsize_t d = (hsize_t) n;
  hid_t s = H5Screate_simple (1, &d, NULL);
  hid_t p = H5Pcreate (H5P_DATASET_CREATE);
  H5Pset_chunk (p, 1, &chunk);
  if (shuffle)
    H5Pset_shuffle (p);
  if (deflate)
    H5Pset_deflate (p, 4);
  hid_t ds = H5Dcreate2 (f, name, ft, s, H5P_DEFAULT, p, H5P_DEFAULT);
  g_assert_cmpint (ds, >=, 0);
  g_assert_cmpint (H5Dwrite (ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), >=, 0);
  H5Dclose (ds);
  H5Pclose (p);
  H5Sclose (s);
}

static void
compare (const ScmH5 *h, const char *name, hid_t memtype, gint64 n)
{
  g_autofree guint32 *a = g_new0 (guint32, n);
  g_autofree guint32 *b = g_new0 (guint32, n);
  hid_t d = H5Dopen2 (h->file, name, H5P_DEFAULT);
  g_assert_cmpint (d, >=, 0);
  g_autoptr (GError) error = NULL;
  g_assert_true (_scm_io_stream (h, d, name, memtype, 4, n, a, &error));
  g_assert_no_error (error);
  g_assert_true (_scm_io_stream_plain (h, d, name, memtype, 4, n, b, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (a, (gsize) n * 4, b, (gsize) n * 4);
  H5Dclose (d);
}

static void
test_fast_vs_plain (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "chunks.h5", NULL);
  const gint64 n = 100003;   /* not a multiple of the chunk: partial last chunk */
  g_autofree gint64 *i64 = g_new (gint64, n);
  g_autofree double *f64 = g_new (double, n);
  for (gint64 i = 0; i < n; i++)
    {
      i64[i] = (i * 7919) % 40000 - (i % 1000 == 0 ? 5 : 0);
      f64[i] = (double) (i % 97) * 0.25 + (i % 5000 == 0 ? 1e40 : 0.0);
    }
  i64[17] = (gint64) 1 << 40;   /* must saturate to G_MAXINT32, like HDF5 */
  hid_t f = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_chunked (f, "i64", H5T_STD_I64LE, H5T_NATIVE_INT64, n, 4096, FALSE, TRUE, i64);
  write_chunked (f, "i64s", H5T_STD_I64LE, H5T_NATIVE_INT64, n, 5000, TRUE, TRUE, i64);
  write_chunked (f, "i32", H5T_STD_I32LE, H5T_NATIVE_INT64, n, 3000, FALSE, TRUE, i64);
  write_chunked (f, "u32", H5T_STD_U32LE, H5T_NATIVE_INT64, n, 3000, TRUE, TRUE, i64);
  write_chunked (f, "f32", H5T_IEEE_F32LE, H5T_NATIVE_DOUBLE, n, 7000, TRUE, TRUE, f64);
  write_chunked (f, "f64", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, 7000, FALSE, TRUE, f64);
  write_chunked (f, "i16", H5T_STD_I16LE, H5T_NATIVE_INT64, n, 7000, FALSE, TRUE, i64);
  write_chunked (f, "raw", H5T_STD_I32LE, H5T_NATIVE_INT64, n, 7000, FALSE, FALSE, i64);
  H5Fclose (f);

  scm_h5_lock ();
  ScmH5 h;
  g_autoptr (GError) error = NULL;
  g_assert_true (_scm_h5_open (&h, path, &error));
  const char *ints[] = { "i64", "i64s", "i32", "u32", "i16", "raw" };
  for (gsize i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      gint64 before = _scm_io_inflated_chunks;
      compare (&h, ints[i], H5T_NATIVE_INT32, n);
      /* gzip datasets of 4/8-byte types take the threaded path (on a
       * multi-core machine); int16 and unfiltered ones must not */
      if (g_get_num_processors () > 1 && !g_getenv ("SCM_IO_NO_THREADS"))
        {
          gboolean fast = strcmp (ints[i], "i16") != 0 && strcmp (ints[i], "raw") != 0;
          g_assert_cmpint (_scm_io_inflated_chunks > before, ==, fast);
        }
    }
  const char *floats[] = { "f32", "f64", "i64", "i32", "u32" };
  for (gsize i = 0; i < G_N_ELEMENTS (floats); i++)
    compare (&h, floats[i], H5T_NATIVE_FLOAT, n);
  /* saturation as HDF5 does it */
  g_autofree gint32 *v = g_new (gint32, n);
  hid_t d = H5Dopen2 (h.file, "i64", H5P_DEFAULT);
  g_assert_true (_scm_io_stream (&h, d, "i64", H5T_NATIVE_INT32, 4, n, v, &error));
  g_assert_cmpint (v[17], ==, G_MAXINT32);
  g_assert_cmpint (v[1000], ==, (1000 * 7919) % 40000 - 5);
  H5Dclose (d);
  _scm_h5_close (&h);
  scm_h5_unlock ();
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/io/inflate/fast-vs-plain", test_fast_vs_plain);
  return g_test_run ();
}
