/* scm-bad-files.c: generates the corpus of damaged / hostile input files.
 *
 * Each entry is a small file written into a folder at test time from the
 * builders of scm-test-h5.c (plus truncated copies of a real shared file
 * when available), with the GError code the readers must give and a word
 * the message must contain.  Nothing is committed: the corpus is always
 * regenerated, so it follows the builders.  The fuzz seed script reuses
 * it (tests/fuzz/run.sh).
 */
#include "scm-bad-files.h"
#include "scm-error.h"
#include "scm-test-h5.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static void
truncate_copy (const char *src, const char *dst, double frac, gsize abs_len)
{
  g_autofree char *buf = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (src, &buf, &len, NULL));
  gsize keep = abs_len ? MIN (abs_len, len) : (gsize) (len * frac);
  g_assert_true (g_file_set_contents (dst, buf, (gssize) keep, NULL));
}

static void
replace_i64 (hid_t f, const char *path, hid_t ft, const gint64 *v, gint64 n)
{
  th5_delete (f, path);
  th5_write (f, path, ft, H5T_NATIVE_INT64, n, v);
}

static void
replace_f32 (hid_t f, const char *path, const float *v, gint64 n)
{
  th5_delete (f, path);
  th5_write (f, path, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, n, v);
}

static void
replace_shape_attr (hid_t f, const char *obj, gint64 r, gint64 c)
{
  g_assert_cmpint (H5Adelete_by_name (f, obj, "shape", H5P_DEFAULT), >=, 0);
  gint64 s[2] = { r, c };
  th5_attr_i64s (f, obj, "shape", s, 2);
}

typedef void (*Mutate) (hid_t f);

