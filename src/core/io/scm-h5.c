/* scm-h5.c: the HDF5 lock and the small read helpers the readers share.
 *
 * Why a lock: Debian builds HDF5 without thread-safety, so every call in
 * the engine is serialised by one recursive mutex.  Why our own error
 * text: HDF5's automatic stack printing is switched off once (the first
 * time the lock is taken) and each failure becomes one GError naming the
 * file, the object and the problem, with HDF5's innermost description
 * appended for the curious.
 *
 * Reads are whole datasets or large hyperslabs; nothing here does
 * per-element HDF5 calls.  Fixed-length strings are read with one H5Dread;
 * variable-length string datasets are never converted by HDF5 (its
 * global-heap reader trusts damaged descriptors and crashes): their raw
 * descriptors are resolved by our own bounds-checked heap parser.
 */
#include "io/scm-h5-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>

static GRecMutex h5_mutex;

void
scm_h5_lock (void)
{
  static gsize inited = 0;
  g_rec_mutex_lock (&h5_mutex);
  if (g_once_init_enter (&inited))
    {
      /* Readers report failures through GError; HDF5's own printing
       * would duplicate them on stderr (and fuzzers would drown in it). */
      H5open ();
      H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
      g_once_init_leave (&inited, 1);
    }
}

void
scm_h5_unlock (void)
{
  g_rec_mutex_unlock (&h5_mutex);
}

gpointer
_scm_io_try_alloc (gsize n_elems, gsize elem_size, const char *what, GError **error)
{
  if (n_elems == 0)
    return g_malloc0 (MAX (elem_size, 1));
  if (n_elems > G_MAXSIZE / elem_size)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                   "%s: %" G_GSIZE_FORMAT " elements do not fit in memory", what, n_elems);
      return NULL;
    }
  gpointer p = g_try_malloc (n_elems * elem_size);
  if (p == NULL)
    g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "%s: cannot allocate %.1f MiB", what,
                 (double) n_elems * (double) elem_size / 1048576.0);
  return p;
}

/* Large output arrays: 2 MiB aligned and advised for transparent huge
 * pages.  Filling a 20 MB array touches 5000 small pages, and each fault
 * is expensive in a VM (a third of the CPU time of reading pbmc10k); huge
 * pages make that ten faults.  The pointer is still freed with g_free and
 * may be g_try_realloc'ed (glibc accepts posix_memalign pointers). */
gpointer
_scm_io_try_alloc_big (gsize n_elems, gsize elem_size, const char *what, GError **error)
{
  const gsize huge = (gsize) 2 << 20;
  if (n_elems == 0 || n_elems > G_MAXSIZE / elem_size || n_elems * elem_size < 2 * huge)
    return _scm_io_try_alloc (n_elems, elem_size, what, error);
  gsize bytes = (n_elems * elem_size + huge - 1) / huge * huge;
  void *p = NULL;
  if (posix_memalign (&p, huge, bytes) != 0 || p == NULL)
    return _scm_io_try_alloc (n_elems, elem_size, what, error);
#ifdef MADV_HUGEPAGE
  madvise (p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

gboolean
_scm_io_csr_alloc (ScmCsr *m, gint64 n_rows, gint64 n_cols, gint64 nnz, GError **error)
{
  memset (m, 0, sizeof *m);
  if (n_rows < 0 || n_cols < 0 || nnz < 0 || n_cols > G_MAXINT32)
    return scm_csr_alloc (m, n_rows, n_cols, nnz, error);   /* its error message */
  m->indptr = _scm_io_try_alloc_big ((gsize) n_rows + 1, sizeof (gint64), "matrix row pointers", error);
  m->indices = m->indptr ? _scm_io_try_alloc_big ((gsize) nnz, sizeof (gint32), "matrix indices", error) : NULL;
  m->data = m->indices ? _scm_io_try_alloc_big ((gsize) nnz, sizeof (float), "matrix values", error) : NULL;
  if (m->data == NULL)
    {
      scm_csr_clear (m);
      return FALSE;
    }
  m->n_rows = n_rows;
  m->n_cols = n_cols;
  memset (m->indptr, 0, ((gsize) n_rows + 1) * sizeof (gint64));
  return TRUE;
}

/* ------------------------------------------------------------------ errors */

static herr_t
innermost_cb (unsigned n, const H5E_error2_t *e, void *data)
{
  char **out = data;
  if (*out == NULL && e->desc && e->desc[0])
    *out = g_strdup (e->desc);
  return 0;
}

void
_scm_h5_set_error (GError **error, int code, const ScmH5 *h, const char *object,
                   const char *fmt, ...)
{
  if (error == NULL)
    {
      H5Eclear2 (H5E_DEFAULT);
      return;
    }
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *problem = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_autofree char *h5msg = NULL;
  H5Ewalk2 (H5E_DEFAULT, H5E_WALK_UPWARD, innermost_cb, &h5msg);
  H5Eclear2 (H5E_DEFAULT);
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "%s: ", h && h->path ? h->path : "?");
  if (object && object[0])
    g_string_append_printf (s, "%s: ", object);
  g_string_append (s, problem);
  if (h5msg)
    g_string_append_printf (s, " (HDF5: %s)", h5msg);
  g_set_error_literal (error, SCM_ERROR, code, s->str);
  g_string_free (s, TRUE);
}

/* ------------------------------------------------------------------- files */

static guint64
le_u64 (const guint8 *p)
{
  guint64 v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

/* HDF5 1.10.8 loops forever deserialising a global heap collection (where
 * variable-length strings live) whose free-space object (index 0) has size
 * 0, or a size that moves the cursor backwards; h5py hangs on such files
 * too (found by tests/fuzz).  Scan the raw bytes for "GCOL" collections and
 * walk their objects exactly as HDF5 does, rejecting those two cases
 * before HDF5 ever sees them. */
static gboolean
check_global_heaps (const char *path, GError **error)
{
  g_autoptr (GMappedFile) mf = g_mapped_file_new (path, FALSE, NULL);
  if (mf == NULL)
    return TRUE;   /* H5Fopen reports unreadable files */
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (mf);
  gsize len = g_mapped_file_get_length (mf);
  const guint8 *end = data + len;
  for (const guint8 *p = data; p && p + 16 <= end;
       p = memmem (p + 1, (gsize) (end - p - 1), "GCOL", 4))
    {
      if (memcmp (p, "GCOL", 4) != 0 || p[4] != 1)
        continue;
      guint64 size = le_u64 (p + 8);
      gsize avail = (gsize) (end - p);
      const guint8 *cend = p + (size < avail ? size : avail);
      const guint8 *q = p + 16;
      while (q + 16 <= cend)
        {
          guint idx = (guint) q[0] | ((guint) q[1] << 8);
          guint64 osz = le_u64 (q + 8);
          if (idx == 0 && (osz == 0 || osz > (guint64) G_MAXSSIZE))
            {
              g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                           "%s: the HDF5 global heap at byte %" G_GSIZE_FORMAT
                           " is damaged (its free-space record has size %" G_GUINT64_FORMAT ")",
                           path, (gsize) (p - data), osz);
              return FALSE;
            }
          guint64 need = idx == 0 ? osz : 16 + ((osz + 7) & ~(guint64) 7);
          if (need < 16 || need > (guint64) (cend - q))
            break;   /* HDF5 stops (or fails) here: no hang */
          q += need;
        }
    }
  return TRUE;
}

/* HDF5 1.10.8 trusts the local heap address in a group's symbol-table
 * message (the heap holds the group's link names): an undefined address
 * (all ones, found by fuzz-h5mu) makes H5HL_protect hand the metadata
 * accumulator a NULL buffer, a SEGV in H5F__accum_read from H5Lexists.
 * So before HDF5 sees the file, walk the old-style group tree ourselves
 * from the root (superblock versions 0/1, version-1 object headers,
 * "TREE" v1 B-tree nodes and "SNOD" symbol nodes; 8-byte offsets and
 * lengths, as every writer we read uses) and check each group's local
 * heap (spec "Local Heap": "HEAP", version 0, 3 reserved bytes, data
 * segment size, free-list head offset (all ones = none), data segment
 * address).  Anything we cannot follow is left to HDF5: only a heap that
 * is clearly broken rejects the file. */

#define LH_UNDEF G_MAXUINT64
#define OH_MAX_CHUNKS 64   /* continuation chunks followed per object header */

static guint64
lh_uint (const guint8 *p, guint n)
{
  guint64 v = 0;
  for (guint i = n; i > 0; i--)
    v = (v << 8) | p[i - 1];
  return v;
}

typedef struct {
  const char   *path;
  const guint8 *data;
  gsize         len;
  guint64       base;
  GHashTable   *seen;   /* object header / node addresses already walked */
  guint         budget; /* bounds the work on hostile files */
} LheapWalk;

static gboolean
lh_in (const LheapWalk *w, guint64 addr, guint64 n)
{
  return addr != LH_UNDEF && addr <= w->len && w->base <= w->len - addr
         && n <= w->len - w->base - addr;
}

static gboolean
lh_fail (const LheapWalk *w, guint64 oh, guint64 heap, const char *why, GError **error)
{
  if (heap == LH_UNDEF)
    g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                 "%s: the HDF5 group at byte %" G_GUINT64_FORMAT " is damaged (its local heap"
                 " address is undefined)", w->path, w->base + oh);
  else
    g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                 "%s: the HDF5 group at byte %" G_GUINT64_FORMAT " is damaged (local heap at byte %"
                 G_GUINT64_FORMAT ": %s)", w->path, w->base + oh, w->base + heap, why);
  return FALSE;
}

