/* scm-io-inflate.c: reading gzip-chunked 1-D datasets on several cores.
 *
 * Why: inflating is most of the time of reading a 10x or AnnData matrix
 * (pbmc10k: ~80%), and HDF5 is serialised by our lock, so H5Dread uses one
 * core.  For the common layout (1-D, chunked, deflate with optional
 * shuffle, little-endian 4/8-byte integers or floats) we fetch the raw
 * compressed chunks with H5Dread_chunk (cheap, under the lock) and inflate
 * + unshuffle + convert them in worker threads straight into the output.
 * Anything else, or any surprise (filter skipped on a chunk, odd sizes),
 * goes through the plain H5Dread path, _scm_io_stream_plain, which is also
 * the reference the tests compare this one against.
 *
 * Inflating uses libdeflate when the build found it (about twice as fast
 * as zlib on these chunks), zlib otherwise.
 *
 * Conversion matches HDF5's: integers saturate when narrowed to int32 (so
 * out-of-range indices still fail the readers' range checks), integers
 * and doubles become float by C conversion.
 */
#include "io/scm-h5-private.h"

#include <string.h>
#include <zlib.h>
/* libdeflate is linked when meson finds it (src/core/io/meson.build);
 * detect its header here rather than adding a define to every engine
 * consumer's command line. */
#if defined(__has_include) && !defined(SCM_NO_LIBDEFLATE)
#if __has_include(<libdeflate.h>)
#define SCM_HAVE_LIBDEFLATE 1
#include <libdeflate.h>
#endif
#endif

/* Compressed bytes fetched per round before the workers inflate them. */
#define BATCH_BYTES ((gsize) 64 << 20)

typedef enum { OUT_I32, OUT_F32 } OutKind;

/* Chunks inflated by the fast path since start (tests check it was used). */
gint64 _scm_io_inflated_chunks = 0;

typedef struct {
  /* source element layout */
  gsize    esize;       /* 4 or 8 */
  gboolean is_float;
  gboolean is_signed;
  gboolean shuffle;
  gint64   cdim;        /* elements per chunk */
  gint64   n;           /* elements in the dataset */
  OutKind  out_kind;
  void    *out;
  /* current batch: compressed chunk b is arena[raw_off[b] .. + raw_len[b]);
   * the arena and the per-thread buffers live for the whole read so that
   * large reads do not map and unmap memory for every chunk */
  guint8  *arena;
  gsize    arena_cap;
  gsize   *raw_off;
  gsize   *raw_len;
  guint8  *wbuf[8], *wtmp[8];
  gint     slot;        /* atomic: next worker slot */
  gint64  *chunk_index;
  guint    n_batch;
  gint     next;        /* atomic work counter */
  gint     failed;      /* atomic: 0 ok, -1 no memory, b + 1 when chunk b of the batch is damaged */
} Job;

static void
convert (const Job *j, const guint8 *src, gint64 first, gint64 count)
{
  if (j->out_kind == OUT_I32)
    {
      gint32 *o = (gint32 *) j->out + first;
      for (gint64 i = 0; i < count; i++)
        {
          const guint8 *p = src + i * j->esize;
          gint64 v;
          if (j->esize == 8)
            {
              if (j->is_signed)
                memcpy (&v, p, 8);
              else
                {
                  guint64 u;
                  memcpy (&u, p, 8);
                  v = u > (guint64) G_MAXINT64 ? G_MAXINT64 : (gint64) u;
                }
            }
          else if (j->is_signed)
            {
              gint32 s;
              memcpy (&s, p, 4);
              v = s;
            }
          else
            {
              guint32 u;
              memcpy (&u, p, 4);
              v = u;
            }
          o[i] = v > G_MAXINT32 ? G_MAXINT32 : v < G_MININT32 ? G_MININT32 : (gint32) v;
        }
      return;
    }
  float *o = (float *) j->out + first;
  if (j->is_float && j->esize == 4)
    memcpy (o, src, (gsize) count * 4);
  else if (j->is_float)
    for (gint64 i = 0; i < count; i++)
      {
        double d;
        memcpy (&d, src + i * 8, 8);
        o[i] = (float) d;
      }
  else if (j->esize == 4)
    for (gint64 i = 0; i < count; i++)
      {
        if (j->is_signed)
          {
            gint32 s;
            memcpy (&s, src + i * 4, 4);
            o[i] = (float) s;
          }
        else
          {
            guint32 u;
            memcpy (&u, src + i * 4, 4);
            o[i] = (float) u;
          }
      }
  else
    for (gint64 i = 0; i < count; i++)
      {
        if (j->is_signed)
          {
            gint64 s;
            memcpy (&s, src + i * 8, 8);
            o[i] = (float) s;
          }
        else
          {
            guint64 u;
            memcpy (&u, src + i * 8, 8);
            o[i] = (float) u;
          }
      }
}