/* ---- h5ad mutations (reference CSR X: indptr 0 2 2 5 6, 6 values) */
static void m_no_obs (hid_t f) { th5_delete (f, "obs"); }
static void m_no_indptr (hid_t f) { th5_delete (f, "X/indptr"); }
static void m_float_indices (hid_t f)
{
  float v[6] = { 0, 2, 1, 3, 4, 4 };
  th5_delete (f, "X/indices");
  th5_write (f, "X/indices", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 6, v);
}
static void m_string_data (hid_t f)
{
  const char *v[6] = { "1", "3", "2", "1", "7", "5" };
  th5_delete (f, "X/data");
  th5_strings (f, "X/data", v, 6, 0);
}
static void m_indptr_end (hid_t f) { gint64 p[] = { 0, 2, 2, 5, 9 }; replace_i64 (f, "X/indptr", H5T_STD_I32LE, p, 5); }
static void m_indptr_decrease (hid_t f) { gint64 p[] = { 0, 2, 1, 5, 6 }; replace_i64 (f, "X/indptr", H5T_STD_I32LE, p, 5); }
static void m_indptr_start (hid_t f) { gint64 p[] = { 1, 2, 2, 5, 6 }; replace_i64 (f, "X/indptr", H5T_STD_I32LE, p, 5); }
static void m_indices_range (hid_t f) { gint64 p[] = { 0, 2, 1, 3, 5, 4 }; replace_i64 (f, "X/indices", H5T_STD_I32LE, p, 6); }
static void m_indices_negative (hid_t f) { gint64 p[] = { 0, 2, 1, -3, 4, 4 }; replace_i64 (f, "X/indices", H5T_STD_I64LE, p, 6); }
static void m_indices_huge (hid_t f) { gint64 p[] = { 0, 2, 1, 3, (gint64) 1 << 40, 4 }; replace_i64 (f, "X/indices", H5T_STD_I64LE, p, 6); }
static void m_indices_dup (hid_t f) { gint64 p[] = { 0, 0, 1, 3, 4, 4 }; replace_i64 (f, "X/indices", H5T_STD_I32LE, p, 6); }
static void m_indices_short (hid_t f) { gint64 p[] = { 0, 2, 1, 3, 4 }; replace_i64 (f, "X/indices", H5T_STD_I32LE, p, 5); }
static void m_shape_mismatch (hid_t f) { replace_shape_attr (f, "X", 5, 5); }
static void m_shape_huge (hid_t f) { replace_shape_attr (f, "X", (gint64) 1 << 40, 5); }
static void m_shape_negative (hid_t f) { replace_shape_attr (f, "X", -4, 5); }
static void m_nan (hid_t f) { float v[6] = { 1, 3, 2, NAN, 7, 5 }; replace_f32 (f, "X/data", v, 6); }
static void m_inf (hid_t f) { float v[6] = { 1, 3, 2, 1, INFINITY, 5 }; replace_f32 (f, "X/data", v, 6); }
static void m_neg_counts_layer (hid_t f)
{
  float v[6] = { 0.1f, 0.3f, 0.2f, 0.1f, 0.7f, 0.5f };
  replace_f32 (f, "X/data", v, 6);
  float c[6] = { 1, 3, -2, 1, 7, 5 };
  replace_f32 (f, "layers/counts/data", c, 6);
}
static void m_dup_obs (hid_t f)
{
  const char *v[4] = { "AAAC-1", "AAAG-1", "AAAC-1", "AACA-1" };
  th5_delete (f, "obs/_index");
  th5_strings (f, "obs/_index", v, 4, 0);
}
static void m_obs_index_2d (hid_t f)
{
  th5_delete (f, "obs/_index");
  float z[8] = { 0 };
  th5_write2d (f, "obs/_index", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 4, 2, z);
}
static void m_bad_code (hid_t f) { gint64 c[] = { 0, 7, 1, 0 }; replace_i64 (f, "obs/ctype/codes", H5T_STD_I8LE, c, 4); }
static void m_obs_short (hid_t f) { gint64 c[] = { 0, 1, 1 }; replace_i64 (f, "obs/n_genes", H5T_STD_I64LE, c, 3); }
static void m_coo (hid_t f)
{
  g_assert_cmpint (H5Adelete_by_name (f, "X", "encoding-type", H5P_DEFAULT), >=, 0);
  th5_attr_str (f, "X", "encoding-type", "coo_matrix");
}
static void m_dense_huge (hid_t f)
{
  th5_delete (f, "X");
  hsize_t d[2] = { (hsize_t) 3 << 30, 5 }, ch[2] = { 1024, 5 };
  hid_t s = H5Screate_simple (2, d, NULL);
  hid_t p = H5Pcreate (H5P_DATASET_CREATE);
  H5Pset_chunk (p, 2, ch);
  hid_t ds = H5Dcreate2 (f, "X", H5T_IEEE_F32LE, s, H5P_DEFAULT, p, H5P_DEFAULT);
  g_assert_cmpint (ds, >=, 0);
  H5Dclose (ds);
  H5Pclose (p);
  H5Sclose (s);
}
static void m_legacy (hid_t f)
{
  th5_delete (f, "obs");
  /* a 0.6 table without its "index" member */
  typedef struct { char name[8]; double n; } Row;
  hid_t t = H5Tcreate (H5T_COMPOUND, sizeof (Row));
  hid_t st = H5Tcopy (H5T_C_S1);
  H5Tset_size (st, 8);
  H5Tinsert (t, "name", HOFFSET (Row, name), st);
  H5Tinsert (t, "n", HOFFSET (Row, n), H5T_NATIVE_DOUBLE);
  Row rows[4] = { { "a", 1 }, { "b", 2 }, { "c", 3 }, { "d", 4 } };
  th5_write (f, "obs", t, t, 4, rows);
  H5Tclose (st);
  H5Tclose (t);
  g_assert_cmpint (H5Adelete_by_name (f, "/", "encoding-type", H5P_DEFAULT), >=, 0);
}