static gboolean lh_walk_ohdr (LheapWalk *w, guint64 oh, int depth, GError **error);

/* Group B-tree node at addr (type 0): children are nodes or "SNOD"s. */
static gboolean
lh_walk_tree (LheapWalk *w, guint64 addr, int depth, GError **error)
{
  if (depth > 64 || w->budget == 0 || !lh_in (w, addr, 24)
      || !g_hash_table_add (w->seen, GSIZE_TO_POINTER ((gsize) addr + 1)))
    return TRUE;
  w->budget--;
  const guint8 *p = w->data + w->base + addr;
  if (memcmp (p, "TREE", 4) != 0 || p[4] != 0)
    return TRUE;
  guint level = p[5], used = (guint) lh_uint (p + 6, 2);
  if (!lh_in (w, addr, 24 + 8 + (guint64) used * 16))
    return TRUE;
  for (guint i = 0; i < used; i++)
    {
      guint64 child = le_u64 (p + 24 + 8 + (gsize) i * 16);
      if (level > 0)
        {
          if (!lh_walk_tree (w, child, depth + 1, error))
            return FALSE;
          continue;
        }
      if (!lh_in (w, child, 8))
        continue;
      const guint8 *s = w->data + w->base + child;
      if (memcmp (s, "SNOD", 4) != 0 || s[4] != 1)
        continue;
      guint n = (guint) lh_uint (s + 6, 2);
      if (!lh_in (w, child, 8 + (guint64) n * 40))
        continue;
      for (guint k = 0; k < n; k++)
        if (!lh_walk_ohdr (w, le_u64 (s + 8 + (gsize) k * 40 + 8), depth + 1, error))
          return FALSE;
    }
  return TRUE;
}

/* Version-1 object header at oh: checks its symbol-table message (0x11),
 * if any, and walks into the group. */
static gboolean
lh_walk_ohdr (LheapWalk *w, guint64 oh, int depth, GError **error)
{
  if (depth > 64 || w->budget == 0 || !lh_in (w, oh, 16)
      || !g_hash_table_add (w->seen, GSIZE_TO_POINTER ((gsize) oh + 1)))
    return TRUE;
  w->budget--;
  const guint8 *p = w->data + w->base + oh;
  if (p[0] != 1)
    return TRUE;   /* version 2 headers keep links elsewhere */
  guint64 sz = lh_uint (p + 8, 4);
  if (!lh_in (w, oh + 16, sz))
    return TRUE;
  /* the first chunk, then continuation chunks (message 0x10) */
  struct { const guint8 *s, *e; } ch[OH_MAX_CHUNKS];
  int n_ch = 1;
  ch[0].s = p + 16;
  ch[0].e = p + 16 + sz;
  for (int c = 0; c < n_ch; c++)   /* n_ch grows as continuations are met */
    for (const guint8 *q = ch[c].s, *e = ch[c].e; e - q >= 8;)
    {
      guint type = (guint) lh_uint (q, 2);
      gsize msz = (gsize) lh_uint (q + 2, 2);
      const guint8 *m = q + 8;
      if (msz > (gsize) (e - m))
        break;
      q = m + msz;
      if (type == 0x10 && msz >= 16 && n_ch < OH_MAX_CHUNKS)
        {
          guint64 ca = le_u64 (m), cl = le_u64 (m + 8);
          if (lh_in (w, ca, cl))
            {
              ch[n_ch].s = w->data + w->base + ca;
              ch[n_ch++].e = w->data + w->base + ca + cl;
            }
          continue;
        }
      if (type != 0x11 || msz < 16)
        continue;
      guint64 tree = le_u64 (m), heap = le_u64 (m + 8);
      if (!lh_in (w, heap, 32))
        return lh_fail (w, oh, heap, "outside the file", error);
      if (memcmp (w->data + w->base + heap, "HEAP", 4) != 0 || w->data[w->base + heap + 4] != 0)
        return TRUE;   /* HDF5 checks the signature itself and fails cleanly */
      const guint8 *h = w->data + w->base + heap;
      guint64 dsz = le_u64 (h + 8), free_off = le_u64 (h + 16), daddr = le_u64 (h + 24);
      if (dsz == 0)
        return lh_fail (w, oh, heap, "its data segment is empty but the group needs it for link names", error);
      if (!lh_in (w, daddr, dsz))
        return lh_fail (w, oh, heap, "its data segment lies outside the file", error);
      if (free_off != LH_UNDEF && (free_off > dsz || dsz - free_off < 16))
        return lh_fail (w, oh, heap, "its free-list offset is outside the data segment", error);
      return lh_walk_tree (w, tree, depth, error);
    }
  return TRUE;
}