static gpointer
worker (gpointer data)
{
  Job *j = data;
  gint slot = g_atomic_int_add (&j->slot, 1);
  gsize full = (gsize) j->cdim * j->esize;
  guint8 *buf = j->wbuf[slot], *tmp = j->wtmp[slot];
#ifdef SCM_HAVE_LIBDEFLATE
  struct libdeflate_decompressor *dc = libdeflate_alloc_decompressor ();
  if (dc == NULL)
    {
      g_atomic_int_compare_and_exchange (&j->failed, 0, -1);
      return NULL;
    }
#endif
  for (;;)
    {
      guint b = (guint) g_atomic_int_add (&j->next, 1);
      if (b >= j->n_batch || g_atomic_int_get (&j->failed))
        break;
      gint64 k = j->chunk_index[b];
      gint64 first = k * j->cdim;
      gint64 count = MIN (j->cdim, j->n - first);
      /* a partial last chunk is still stored (and inflates) at full size */
#ifdef SCM_HAVE_LIBDEFLATE
      size_t dlen = 0;
      gboolean zok = libdeflate_zlib_decompress (dc, j->arena + j->raw_off[b], j->raw_len[b],
                                                 j->shuffle ? tmp : buf, full, &dlen)
                     == LIBDEFLATE_SUCCESS;
#else
      uLongf dlen = (uLongf) full;
      gboolean zok = uncompress (j->shuffle ? tmp : buf, &dlen, j->arena + j->raw_off[b],
                                 (uLong) j->raw_len[b]) == Z_OK;
#endif
      if (!zok || (gsize) dlen < (gsize) count * j->esize)
        {
          g_atomic_int_compare_and_exchange (&j->failed, 0, (gint) b + 1);
          break;
        }
      if (j->shuffle)
        {
          /* HDF5 shuffle: byte plane p holds byte p of every element; the
           * bytes after the last full plane are copied as they are */
          gsize ne = (gsize) dlen / j->esize;
          for (gsize p = 0; p < j->esize; p++)
            for (gsize e = 0; e < ne; e++)
              buf[e * j->esize + p] = tmp[p * ne + e];
          memcpy (buf + ne * j->esize, tmp + ne * j->esize, (gsize) dlen - ne * j->esize);
        }
      convert (j, buf, first, count);
    }
#ifdef SCM_HAVE_LIBDEFLATE
  libdeflate_free_decompressor (dc);
#endif
  return NULL;
}