/* ---- 10x mutations (shape 8 x 4, 11 values) */
static void x_no_data (hid_t f) { th5_delete (f, "matrix/data"); }
static void x_shape_huge (hid_t f) { gint64 s[] = { 8, (gint64) 3 << 30 }; replace_i64 (f, "matrix/shape", H5T_STD_I64LE, s, 2); }
static void x_neg_count (hid_t f)
{
  gint64 d[11] = { 1, 3, 10, 2, 1, -7, 4, 1, 5, 1, 1 };
  replace_i64 (f, "matrix/data", H5T_STD_I32LE, d, 11);
}
static void x_nan_count (hid_t f)
{
  float d[11] = { 1, 3, 10, 2, 1, NAN, 4, 1, 5, 1, 1 };
  replace_f32 (f, "matrix/data", d, 11);
}
static void x_dup_barcode (hid_t f)
{
  const char *v[4] = { "AAAC-1", "AAAG-1", "AAAT-1", "AAAG-1" };
  th5_delete (f, "matrix/barcodes");
  th5_strings (f, "matrix/barcodes", v, 4, 18);
}
static void x_index_range (hid_t f)
{
  gint64 v[11] = { 0, 2, 5, 1, 3, 4, 6, 8, 4, 5, 6 };
  replace_i64 (f, "matrix/indices", H5T_STD_I64LE, v, 11);
}
static void x_indptr_len (hid_t f) { gint64 p[] = { 0, 3, 3, 11 }; replace_i64 (f, "matrix/indptr", H5T_STD_I64LE, p, 4); }
static void x_features_short (hid_t f)
{
  const char *v[3] = { "a", "b", "c" };
  th5_delete (f, "matrix/features/name");
  th5_strings (f, "matrix/features/name", v, 3, 4);
}
static void x_dup_feature (hid_t f)
{
  gint64 v[11] = { 0, 0, 5, 1, 3, 4, 6, 7, 4, 5, 6 };
  replace_i64 (f, "matrix/indices", H5T_STD_I64LE, v, 11);
}
static void x_string_indices (hid_t f)
{
  const char *v[11] = { "0", "2", "5", "1", "3", "4", "6", "7", "4", "5", "6" };
  th5_delete (f, "matrix/indices");
  th5_strings (f, "matrix/indices", v, 11, 2);
}

/* ---- h5mu mutations */
static void u_stranger (hid_t f)
{
  const char *v[3] = { "AACA-1", "NOPE-1", "AAAC-1" };
  th5_delete (f, "mod/prot/obs/_index");
  th5_strings (f, "mod/prot/obs/_index", v, 3, 0);
}
static void u_no_mod (hid_t f) { th5_delete (f, "mod"); }
static void u_prot_rows (hid_t f)
{
  th5_delete (f, "mod/prot/X");
  float z[4 * 2] = { 0 };
  th5_write2d (f, "mod/prot/X", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 4, 2, z);
}

/* Zeroes the size of the free-space record of the first global heap
 * collection: HDF5 1.10.8 would loop forever on it (found by fuzzing). */
static void
zero_gheap_free_space (const char *path)
{
  g_autofree char *buf = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &buf, &len, NULL));
  guint8 *p = memmem (buf, len, "GCOL", 4);
  g_assert_nonnull (p);
  guint8 *q = p + 16;
  for (;;)
    {
      g_assert_true (q + 16 <= (guint8 *) buf + len);
      guint idx = q[0] | (q[1] << 8);
      guint64 osz = 0;
      for (int i = 7; i >= 0; i--)
        osz = (osz << 8) | q[8 + i];
      if (idx == 0)
        {
          memset (q + 8, 0, 8);
          break;
        }
      q += 16 + ((osz + 7) & ~(guint64) 7);
    }
  g_assert_true (g_file_set_contents (path, buf, (gssize) len, NULL));
}

/* Damages the on-disk descriptor (length, heap address, object index) of
 * the variable-length string `text` in the first global heap collection.
 * HDF5 1.10.8 would follow such a descriptor out of bounds inside
 * H5HG_read (a SEGV found by fuzzing); the readers resolve descriptors
 * themselves.  what: 0 index past the last object, 1 length differing
 * from the object's size, 2 address that is not a collection. */