static gboolean
check_local_heaps (const char *path, GError **error)
{
  g_autoptr (GMappedFile) mf = g_mapped_file_new (path, FALSE, NULL);
  if (mf == NULL)
    return TRUE;
  LheapWalk w = { path, (const guint8 *) g_mapped_file_get_contents (mf),
                  g_mapped_file_get_length (mf), 0, NULL, 100000 };
  /* the superblock sits at 0, 512, 1024, ... (after a user block) */
  gsize sb = 0;
  while (sb + 96 <= w.len && memcmp (w.data + sb, "\211HDF\r\n\032\n", 8) != 0)
    sb = sb == 0 ? 512 : sb * 2;
  if (sb + 96 > w.len)
    return TRUE;
  const guint8 *s = w.data + sb;
  guint ver = s[8];
  if ((ver != 0 && ver != 1) || s[13] != 8 || s[14] != 8)
    return TRUE;
  const guint8 *a = s + 24 + (ver == 1 ? 4 : 0);   /* base, free, EOF, driver, root entry */
  w.base = le_u64 (a);
  if (w.base > w.len)
    return TRUE;
  guint64 root = le_u64 (a + 32 + 8);
  w.seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  gboolean ok = lh_walk_ohdr (&w, root, 0, error);
  g_hash_table_destroy (w.seen);
  return ok;
}

gboolean
_scm_h5_open (ScmH5 *h, const char *path, GError **error)
{
  h->path = path;
  h->file = H5I_INVALID_HID;
  struct stat st;
  if (stat (path, &st) != 0)
    {
      int e = errno;
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot open: %s", path, g_strerror (e));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: is a folder, not a data file", path);
      return FALSE;
    }
  FILE *fp = fopen (path, "rb");
  if (fp == NULL)
    {
      int e = errno;
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot open: %s", path, g_strerror (e));
      return FALSE;
    }
  unsigned char head[64];
  size_t got = fread (head, 1, sizeof head, fp);
  fclose (fp);
  if (st.st_size == 0 || got == 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_FORMAT, "%s: the file is empty", path);
      return FALSE;
    }
  htri_t is = H5Fis_hdf5 (path);
  if (is <= 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      gboolean text = g_utf8_validate ((const char *) head, (gssize) got, NULL);
      for (size_t i = 0; i < got && text; i++)
        text = head[i] == '\n' || head[i] == '\r' || head[i] == '\t' || head[i] >= 0x20;
      g_set_error (error, SCM_ERROR, SCM_ERROR_FORMAT,
                   "%s: not an HDF5 file (%s); expected a 10x .h5, an .h5ad or an .h5mu file",
                   path, text ? "it looks like text; a labels CSV is joined to a dataset, not opened on its own"
                              : "unknown binary content");
      return FALSE;
    }
  if (!check_global_heaps (path, error))
    return FALSE;
  if (!check_local_heaps (path, error))
    return FALSE;
  hid_t fapl = H5Pcreate (H5P_FILE_ACCESS);
  /* Close everything still open when the file closes, so an error path
   * that forgot an hid_t cannot keep the file busy. */
  H5Pset_fclose_degree (fapl, H5F_CLOSE_STRONG);
  h->file = H5Fopen (path, H5F_ACC_RDONLY, fapl);
  if (h->file < 0)
    {
      /* before H5Pclose, which would clear HDF5's error stack */
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, NULL,
                         "the HDF5 file is damaged or truncated and cannot be opened");
      H5Pclose (fapl);
      return FALSE;
    }
  H5Pclose (fapl);
  return TRUE;
}

void
_scm_h5_close (ScmH5 *h)
{
  if (h->file >= 0)
    H5Fclose (h->file);
  h->file = H5I_INVALID_HID;
  H5Eclear2 (H5E_DEFAULT);
}

gboolean
_scm_h5_exists (hid_t loc, const char *path)
{
  if (path == NULL || path[0] == '\0')
    return FALSE;
  /* H5Lexists fails (rather than returning 0) when an intermediate
   * component is missing: check the path one component at a time. */
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  GString *acc = g_string_new (NULL);
  gboolean ok = TRUE;
  for (int i = 0; parts[i] && ok; i++)
    {
      if (parts[i][0] == '\0')
        continue;
      if (acc->len)
        g_string_append_c (acc, '/');
      g_string_append (acc, parts[i]);
      ok = H5Lexists (loc, acc->str, H5P_DEFAULT) > 0;
      if (ok && parts[i + 1])
        {
          /* the intermediate component must be a group to descend */
          H5O_info_t info;
          ok = H5Oget_info_by_name2 (loc, acc->str, &info, H5O_INFO_BASIC, H5P_DEFAULT) >= 0
               && info.type == H5O_TYPE_GROUP;
        }
    }
  g_string_free (acc, TRUE);
  H5Eclear2 (H5E_DEFAULT);
  return ok;
}