/* Layout check: TRUE when the fast path applies. */
static gboolean
fast_layout (hid_t d, Job *j)
{
  gboolean ok = FALSE;
  hid_t dcpl = H5Dget_create_plist (d);
  hid_t t = H5Dget_type (d);
  hid_t sp = H5Dget_space (d);
  if (dcpl < 0 || t < 0 || sp < 0)
    goto out;
  if (H5Pget_layout (dcpl) != H5D_CHUNKED || H5Sget_simple_extent_ndims (sp) != 1)
    goto out;
  hsize_t cd = 0;
  if (H5Pget_chunk (dcpl, 1, &cd) != 1 || cd == 0 || cd > ((hsize_t) 1 << 26))
    goto out;
  int nf = H5Pget_nfilters (dcpl);
  gboolean deflate = FALSE, shuffle = FALSE;
  for (int i = 0; i < nf; i++)
    {
      unsigned flags = 0, cdv[8];
      size_t ncd = 8;
      char name[64];
      H5Z_filter_t id = H5Pget_filter2 (dcpl, (unsigned) i, &flags, &ncd, cdv, sizeof name, name, NULL);
      if (id == H5Z_FILTER_SHUFFLE && i == 0 && nf == 2)
        shuffle = TRUE;
      else if (id == H5Z_FILTER_DEFLATE && i == nf - 1)
        deflate = TRUE;
      else
        goto out;
    }
  if (!deflate)
    goto out;
  H5T_class_t cls = H5Tget_class (t);
  size_t es = H5Tget_size (t);
  if ((cls != H5T_INTEGER && cls != H5T_FLOAT) || (es != 4 && es != 8)
      || H5Tget_order (t) != H5T_ORDER_LE)
    goto out;
  if (cls == H5T_FLOAT)
    {
      /* only IEEE binary32 / binary64 layouts */
      size_t spos, epos, esz, mpos, msz;
      if (H5Tget_fields (t, &spos, &epos, &esz, &mpos, &msz) < 0
          || !((es == 4 && esz == 8 && msz == 23) || (es == 8 && esz == 11 && msz == 52)))
        goto out;
    }
  j->esize = es;
  j->is_float = cls == H5T_FLOAT;
  j->is_signed = cls == H5T_FLOAT || H5Tget_sign (t) == H5T_SGN_2;
  j->shuffle = shuffle;
  j->cdim = (gint64) cd;
  ok = TRUE;
out:
  if (dcpl >= 0)
    H5Pclose (dcpl);
  if (t >= 0)
    H5Tclose (t);
  if (sp >= 0)
    H5Sclose (sp);
  H5Eclear2 (H5E_DEFAULT);
  return ok;
}

gboolean
_scm_io_stream_plain (const ScmH5 *h, hid_t d, const char *object, hid_t memtype, gsize elem,
                      gint64 n, void *buf, GError **error)
{
  for (gint64 s = 0; s < n; s += SCM_IO_CHUNK)
    {
      gint64 cnt = MIN (SCM_IO_CHUNK, n - s);
      if (!_scm_h5_read_slab (h, d, object, memtype, s, cnt, (char *) buf + (gsize) s * elem,
                              error))
        return FALSE;
    }
  return TRUE;
}

/* Returns -1 when the fast path does not apply (caller falls back),
 * 0 on error (set), 1 on success. */