void
scm_bad_files_damage_vlen (const char *path, const char *text, int what)
{
  g_autofree char *buf = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &buf, &len, NULL));
  guint8 *p = memmem (buf, len, "GCOL", 4);
  g_assert_nonnull (p);
  guint64 gaddr = (guint64) (p - (guint8 *) buf);
  guint8 *q = p + 16;
  guint idx = 0;
  for (;;)
    {
      g_assert_true (q + 16 <= (guint8 *) buf + len);
      guint i = q[0] | (q[1] << 8);
      guint64 osz = 0;
      for (int k = 7; k >= 0; k--)
        osz = (osz << 8) | q[8 + k];
      g_assert_cmpuint (i, !=, 0);
      if (osz == strlen (text) && memcmp (q + 16, text, osz) == 0)
        {
          idx = i;
          break;
        }
      q += 16 + ((osz + 7) & ~(guint64) 7);
    }
  guint8 desc[16];
  guint32 l = (guint32) strlen (text);
  for (int k = 0; k < 4; k++)
    desc[k] = (guint8) (l >> (8 * k));
  for (int k = 0; k < 8; k++)
    desc[4 + k] = (guint8) (gaddr >> (8 * k));
  for (int k = 0; k < 4; k++)
    desc[12 + k] = (guint8) (idx >> (8 * k));
  guint8 *d = memmem (buf, len, desc, sizeof desc);
  g_assert_nonnull (d);
  if (what == 0)
    d[12] = 0xf0, d[13] = 0x7f;   /* index 32752 */
  else if (what == 1)
    d[0] = 1;
  else
    d[4] = (guint8) (d[4] + 8);
  g_assert_true (g_file_set_contents (path, buf, (gssize) len, NULL));
}

typedef enum { B_H5AD, B_H5AD_OBS, B_10X, B_H5MU } Base;