static int
object_type (hid_t loc, const char *path)
{
  if (!_scm_h5_exists (loc, path))
    return -1;
  H5O_info_t info;
  if (H5Oget_info_by_name2 (loc, path, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return -1;
    }
  return info.type;
}

gboolean
_scm_h5_is_group (hid_t loc, const char *path)
{
  return object_type (loc, path) == H5O_TYPE_GROUP;
}

gboolean
_scm_h5_is_dataset (hid_t loc, const char *path)
{
  return object_type (loc, path) == H5O_TYPE_DATASET;
}

/* -------------------------------------------------------------- attributes */

static char *
valid_utf8_dup (const char *s, gssize len)
{
  if (len < 0)
    len = (gssize) strlen (s);
  if (g_utf8_validate (s, len, NULL))
    return g_strndup (s, (gsize) len);
  return g_utf8_make_valid (s, len);
}

/* ------------------------------------------------ variable-length strings */

/* Why strings are not read with H5Dread: HDF5 1.10.8 converts each
 * variable-length element by following its on-disk descriptor (length,
 * global heap collection address, object index) into the "GCOL" collection
 * and trusts all three: an index past the collection's last object, a hole,
 * or an object longer than the descriptor's length makes H5HG_read read or
 * copy out of bounds (a SEGV found by tests/fuzz).  So we fetch the raw
 * descriptors ourselves (contiguous storage from the mapped file, chunks
 * with H5Dread_chunk, undoing shuffle / deflate / fletcher32) and resolve
 * them through the bounds-checked collection parser below; HDF5 never
 * converts a vlen string dataset.  It is also faster than H5Dread: no
 * per-string malloc and no reclaim pass.
 *
 * Layout (HDF5 file format spec, "Global Heap"): "GCOL", version 1, 3
 * reserved bytes, collection size (length-size bytes, includes the header);
 * then objects: index (2), reference count (2), reserved (4), size
 * (length-size), data padded to 8 bytes.  Object 0 is the free space and
 * ends the list.  A descriptor is a 4-byte length, an offset-size address
 * (relative to the superblock's base address) and a 4-byte index; address
 * 0 is a NULL string. */

typedef struct {
  const guint8 *data;   /* whole mapped file */
  gsize         len;
  guint64       base;   /* superblock base address (user block size) */
  guint         sa, ss; /* sizes of offsets and lengths */
  GHashTable   *cols;   /* address -> Gcol* (NULL value: damaged) */
} VlenCtx;

typedef struct {
  const guint8 *start;  /* collection start in the mapping */
  guint         n_idx;  /* objects 0..n_idx-1 may exist */
  guint64      *obj;    /* offset of object i's header from start, 0 if absent */
} Gcol;

static guint64
le_uint (const guint8 *p, guint n)
{
  guint64 v = 0;
  for (guint i = n; i > 0; i--)
    v = (v << 8) | p[i - 1];
  return v;
}

static void
gcol_free (gpointer p)
{
  Gcol *c = p;
  if (c)
    g_free (c->obj);
  g_free (c);
}

/* Parses the collection at relative address addr, or NULL if it is not a
 * well-formed collection inside the file. */
static Gcol *
gcol_parse (const VlenCtx *v, guint64 addr)
{
  guint hdr = 8 + v->ss;   /* collection header and object header sizes */
  guint ohdr = (8 + v->ss + 7) & ~7u;
  if (addr > v->len || v->base > v->len - addr || v->len - v->base - addr < hdr)
    return NULL;
  const guint8 *p = v->data + v->base + addr;
  if (memcmp (p, "GCOL", 4) != 0 || p[4] != 1)
    return NULL;
  guint64 size = le_uint (p + 8, v->ss);
  if (size < hdr || size > (guint64) (v->data + v->len - p))
    return NULL;
  Gcol *c = g_new0 (Gcol, 1);
  c->start = p;
  /* Every object takes at least ohdr bytes, which bounds the index count
   * we can meet (indices are 16-bit anyway). */
  c->n_idx = (guint) MIN ((guint64) 65536, size / ohdr + 2);
  c->obj = g_new0 (guint64, c->n_idx);
  guint64 off = hdr;
  while (off + ohdr <= size)
    {
      guint idx = (guint) le_uint (p + off, 2);
      guint64 osz = le_uint (p + off + 8, v->ss);
      if (idx == 0)
        break;   /* free space: the rest of the collection */
      if (osz > size - off - ohdr)
        {
          gcol_free (c);
          return NULL;   /* object runs past the collection */
        }
      if (idx < c->n_idx && c->obj[idx] == 0)
        c->obj[idx] = off;
      off += ohdr + ((osz + 7) & ~(guint64) 7);
    }
  return c;
}

/* The string of descriptor i (raw, n_desc bytes each), or NULL + error. */
static char *
vlen_resolve (const ScmH5 *h, const char *object, VlenCtx *v, const guint8 *desc, gint64 i,
              GError **error)
{
  guint64 slen = le_uint (desc, 4);
  guint64 addr = le_uint (desc + 4, v->sa);
  guint64 full_idx = le_uint (desc + 4 + v->sa, 4);
  guint idx = (guint) MIN (full_idx, (guint64) G_MAXUINT);
  if (addr == 0)
    return g_strdup ("");   /* NULL string */
  Gcol *c;
  if (!g_hash_table_lookup_extended (v->cols, &addr, NULL, (gpointer *) &c))
    {
      c = gcol_parse (v, addr);
      guint64 *key = g_new (guint64, 1);
      *key = addr;
      g_hash_table_insert (v->cols, key, c);
    }
  const char *why = NULL;
  guint64 osz = 0;
  if (c == NULL)
    why = "a damaged or missing global heap collection";
  else if (full_idx == 0 || full_idx >= c->n_idx || c->obj[idx] == 0)
    why = "a heap object that does not exist";
  else if ((osz = le_uint (c->start + c->obj[idx] + 8, v->ss)) != slen)
    why = "a heap object whose size differs from the string length";
  if (why)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                   "%s: %s: string %" G_GINT64_FORMAT " is damaged: it points to %s"
                   " (collection at byte %" G_GUINT64_FORMAT ", object %" G_GUINT64_FORMAT ")",
                   h->path, object, i, why, addr, full_idx);
      return NULL;
    }
  const char *s = (const char *) c->start + c->obj[idx] + ((8 + v->ss + 7) & ~7u);
  /* HDF5 hands out NUL-terminated text: an embedded NUL ends the string. */
  return valid_utf8_dup (s, (gssize) strnlen (s, (gsize) slen));
}

/* Undoes HDF5's shuffle filter (bytes of each element position grouped). */
static void
unshuffle (const guint8 *in, guint8 *out, gsize nbytes, gsize elem)
{
  gsize n = nbytes / elem;
  for (gsize b = 0; b < elem; b++)
    for (gsize k = 0; k < n; k++)
      out[k * elem + b] = in[b * n + k];
  memcpy (out + n * elem, in + n * elem, nbytes - n * elem);
}

/* Reads chunk `c` (elements from c * cdim) raw and undoes its filters into
 * out (cdim * dsz bytes, zeroed when the chunk is not allocated). */
static gboolean
vlen_read_chunk (const ScmH5 *h, hid_t d, hid_t dcpl, const char *object, gint64 c, hsize_t cdim,
                 gsize dsz, guint8 *out, GError **error)
{
  hsize_t off[1] = { (hsize_t) c * cdim };
  hsize_t stored = 0;
  gsize want = (gsize) cdim * dsz;
  memset (out, 0, want);
  if (H5Dget_chunk_storage_size (d, off, &stored) < 0)
    {
      /* HDF5 1.10.8 fails (rather than reporting 0 bytes) for a chunk that
       * was never written; H5Dread gives fill values (NULL strings) there. */
      g_autofree char *why = NULL;
      H5Ewalk2 (H5E_DEFAULT, H5E_WALK_UPWARD, innermost_cb, &why);
      if (why && strstr (why, "not allocated"))
        {
          H5Eclear2 (H5E_DEFAULT);
          return TRUE;
        }
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "chunk %" G_GINT64_FORMAT
                         " of the strings cannot be located", c);
      return FALSE;
    }
  if (stored == 0)
    return TRUE;   /* never written: fill value, NULL strings */
  if (stored > (hsize_t) want * 2 + (1 << 20))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT, "%s: %s: chunk %" G_GINT64_FORMAT
                   " claims %" G_GUINT64_FORMAT " bytes for %" G_GSIZE_FORMAT " of strings",
                   h->path, object, c, (guint64) stored, want);
      return FALSE;
    }
  /* Both buffers hold either the stored or the unfiltered chunk. */
  gsize cap = MAX ((gsize) stored, want);
  g_autofree guint8 *buf = _scm_io_try_alloc (cap, 1, object, error);
  g_autofree guint8 *tmp = buf ? _scm_io_try_alloc (cap, 1, object, error) : NULL;
  if (tmp == NULL)
    return FALSE;
  uint32_t mask = 0;
  if (H5Dread_chunk (d, H5P_DEFAULT, off, &mask, buf) < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "chunk %" G_GINT64_FORMAT
                         " of the strings cannot be read", c);
      return FALSE;
    }
  guint8 *cur = buf;
  gsize cur_len = (gsize) stored;
  int nf = H5Pget_nfilters (dcpl);
  for (int f = nf - 1; f >= 0; f--)
    {
      if (mask & (1u << f))
        continue;   /* filter skipped when this chunk was written */
      unsigned flags = 0;
      size_t ncd = 0;
      H5Z_filter_t id = H5Pget_filter2 (dcpl, (unsigned) f, &flags, &ncd, NULL, 0, NULL, NULL);
      if (id == H5Z_FILTER_FLETCHER32)
        {
          if (cur_len < 4)
            goto corrupt;
          cur_len -= 4;   /* checksum trailer */
        }
      else if (id == H5Z_FILTER_SHUFFLE)
        {
          if (cur_len > want)
            goto corrupt;
          unshuffle (cur, tmp, cur_len, dsz);
          memcpy (cur, tmp, cur_len);
        }
      else if (id == H5Z_FILTER_DEFLATE)
        {
          uLongf got = (uLongf) want;
          if (uncompress (tmp, &got, cur, (uLong) cur_len) != Z_OK)
            goto corrupt;
          /* swap: cur (always buf) becomes the inflated bytes */
          guint8 *t = buf;
          buf = tmp;
          tmp = t;
          cur = buf;
          cur_len = (gsize) got;
        }
      else
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_FORMAT,
                       "%s: %s: the strings are compressed with HDF5 filter %d, which is not supported",
                       h->path, object, (int) id);
          return FALSE;
        }
    }
  if (cur_len != want)
    goto corrupt;
  memcpy (out, cur, want);
  return TRUE;