static int
stream_parallel (const ScmH5 *h, hid_t d, const char *object, OutKind kind, gint64 n, void *buf,
                 GError **error)
{
  if (g_getenv ("SCM_IO_NO_THREADS"))
    return -1;
  Job j = { 0 };
  if (!fast_layout (d, &j))
    return -1;
  j.n = n;
  j.out_kind = kind;
  j.out = buf;
  gint64 n_chunks = (n + j.cdim - 1) / j.cdim;
  guint n_threads = CLAMP (g_get_num_processors (), 1, 8);
  if (n_chunks < 2 || n_threads < 2)
    return -1;
  /* a chunk with a skipped filter is stored differently: plain path */
  gsize max_batch = (gsize) MIN (n_chunks, 65536);
  j.raw_off = g_new0 (gsize, max_batch);
  j.raw_len = g_new0 (gsize, max_batch);
  j.chunk_index = g_new0 (gint64, max_batch);
  int result = 1;
  n_threads = (guint) MIN ((gint64) n_threads, n_chunks);
  gsize full = (gsize) j.cdim * j.esize;
  for (guint t = 0; t < n_threads && result == 1; t++)
    {
      j.wbuf[t] = g_try_malloc (full + 1);
      j.wtmp[t] = j.shuffle ? g_try_malloc (full + 1) : NULL;
      if (j.wbuf[t] == NULL || (j.shuffle && j.wtmp[t] == NULL))
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                       "%s: %s: cannot allocate decompression buffers", h->path, object);
          result = 0;
        }
    }
  gint64 k = 0;
  while (k < n_chunks && result == 1)
    {
      gsize bytes = 0;
      j.n_batch = 0;
      while (k < n_chunks && j.n_batch < max_batch && bytes < BATCH_BYTES)
        {
          hsize_t off = (hsize_t) (k * j.cdim);
          unsigned mask = 0;
          haddr_t addr = 0;
          hsize_t size = 0;
          if (H5Dget_chunk_info_by_coord (d, &off, &mask, &addr, &size) < 0 || mask != 0
              || addr == HADDR_UNDEF || size == 0 || size > ((hsize_t) 1 << 31))
            {
              H5Eclear2 (H5E_DEFAULT);
              result = -1;   /* unallocated / unfiltered chunk: let HDF5 handle it */
              break;
            }
          if (bytes + (gsize) size > j.arena_cap)
            {
              gsize cap = MAX (j.arena_cap * 2, bytes + (gsize) size);
              guint8 *na = g_try_realloc (j.arena, cap);
              if (na == NULL)
                {
                  g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                               "%s: %s: cannot allocate a chunk", h->path, object);
                  result = 0;
                  break;
                }
              j.arena = na;
              j.arena_cap = cap;
            }
          uint32_t filters = 0;
          if (H5Dread_chunk (d, H5P_DEFAULT, &off, &filters, j.arena + bytes) < 0 || filters != 0)
            {
              if (filters != 0)
                {
                  H5Eclear2 (H5E_DEFAULT);
                  result = -1;
                }
              else
                {
                  _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object,
                                     "cannot read the chunk at element %" G_GINT64_FORMAT,
                                     (gint64) off);
                  result = 0;
                }
              break;
            }
          j.raw_off[j.n_batch] = bytes;
          j.raw_len[j.n_batch] = (gsize) size;
          j.chunk_index[j.n_batch] = k;
          j.n_batch++;
          bytes += (gsize) size;
          k++;
        }
      if (result == 1 && j.n_batch > 0)
        {
          j.next = 0;
          j.failed = 0;
          j.slot = 0;
          guint nt = MIN (n_threads, j.n_batch);
          GThread *th[8];
          for (guint t = 1; t < nt; t++)
            th[t] = g_thread_new ("scm-inflate", worker, &j);
          worker (&j);
          for (guint t = 1; t < nt; t++)
            g_thread_join (th[t]);
          _scm_io_inflated_chunks += j.n_batch;
          if (j.failed)
            {
              if (j.failed < 0)
                g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                             "%s: %s: cannot allocate a decompressor", h->path, object);
              else
                g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                             "%s: %s: the compressed chunk at element %" G_GINT64_FORMAT
                             " is damaged", h->path, object,
                             j.chunk_index[j.failed - 1] * j.cdim);
              result = 0;
            }
        }
    }
  for (guint t = 0; t < G_N_ELEMENTS (j.wbuf); t++)
    {
      g_free (j.wbuf[t]);
      g_free (j.wtmp[t]);
    }
  g_free (j.arena);
  g_free (j.raw_off);
  g_free (j.raw_len);
  g_free (j.chunk_index);
  return result;
}

gboolean
_scm_io_stream (const ScmH5 *h, hid_t d, const char *object, hid_t memtype, gsize elem,
                gint64 n, void *buf, GError **error)
{
  if (n > 0 && elem == 4 && (H5Tequal (memtype, H5T_NATIVE_INT32) > 0
                             || H5Tequal (memtype, H5T_NATIVE_FLOAT) > 0))
    {
      OutKind kind = H5Tequal (memtype, H5T_NATIVE_INT32) > 0 ? OUT_I32 : OUT_F32;
      int r = stream_parallel (h, d, object, kind, n, buf, error);
      if (r >= 0)
        return r == 1;
    }
  return _scm_io_stream_plain (h, d, object, memtype, elem, n, buf, error);
}