static const struct {
  const char *name;
  Base        base;
  Mutate      mutate;
  int         code;
  const char *needle;
} table[] = {
  { "h5ad-no-obs.h5ad", B_H5AD, m_no_obs, SCM_ERROR_FORMAT, "obs" },
  { "h5ad-no-indptr.h5ad", B_H5AD, m_no_indptr, SCM_ERROR_FORMAT, "X/indptr" },
  { "h5ad-float-indices.h5ad", B_H5AD, m_float_indices, SCM_ERROR_FORMAT, "X/indices" },
  { "h5ad-string-data.h5ad", B_H5AD, m_string_data, SCM_ERROR_FORMAT, "X/data" },
  { "h5ad-indptr-end.h5ad", B_H5AD, m_indptr_end, SCM_ERROR_CORRUPT, "X/indptr" },
  { "h5ad-indptr-decrease.h5ad", B_H5AD, m_indptr_decrease, SCM_ERROR_CORRUPT, "decrease" },
  { "h5ad-indptr-start.h5ad", B_H5AD, m_indptr_start, SCM_ERROR_CORRUPT, "not 0" },
  { "h5ad-indices-range.h5ad", B_H5AD, m_indices_range, SCM_ERROR_CORRUPT, "out of range" },
  { "h5ad-indices-negative.h5ad", B_H5AD, m_indices_negative, SCM_ERROR_CORRUPT, "out of range" },
  { "h5ad-indices-huge.h5ad", B_H5AD, m_indices_huge, SCM_ERROR_CORRUPT, "out of range" },
  { "h5ad-indices-dup.h5ad", B_H5AD, m_indices_dup, SCM_ERROR_CORRUPT, "twice" },
  { "h5ad-indices-short.h5ad", B_H5AD, m_indices_short, SCM_ERROR_CORRUPT, "elements" },
  { "h5ad-shape-mismatch.h5ad", B_H5AD, m_shape_mismatch, SCM_ERROR_CORRUPT, "shape" },
  { "h5ad-shape-huge.h5ad", B_H5AD, m_shape_huge, SCM_ERROR_NO_MEMORY, "too large" },
  { "h5ad-shape-negative.h5ad", B_H5AD, m_shape_negative, SCM_ERROR_CORRUPT, "negative" },
  { "h5ad-nan.h5ad", B_H5AD, m_nan, SCM_ERROR_INVALID, "NaN" },
  { "h5ad-inf.h5ad", B_H5AD, m_inf, SCM_ERROR_INVALID, "infinite" },
  { "h5ad-negative-counts.h5ad", B_H5AD, m_neg_counts_layer, SCM_ERROR_INVALID, "negative count" },
  { "h5ad-dup-obs.h5ad", B_H5AD, m_dup_obs, SCM_ERROR_CORRUPT, "duplicate" },
  { "h5ad-obs-index-2d.h5ad", B_H5AD, m_obs_index_2d, SCM_ERROR_FORMAT, "obs/_index" },
  { "h5ad-bad-code.h5ad", B_H5AD_OBS, m_bad_code, SCM_ERROR_CORRUPT, "obs/ctype/codes" },
  { "h5ad-obs-short.h5ad", B_H5AD_OBS, m_obs_short, SCM_ERROR_CORRUPT, "obs/n_genes" },
  { "h5ad-coo.h5ad", B_H5AD, m_coo, SCM_ERROR_UNSUPPORTED, "coo_matrix" },
  { "h5ad-dense-huge.h5ad", B_H5AD, m_dense_huge, SCM_ERROR_NO_MEMORY, "too large" },
  { "h5ad-legacy-no-index.h5ad", B_H5AD, m_legacy, SCM_ERROR_FORMAT, "\"index\"" },
  { "10x-no-data.h5", B_10X, x_no_data, SCM_ERROR_FORMAT, "matrix/data" },
  { "10x-shape-huge.h5", B_10X, x_shape_huge, SCM_ERROR_NO_MEMORY, "too large" },
  { "10x-negative.h5", B_10X, x_neg_count, SCM_ERROR_INVALID, "negative count" },
  { "10x-nan.h5", B_10X, x_nan_count, SCM_ERROR_INVALID, "NaN" },
  { "10x-dup-barcode.h5", B_10X, x_dup_barcode, SCM_ERROR_CORRUPT, "AAAG-1" },
  { "10x-index-range.h5", B_10X, x_index_range, SCM_ERROR_CORRUPT, "out of range" },
  { "10x-indptr-length.h5", B_10X, x_indptr_len, SCM_ERROR_CORRUPT, "matrix/indptr" },
  { "10x-features-short.h5", B_10X, x_features_short, SCM_ERROR_CORRUPT, "matrix/features/name" },
  { "10x-dup-feature.h5", B_10X, x_dup_feature, SCM_ERROR_CORRUPT, "twice" },
  { "10x-string-indices.h5", B_10X, x_string_indices, SCM_ERROR_FORMAT, "matrix/indices" },
  { "h5mu-stranger.h5mu", B_H5MU, u_stranger, SCM_ERROR_CORRUPT, "NOPE-1" },
  { "h5mu-no-mod.h5mu", B_H5MU, u_no_mod, SCM_ERROR_FORMAT, "mod" },
  { "h5mu-prot-rows.h5mu", B_H5MU, u_prot_rows, SCM_ERROR_CORRUPT, "mod/prot" },
};