corrupt:
  g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT, "%s: %s: chunk %" G_GINT64_FORMAT
               " of the strings is damaged", h->path, object, c);
  return FALSE;
}

char **
_scm_h5_read_vlen (const ScmH5 *h, hid_t d, const char *object, gint64 n, GError **error)
{
  char **out = NULL;
  g_autofree guint8 *raw = NULL;
  g_autoptr (GMappedFile) mf = g_mapped_file_new (h->path, FALSE, NULL);
  if (mf == NULL)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: %s: cannot map the file to read strings",
                   h->path, object);
      return NULL;
    }
  VlenCtx v = { (const guint8 *) g_mapped_file_get_contents (mf), g_mapped_file_get_length (mf),
                0, 8, 8, NULL };
  hid_t fcpl = H5Fget_create_plist (h->file);
  size_t sa = 0, ss = 0;
  hsize_t ub = 0;
  if (fcpl < 0 || H5Pget_sizes (fcpl, &sa, &ss) < 0 || H5Pget_userblock (fcpl, &ub) < 0)
    sa = 0;
  if (fcpl >= 0)
    H5Pclose (fcpl);
  if ((sa != 2 && sa != 4 && sa != 8) || (ss != 2 && ss != 4 && ss != 8))
    {
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object,
                         "unsupported HDF5 address sizes (%zu, %zu)", sa, ss);
      return NULL;
    }
  v.sa = (guint) sa;
  v.ss = (guint) ss;
  v.base = ub;
  const gsize dsz = 8 + sa;   /* descriptor bytes */

  hid_t dcpl = H5Dget_create_plist (d);
  H5D_layout_t layout = dcpl >= 0 ? H5Pget_layout (dcpl) : H5D_LAYOUT_ERROR;
  raw = _scm_io_try_alloc_big ((gsize) n, dsz, object, error);
  if (raw == NULL)
    goto out;
  if (layout == H5D_CONTIGUOUS && H5Pget_external_count (dcpl) == 0)
    {
      haddr_t a = H5Dget_offset (d);
      if (a == HADDR_UNDEF)
        memset (raw, 0, (gsize) n * dsz);   /* never written: NULL strings */
      else if (a > v.len || (guint64) n > (v.len - a) / dsz)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                       "%s: %s: the string descriptors lie beyond the end of the file",
                       h->path, object);
          goto out;
        }
      else
        memcpy (raw, v.data + a, (gsize) n * dsz);
    }
  else if (layout == H5D_CHUNKED)
    {
      hsize_t cdim = 0;
      if (H5Pget_chunk (dcpl, 1, &cdim) != 1 || cdim == 0 || cdim > ((hsize_t) 1 << 28))
        {
          _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "invalid chunk size");
          goto out;
        }
      g_autofree guint8 *cbuf = _scm_io_try_alloc ((gsize) cdim, dsz, object, error);
      if (cbuf == NULL)
        goto out;
      for (gint64 c = 0; (hsize_t) c * cdim < (hsize_t) n; c++)
        {
          if (!vlen_read_chunk (h, d, dcpl, object, c, cdim, dsz, cbuf, error))
            goto out;
          gsize first = (gsize) c * cdim;
          gsize cnt = MIN ((gsize) cdim, (gsize) n - first);
          memcpy (raw + first * dsz, cbuf, cnt * dsz);
        }
    }
  else
    {
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object,
                         "variable-length strings in %s storage are not supported",
                         layout == H5D_COMPACT ? "compact" : "external or unknown");
      goto out;
    }

  out = _scm_io_try_alloc ((gsize) n + 1, sizeof (char *), object, error);
  if (out == NULL)
    goto out;
  v.cols = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, gcol_free);
  for (gint64 i = 0; i < n; i++)
    {
      out[i] = vlen_resolve (h, object, &v, raw + (gsize) i * dsz, i, error);
      if (out[i] == NULL)
        {
          for (gint64 j = 0; j < i; j++)
            g_free (out[j]);
          g_clear_pointer (&out, g_free);
          break;
        }
    }
  if (out)
    out[n] = NULL;
  g_hash_table_destroy (v.cols);
out:
  if (dcpl >= 0)
    H5Pclose (dcpl);
  return out;
}

/* ---------------------------------------- variable-length string attributes */

/* Attributes holding variable-length strings (encoding-type, column-order,
 * ...) have the same problem as string datasets, but HDF5 offers no way to
 * read an attribute's raw bytes.  So we find them ourselves: walk the
 * object header (version 1, or version 2 "OHDR"/"OCHK" chunks, following
 * continuation messages) for the attribute message (type 0x000C, versions
 * 1-3) with this name, and resolve its descriptors like a dataset's.
 * Attributes kept in dense storage (a fractal heap, only with more than 8
 * attributes in files written with the newest format) or as shared
 * messages are not found this way and are still read by HDF5. */


/* Raw data of attribute `name` (want bytes) in the header at relative
 * address oh, or NULL when it is not stored as a plain compact message. */
static const guint8 *
attr_raw_find (const VlenCtx *v, guint64 oh, const char *name, gsize want, gboolean *damaged)
{
  const guint8 *end = v->data + v->len;
  if (oh > v->len || v->base > v->len - oh || v->len - v->base - oh < 16)
    return NULL;
  const guint8 *p = v->data + v->base + oh;
  struct { const guint8 *s, *e; } chunks[OH_MAX_CHUNKS];
  int n_chunks = 0, version;
  gboolean order = FALSE;
  if (memcmp (p, "OHDR", 4) == 0 && p[4] == 2)
    {
      version = 2;
      guint flags = p[5];
      order = (flags & 0x04) != 0;
      const guint8 *q = p + 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
      guint nb = 1u << (flags & 3);
      if ((gsize) (end - q) < nb)
        return NULL;
      guint64 sz = le_uint (q, nb);
      q += nb;
      if (sz > (guint64) (end - q))
        return NULL;
      chunks[n_chunks].s = q;
      chunks[n_chunks++].e = q + sz;
    }
  else if (p[0] == 1)
    {
      version = 1;
      guint64 sz = le_uint (p + 8, 4);
      if (sz > (guint64) (end - (p + 16)))
        return NULL;
      chunks[n_chunks].s = p + 16;
      chunks[n_chunks++].e = p + 16 + sz;
    }
  else
    return NULL;
  const gsize name_len = name ? strlen (name) + 1 : 0;
  const guint mh = version == 1 ? 8 : 4 + (order ? 2 : 0);   /* message header */
  for (int c = 0; c < n_chunks; c++)
    {
      const guint8 *q = chunks[c].s;
      while ((gsize) (chunks[c].e - q) >= mh)
        {
          guint type = version == 1 ? (guint) le_uint (q, 2) : q[0];
          gsize msz = (gsize) le_uint (q + (version == 1 ? 2 : 1), 2);
          guint mflags = q[version == 1 ? 4 : 3];
          const guint8 *m = q + mh;
          if (msz > (gsize) (chunks[c].e - m))
            return NULL;
          q = m + msz;
          if (type == 0x10 && msz >= v->sa + v->ss && n_chunks < OH_MAX_CHUNKS)
            {
              /* continuation: another chunk of this header */
              guint64 ca = le_uint (m, v->sa), cl = le_uint (m + v->sa, v->ss);
              if (ca > v->len || v->base > v->len - ca || cl > v->len - v->base - ca)
                return NULL;
              const guint8 *cs = v->data + v->base + ca;
              if (version == 2)
                {
                  if (cl < 8 || memcmp (cs, "OCHK", 4) != 0)
                    return NULL;
                  chunks[n_chunks].s = cs + 4;
                  chunks[n_chunks++].e = cs + cl - 4;   /* checksum last */
                }
              else
                {
                  chunks[n_chunks].s = cs;
                  chunks[n_chunks++].e = cs + cl;
                }
              continue;
            }
          if (type != 0x0C || (mflags & 0x02) || msz < 8)
            continue;   /* not an attribute, or a shared one */
          guint av = m[0];
          gsize nsz = (gsize) le_uint (m + 2, 2), dtsz = (gsize) le_uint (m + 4, 2),
                dssz = (gsize) le_uint (m + 6, 2);
          gsize off;
          if (av == 1)
            off = 8 + ((nsz + 7) & ~(gsize) 7) + ((dtsz + 7) & ~(gsize) 7) + ((dssz + 7) & ~(gsize) 7);
          else if (av == 2 || av == 3)
            off = (av == 3 ? 9 : 8) + nsz + dtsz + dssz;
          else
            continue;
          gsize noff = av == 3 ? 9 : 8;
          if (off > msz || noff + nsz > msz)
            {
              *damaged = TRUE;   /* parts overrun the message */
              return NULL;
            }
          if (name == NULL || nsz != name_len || memcmp (m + noff, name, name_len) != 0)
            continue;
          if (msz - off < want)
            {
              *damaged = TRUE;   /* our attribute, but too short */
              return NULL;
            }
          return m + off;
        }
    }
  return NULL;
}

/* The np strings of vlen attribute `name` of obj resolved by our parser.
 * *found is FALSE when the raw bytes could not be located (the caller
 * then lets HDF5 read it); NULL with *found TRUE means damaged. */
/* Maps the file of obj and fills v and the header address *oh; NULL when
 * that is not possible. */
static GMappedFile *
attr_ctx (hid_t obj, VlenCtx *v, guint64 *oh, char *fname, gsize fname_size)
{
  ssize_t fl = H5Fget_name (obj, fname, fname_size);
  if (fl <= 0 || (gsize) fl >= fname_size)
    return NULL;
  H5O_info_t oi;
  if (H5Oget_info2 (obj, &oi, H5O_INFO_BASIC) < 0)
    return NULL;
  hid_t fid = H5Iget_file_id (obj);
  hid_t fcpl = fid >= 0 ? H5Fget_create_plist (fid) : H5I_INVALID_HID;
  size_t sa = 0, ss = 0;
  hsize_t ub = 0;
  if (fcpl < 0 || H5Pget_sizes (fcpl, &sa, &ss) < 0 || H5Pget_userblock (fcpl, &ub) < 0)
    sa = 0;
  if (fcpl >= 0)
    H5Pclose (fcpl);
  if (fid >= 0)
    H5Fclose (fid);
  if ((sa != 2 && sa != 4 && sa != 8) || (ss != 2 && ss != 4 && ss != 8))
    return NULL;
  GMappedFile *mf = g_mapped_file_new (fname, FALSE, NULL);
  if (mf == NULL)
    return NULL;
  VlenCtx t = { (const guint8 *) g_mapped_file_get_contents (mf), g_mapped_file_get_length (mf),
                ub, (guint) sa, (guint) ss, NULL };
  *v = t;
  *oh = oi.addr;
  return mf;
}

/* FALSE when obj's header holds an attribute message whose name, type or
 * space overruns the message: HDF5 1.10.8 decodes those without bounds
 * checks (heap overflow in H5Aexists, found by fuzz-h5ad). */
static gboolean
attr_messages_sane (hid_t obj)
{
  char fname[4096];
  VlenCtx v;
  guint64 oh = 0;
  g_autoptr (GMappedFile) mf = attr_ctx (obj, &v, &oh, fname, sizeof fname);
  gboolean damaged = FALSE;
  if (mf)
    (void) attr_raw_find (&v, oh, NULL, 0, &damaged);
  H5Eclear2 (H5E_DEFAULT);
  return !damaged;
}

static char **
attr_read_vlen (hid_t obj, const char *name, hssize_t np, gboolean *found)
{
  *found = FALSE;
  char fname[4096];
  VlenCtx v;
  guint64 oh = 0;
  g_autoptr (GMappedFile) mf = attr_ctx (obj, &v, &oh, fname, sizeof fname);
  if (mf == NULL)
    return NULL;
  const gsize dsz = 8 + v.sa;
  gboolean damaged = FALSE;
  const guint8 *raw = attr_raw_find (&v, oh, name, (gsize) np * dsz, &damaged);
  if (raw == NULL)
    {
      *found = damaged;   /* damaged: absent, never handed to HDF5 */
      return NULL;
    }
  *found = TRUE;
  v.cols = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, gcol_free);
  ScmH5 h = { fname, H5I_INVALID_HID };
  char **out = g_new0 (char *, np + 1);
  for (hssize_t i = 0; i < np; i++)
    if ((out[i] = vlen_resolve (&h, name, &v, raw + (gsize) i * dsz, i, NULL)) == NULL)
      {
        g_strfreev (out);
        out = NULL;
        break;
      }
  g_hash_table_destroy (v.cols);
  return out;
}

gint64 _scm_h5_vlen_attr_fallbacks = 0;

/* Reads all string values of an attribute; NULL when absent or not text. */
static char **
attr_read_strings (hid_t obj, const char *name)
{
  if (!attr_messages_sane (obj) || H5Aexists (obj, name) <= 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return NULL;
    }
  hid_t a = H5Aopen (obj, name, H5P_DEFAULT);
  if (a < 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return NULL;
    }
  char **out = NULL;
  hid_t ft = H5Aget_type (a);
  hid_t sp = H5Aget_space (a);
  hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints (sp) : -1;
  if (ft >= 0 && H5Tget_class (ft) == H5T_STRING && np >= 0 && np <= (1 << 20))
    {
      gboolean found = FALSE;
      if (H5Tis_variable_str (ft) > 0)
        out = attr_read_vlen (obj, name, np, &found);
      if (H5Tis_variable_str (ft) > 0 && !found)
        {
          _scm_h5_vlen_attr_fallbacks++;
          hid_t mt = H5Tcopy (H5T_C_S1);
          H5Tset_size (mt, H5T_VARIABLE);
          H5Tset_cset (mt, H5Tget_cset (ft));
          char **buf = g_new0 (char *, np + 1);
          if (H5Aread (a, mt, buf) >= 0)
            {
              out = g_new0 (char *, np + 1);
              for (hssize_t i = 0; i < np; i++)
                out[i] = g_strdup (buf[i] ? buf[i] : "");
              H5Dvlen_reclaim (mt, sp, H5P_DEFAULT, buf);
            }
          g_free (buf);
          H5Tclose (mt);
        }
      else if (H5Tis_variable_str (ft) <= 0)
        {
          size_t sz = H5Tget_size (ft);
          if (sz > 0 && sz < (1u << 20))
            {
              hid_t mt = H5Tcopy (ft);
              char *buf = g_malloc0 ((gsize) MAX (np, 1) * sz + 1);
              if (H5Aread (a, mt, buf) >= 0)
                {
                  out = g_new0 (char *, np + 1);
                  for (hssize_t i = 0; i < np; i++)
                    out[i] = g_strndup (buf + i * sz, sz);
                }
              g_free (buf);
              H5Tclose (mt);
            }
        }
    }
  if (ft >= 0)
    H5Tclose (ft);
  if (sp >= 0)
    H5Sclose (sp);
  H5Aclose (a);
  H5Eclear2 (H5E_DEFAULT);
  return out;
}