GPtrArray *
scm_bad_files_make (const char *dir)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
#define ADD(n, c, s)                                                            \
  do {                                                                          \
    ScmBadFile *b = g_new0 (ScmBadFile, 1);                                     \
    g_strlcpy (b->name, (n), sizeof b->name);                                   \
    b->code = (c);                                                              \
    b->needle = (s);                                                            \
    g_ptr_array_add (out, b);                                                   \
  } while (0)
  g_autofree char *p = NULL;

  p = g_build_filename (dir, "empty.h5ad", NULL);
  g_assert_true (g_file_set_contents (p, "", 0, NULL));
  ADD ("empty.h5ad", SCM_ERROR_FORMAT, "empty");
  g_clear_pointer (&p, g_free);
  p = g_build_filename (dir, "text.h5", NULL);
  g_assert_true (g_file_set_contents (p, "barcode,cell_type\nAAAC-1,B\n", -1, NULL));
  ADD ("text.h5", SCM_ERROR_FORMAT, "not an HDF5 file");
  g_clear_pointer (&p, g_free);
  p = g_build_filename (dir, "junk.h5ad", NULL);
  g_assert_true (g_file_set_contents (p, "\x89\x01\x02\x03\xff\xfe\x00\x00junkjunk", 16, NULL));
  ADD ("junk.h5ad", SCM_ERROR_FORMAT, "not an HDF5 file");
  g_clear_pointer (&p, g_free);
  p = g_build_filename (dir, "unknown-layout.h5", NULL);
  hid_t f = th5_create (p);
  th5_group (f, "foo/bar");
  th5_close (f);
  ADD ("unknown-layout.h5", SCM_ERROR_FORMAT, "foo");
  g_clear_pointer (&p, g_free);

  /* truncated copies of a generated file (and of a real one if present) */
  g_autofree char *good = g_build_filename (dir, "good.h5ad", NULL);
  Th5Spec spec = { .obs_extra = TRUE, .proteins = TRUE };
  th5_make_h5ad (good, &spec);
  const double fracs[] = { 0.5, 0.9 };
  for (gsize i = 0; i < G_N_ELEMENTS (fracs); i++)
    {
      g_autofree char *n = g_strdup_printf ("truncated-%d.h5ad", (int) (fracs[i] * 100));
      g_autofree char *d = g_build_filename (dir, n, NULL);
      truncate_copy (good, d, fracs[i], 0);
      ADD (n, SCM_ERROR_CORRUPT, "truncated");
    }
  g_autofree char *d4 = g_build_filename (dir, "truncated-4b.h5ad", NULL);
  truncate_copy (good, d4, 0, 4);
  ADD ("truncated-4b.h5ad", SCM_ERROR_FORMAT, "not an HDF5 file");
  const char *shared = g_getenv ("SCM_SHARED_DATA");
  g_autofree char *real = shared ? g_build_filename (shared, "formats",
                                                     "cellranger3_filtered_feature_bc_matrix.h5", NULL)
                                 : NULL;
  if (real && g_file_test (real, G_FILE_TEST_EXISTS))
    {
      g_autofree char *d = g_build_filename (dir, "truncated-cellranger3.h5", NULL);
      truncate_copy (real, d, 0.6, 0);
      ADD ("truncated-cellranger3.h5", SCM_ERROR_CORRUPT, "truncated");
    }

  g_autofree char *gh = g_build_filename (dir, "hdf5-gheap-loop.h5ad", NULL);
  th5_make_h5ad (gh, &spec);
  zero_gheap_free_space (gh);
  ADD ("hdf5-gheap-loop.h5ad", SCM_ERROR_CORRUPT, "global heap");

  static const char *const vlen_names[] = { "vlen-bad-index.h5ad", "vlen-bad-length.h5ad",
                                            "vlen-bad-address.h5ad" };
  static const char *const vlen_needles[] = { "does not exist", "differs from the string length",
                                              "damaged or missing global heap" };
  for (int w = 0; w < 3; w++)
    {
      g_autofree char *vp = g_build_filename (dir, vlen_names[w], NULL);
      th5_make_h5ad (vp, &spec);
      scm_bad_files_damage_vlen (vp, "AAAG-1", w);
      ADD (vlen_names[w], SCM_ERROR_CORRUPT, vlen_needles[w]);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *path = g_build_filename (dir, table[i].name, NULL);
      switch (table[i].base)
        {
        case B_H5AD:
          {
            Th5Spec s = { 0 };
            s.layers_counts = table[i].mutate == m_neg_counts_layer;
            th5_make_h5ad (path, &s);
            break;
          }
        case B_H5AD_OBS:
          {
            Th5Spec s = { .obs_extra = TRUE };
            th5_make_h5ad (path, &s);
            break;
          }
        case B_10X:
          th5_make_10x (path, H5T_STD_I64LE);
          break;
        case B_H5MU:
          th5_make_h5mu (path);
          break;
        }
      hid_t fh = th5_open_rw (path);
      table[i].mutate (fh);
      th5_close (fh);
      ADD (table[i].name, table[i].code, table[i].needle);
    }
#undef ADD
  return out;
}