char *
_scm_h5_attr_string (hid_t obj, const char *name)
{
  char **v = attr_read_strings (obj, name);
  if (v == NULL)
    return NULL;
  char *s = v[0] ? g_strdup (v[0]) : NULL;
  g_strfreev (v);
  return s;
}

char **
_scm_h5_attr_strings (hid_t obj, const char *name)
{
  return attr_read_strings (obj, name);
}

/* Integers of `size` bytes (signed or not) to gint64. */
static gint64
int_at (const guint8 *p, size_t size, gboolean is_signed)
{
  switch (size)
    {
    case 1: return is_signed ? (gint64) *(const gint8 *) p : (gint64) *p;
    case 2: { gint16 s; guint16 u; memcpy (&s, p, 2); memcpy (&u, p, 2); return is_signed ? (gint64) s : (gint64) u; }
    case 4: { gint32 s; guint32 u; memcpy (&s, p, 4); memcpy (&u, p, 4); return is_signed ? (gint64) s : (gint64) u; }
    case 8: { gint64 s; memcpy (&s, p, 8); return s; }
    default: return 0;
    }
}

int
_scm_h5_attr_int64s (hid_t obj, const char *name, gint64 *out, int max_n)
{
  if (!attr_messages_sane (obj) || H5Aexists (obj, name) <= 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return -1;
    }
  hid_t a = H5Aopen (obj, name, H5P_DEFAULT);
  if (a < 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return -1;
    }
  int n_out = -1;
  hid_t ft = H5Aget_type (a);
  hid_t sp = H5Aget_space (a);
  hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints (sp) : -1;
  H5T_class_t cls = ft >= 0 ? H5Tget_class (ft) : H5T_NO_CLASS;
  if (np >= 0 && np <= 4096)
    {
      if (cls == H5T_INTEGER || cls == H5T_FLOAT)
        {
          gint64 *buf = g_new0 (gint64, MAX (np, 1));
          if (H5Aread (a, H5T_NATIVE_INT64, buf) >= 0)
            {
              n_out = (int) MIN (np, max_n);
              memcpy (out, buf, (gsize) n_out * sizeof (gint64));
            }
          g_free (buf);
        }
      else if (cls == H5T_ENUM)
        {
          /* h5py stores bools as an int8 enum; HDF5 cannot convert an enum
           * to an integer, so read the raw base integers. */
          hid_t mt = H5Tget_native_type (ft, H5T_DIR_DEFAULT);
          size_t sz = H5Tget_size (mt);
          hid_t super = H5Tget_super (ft);
          gboolean sgn = H5Tget_sign (super) == H5T_SGN_2;
          guint8 *buf = g_malloc0 ((gsize) MAX (np, 1) * sz);
          if (sz <= 8 && H5Aread (a, mt, buf) >= 0)
            {
              n_out = (int) MIN (np, max_n);
              for (int i = 0; i < n_out; i++)
                out[i] = int_at (buf + (gsize) i * sz, sz, sgn);
            }
          g_free (buf);
          H5Tclose (super);
          H5Tclose (mt);
        }
    }
  if (ft >= 0)
    H5Tclose (ft);
  if (sp >= 0)
    H5Sclose (sp);
  H5Aclose (a);
  H5Eclear2 (H5E_DEFAULT);
  return n_out;
}

/* ---------------------------------------------------------------- datasets */

gboolean
_scm_h5_dims (const ScmH5 *h, hid_t dset, const char *object, int *rank, gint64 dims[2],
              GError **error)
{
  hid_t sp = H5Dget_space (dset);
  if (sp < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot read the dataspace");
      return FALSE;
    }
  hsize_t d[H5S_MAX_RANK];
  int r = H5Sget_simple_extent_dims (sp, d, NULL);
  H5Sclose (sp);
  if (r < 0 || r > 2)
    {
      if (r < 0)
        _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot read the dimensions");
      else
        _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object,
                           "has %d dimensions; expected 1 or 2", r);
      return FALSE;
    }
  *rank = r;
  dims[0] = r >= 1 ? (gint64) d[0] : 1;
  dims[1] = r >= 2 ? (gint64) d[1] : 1;
  if (dims[0] < 0 || dims[1] < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_NO_MEMORY, h, object, "dimensions are too large");
      return FALSE;
    }
  return TRUE;
}

gboolean
_scm_h5_len (const ScmH5 *h, hid_t loc, const char *object, gint64 *n, GError **error)
{
  if (!_scm_h5_is_dataset (loc, object))
    {
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object, "dataset is missing");
      return FALSE;
    }
  hid_t d = H5Dopen2 (loc, object, H5P_DEFAULT);
  if (d < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot open the dataset");
      return FALSE;
    }
  int rank;
  gint64 dims[2];
  gboolean ok = _scm_h5_dims (h, d, object, &rank, dims, error);
  H5Dclose (d);
  if (ok && rank != 1)
    {
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object,
                         "has %d dimensions; expected a 1-D array", rank);
      return FALSE;
    }
  if (ok)
    *n = dims[0];
  return ok;
}

gboolean
_scm_h5_read_slab (const ScmH5 *h, hid_t dset, const char *object, hid_t memtype,
                   gint64 start, gint64 count, void *buf, GError **error)
{
  if (count == 0)
    return TRUE;
  hid_t fs = H5Dget_space (dset);
  if (fs < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot read the dataspace");
      return FALSE;
    }
  int rank = H5Sget_simple_extent_ndims (fs);
  hsize_t dims[2] = { 0, 0 };
  if (rank < 1 || rank > 2 || H5Sget_simple_extent_dims (fs, dims, NULL) < 0)
    {
      H5Sclose (fs);
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object, "unexpected dimensions");
      return FALSE;
    }
  hsize_t off[2] = { (hsize_t) start, 0 };
  hsize_t cnt[2] = { (hsize_t) count, rank == 2 ? dims[1] : 1 };
  hid_t ms = H5Screate_simple (rank, cnt, NULL);
  herr_t st = H5Sselect_hyperslab (fs, H5S_SELECT_SET, off, NULL, cnt, NULL);
  if (st >= 0)
    st = H5Dread (dset, memtype, ms, fs, H5P_DEFAULT, buf);
  if (st < 0)
    _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object,
                       "cannot read elements %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT
                       " (damaged, truncated or of an unsupported type)",
                       start, start + count);
  H5Sclose (ms);
  H5Sclose (fs);
  return st >= 0;
}

static const char *
class_name (H5T_class_t c)
{
  switch (c)
    {
    case H5T_INTEGER: return "integers";
    case H5T_FLOAT: return "floating-point numbers";
    case H5T_STRING: return "strings";
    case H5T_COMPOUND: return "a compound (table) type";
    case H5T_ENUM: return "an enumeration";
    case H5T_REFERENCE: return "references";
    case H5T_OPAQUE: return "opaque bytes";
    case H5T_ARRAY: return "an array type";
    case H5T_VLEN: return "variable-length sequences";
    case H5T_BITFIELD: return "bit fields";
    case H5T_TIME: return "time values";
    default: return "an unknown type";
    }
}

/* Opens a 1-D dataset and checks its length against *n (if >= 0). */
static hid_t
open_1d (const ScmH5 *h, hid_t loc, const char *object, gint64 *n, GError **error)
{
  if (!_scm_h5_is_dataset (loc, object))
    {
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object, "dataset is missing");
      return H5I_INVALID_HID;
    }
  hid_t d = H5Dopen2 (loc, object, H5P_DEFAULT);
  if (d < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot open the dataset");
      return H5I_INVALID_HID;
    }
  int rank;
  gint64 dims[2];
  if (!_scm_h5_dims (h, d, object, &rank, dims, error))
    {
      H5Dclose (d);
      return H5I_INVALID_HID;
    }
  if (rank != 1)
    {
      H5Dclose (d);
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object,
                         "has %d dimensions; expected a 1-D array", rank);
      return H5I_INVALID_HID;
    }
  if (*n >= 0 && dims[0] != *n)
    {
      H5Dclose (d);
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object,
                         "has %" G_GINT64_FORMAT " elements; expected %" G_GINT64_FORMAT,
                         dims[0], *n);
      return H5I_INVALID_HID;
    }
  *n = dims[0];
  return d;
}

/* Reads a whole 1-D numeric dataset as int64 (want_int) or double. */
static gpointer
read_numbers (const ScmH5 *h, hid_t loc, const char *object, gint64 *n, gboolean want_int,
              GError **error)
{
  hid_t d = open_1d (h, loc, object, n, error);
  if (d < 0)
    return NULL;
  gpointer out = NULL;
  hid_t ft = H5Dget_type (d);
  H5T_class_t cls = H5Tget_class (ft);
  if (cls == H5T_INTEGER || cls == H5T_FLOAT)
    {
      out = _scm_io_try_alloc ((gsize) *n, 8, object, error);
      if (out && *n > 0
          && H5Dread (d, want_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                      H5P_DEFAULT, out) < 0)
        {
          g_clear_pointer (&out, g_free);
          _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot read the values");
        }
    }
  else if (cls == H5T_ENUM)
    {
      hid_t mt = H5Tget_native_type (ft, H5T_DIR_DEFAULT);
      hid_t super = H5Tget_super (ft);
      size_t sz = H5Tget_size (mt);
      gboolean sgn = H5Tget_sign (super) == H5T_SGN_2;
      guint8 *raw = sz <= 8 ? _scm_io_try_alloc ((gsize) *n, sz, object, error) : NULL;
      if (sz > 8)
        _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object, "enumeration base is too wide");
      else if (raw && *n > 0 && H5Dread (d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0)
        {
          g_clear_pointer (&raw, g_free);
          _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot read the values");
        }
      if (raw)
        {
          out = _scm_io_try_alloc ((gsize) *n, 8, object, error);
          for (gint64 i = 0; out && i < *n; i++)
            {
              gint64 v = int_at (raw + (gsize) i * sz, sz, sgn);
              if (want_int)
                ((gint64 *) out)[i] = v;
              else
                ((double *) out)[i] = (double) v;
            }
          g_free (raw);
        }
      H5Tclose (super);
      H5Tclose (mt);
    }
  else
    _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object,
                       "holds %s where numbers were expected", class_name (cls));
  H5Tclose (ft);
  H5Dclose (d);
  return out;
}

double *
_scm_h5_read_doubles (const ScmH5 *h, hid_t loc, const char *object, gint64 *n, GError **error)
{
  return read_numbers (h, loc, object, n, FALSE, error);
}

gint64 *
_scm_h5_read_int64s (const ScmH5 *h, hid_t loc, const char *object, gint64 *n, GError **error)
{
  return read_numbers (h, loc, object, n, TRUE, error);
}


char **
_scm_h5_read_strings (const ScmH5 *h, hid_t loc, const char *object, gint64 *n,
                      gboolean allow_numbers, GError **error)
{
  hid_t d = open_1d (h, loc, object, n, error);
  if (d < 0)
    return NULL;
  hid_t ft = H5Dget_type (d);
  H5T_class_t cls = H5Tget_class (ft);
  char **out = NULL;
  if (cls == H5T_STRING && H5Tis_variable_str (ft) > 0)
    out = _scm_h5_read_vlen (h, d, object, *n, error);
  else if (cls == H5T_STRING)
    {
      size_t sz = H5Tget_size (ft);
      H5T_str_t pad = H5Tget_strpad (ft);
      char *buf = NULL;
      if (sz == 0 || sz > (1u << 24))
        _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object, "string width %zu is invalid", sz);
      else if ((buf = _scm_io_try_alloc ((gsize) MAX (*n, 1), sz, object, error)) != NULL)
        {
          hid_t mt = H5Tcopy (ft);
          if (*n > 0 && H5Dread (d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
            _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot read the strings");
          else if ((out = _scm_io_try_alloc ((gsize) *n + 1, sizeof (char *), object, error)))
            {
              for (gint64 i = 0; i < *n; i++)
                {
                  const char *p = buf + (gsize) i * sz;
                  gsize len = strnlen (p, sz);
                  if (pad == H5T_STR_SPACEPAD)
                    while (len > 0 && p[len - 1] == ' ')
                      len--;
                  out[i] = valid_utf8_dup (p, (gssize) len);
                }
              out[*n] = NULL;
            }
          H5Tclose (mt);
          g_free (buf);
        }
    }
  else if (allow_numbers && (cls == H5T_INTEGER || cls == H5T_FLOAT))
    {
      gboolean is_int = cls == H5T_INTEGER;
      H5Tclose (ft);
      H5Dclose (d);
      gpointer v = read_numbers (h, loc, object, n, is_int, error);
      if (v == NULL)
        return NULL;
      out = _scm_io_try_alloc ((gsize) *n + 1, sizeof (char *), object, error);
      for (gint64 i = 0; out && i < *n; i++)
        out[i] = is_int ? g_strdup_printf ("%" G_GINT64_FORMAT, ((gint64 *) v)[i])
                        : g_strdup_printf ("%.10g", ((double *) v)[i]);
      if (out)
        out[*n] = NULL;
      g_free (v);
      return out;
    }
  else
    _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object,
                       "holds %s where strings were expected", class_name (cls));
  H5Tclose (ft);
  H5Dclose (d);
  return out;
}

gboolean
_scm_io_check_unique (const char *path, const char *object, char **names, gint64 n,
                      const char *what, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (gint64 i = 0; i < n; i++)
    {
      gpointer prev;
      if (g_hash_table_lookup_extended (seen, names[i], NULL, &prev))
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                       "%s: %s: duplicate %s \"%s\" at rows %" G_GINT64_FORMAT " and %"
                       G_GINT64_FORMAT, path, object, what, names[i],
                       (gint64) GPOINTER_TO_SIZE (prev), i);
          return FALSE;
        }
      g_hash_table_insert (seen, names[i], GSIZE_TO_POINTER ((gsize) i));
    }
  return TRUE;
}
