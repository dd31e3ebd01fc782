/* gen-10x-large.c: a large Cell Ranger 3 file, then its peak-memory read.
 *
 *   gen-10x-large generate OUT.h5 [--cells N] [--genes G] [--nnz-per-cell K] [--seed S]
 *   gen-10x-large read FILE.h5
 *   gen-10x-large both OUT.h5 [...]       (generate, then read in a child process)
 *
 * The file has the /matrix layout of Cell Ranger >= 3 with int64 indices
 * and indptr, int32 counts, fixed-length strings and gzip-1 chunks of 2^20
 * values.  Cells hold K/2..3K/2 distinct genes (mean K; ~2000 in real
 * 10x data), counts mostly 1-3 with a heavy tail.  `read` loads it with
 * scm_dataset_read() and prints the time and peak RSS (getrusage
 * ru_maxrss) beside the size of the output arrays, which is what the
 * streaming 10x reader should stay close to: 8 bytes per stored value
 * (int32 index + float32 count) plus 8 bytes per cell of row pointers.
 * The read runs in a fresh process so the generator's memory does not
 * count.  Registered in bench/foundation/meson.build (suite 'bench').
 */
#include "io/scm-io.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK ((hsize_t) 1 << 20)

typedef struct {
  gint64  cells, genes, k;
  guint64 seed;
} Params;

/* xorshift64*: the generator only needs speed and reproducibility */
static inline guint64
rnd (guint64 *s)
{
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 0x2545F4914F6CDD1DULL;
}

static hid_t
str_type (size_t n)
{
  hid_t t = H5Tcopy (H5T_C_S1);
  H5Tset_size (t, n);
  H5Tset_strpad (t, H5T_STR_NULLPAD);
  return t;
}

static hid_t
make_dset (hid_t f, const char *name, hid_t type, hsize_t n, gboolean compress)
{
  hid_t s = H5Screate_simple (1, &n, NULL);
  hid_t p = H5Pcreate (H5P_DATASET_CREATE);
  if (compress && n > 0)
    {
      hsize_t ch = MIN (CHUNK, n);
      H5Pset_chunk (p, 1, &ch);
      H5Pset_deflate (p, 1);
    }
  hid_t d = H5Dcreate2 (f, name, type, s, H5P_DEFAULT, p, H5P_DEFAULT);
  H5Pclose (p);
  H5Sclose (s);
  if (d < 0)
    {
      fprintf (stderr, "cannot create %s\n", name);
      exit (1);
    }
  return d;
}

static void
write_slab (hid_t d, hid_t mt, hsize_t off, hsize_t n, const void *buf)
{
  hid_t fs = H5Dget_space (d);
  H5Sselect_hyperslab (fs, H5S_SELECT_SET, &off, NULL, &n, NULL);
  hid_t ms = H5Screate_simple (1, &n, NULL);
  if (H5Dwrite (d, mt, ms, fs, H5P_DEFAULT, buf) < 0)
    {
      fprintf (stderr, "write failed\n");
      exit (1);
    }
  H5Sclose (ms);
  H5Sclose (fs);
}

static void
write_strings (hid_t f, const char *name, size_t width, gint64 n, void (*fill) (gint64, char *))
{
  hid_t t = str_type (width);
  hid_t d = make_dset (f, name, t, (hsize_t) n, TRUE);
  gint64 block = 1 << 16;
  char *buf = g_malloc0 ((gsize) block * width);
  for (gint64 s = 0; s < n; s += block)
    {
      gint64 m = MIN (block, n - s);
      memset (buf, 0, (gsize) block * width);
      for (gint64 i = 0; i < m; i++)
        fill (s + i, buf + i * width);
      write_slab (d, t, (hsize_t) s, (hsize_t) m, buf);
    }
  g_free (buf);
  H5Dclose (d);
  H5Tclose (t);
}

static void fill_barcode (gint64 i, char *out)
{
  for (int k = 0; k < 16; k++)
    out[k] = "ACGT"[(i >> (2 * (15 - k))) & 3];
  memcpy (out + 16, "-1", 2);
}
static void fill_gene_id (gint64 i, char *out) { g_snprintf (out, 16, "ENSG%011" G_GINT64_FORMAT, i); }
static void fill_gene_name (gint64 i, char *out) { g_snprintf (out, 16, "GENE%" G_GINT64_FORMAT, i); }
static void fill_type (gint64 i, char *out) { memcpy (out, "Gene Expression", 15); }
static void fill_genome (gint64 i, char *out) { memcpy (out, "GRCh38", 6); }

static int
generate (const char *out, const Params *p)
{
  gint64 t0 = g_get_monotonic_time ();
  /* pass 1: nnz per cell, K/2 .. 3K/2 */
  gint64 *indptr = g_new (gint64, p->cells + 1);
  guint64 s = p->seed * 0x9E3779B97F4A7C15ULL + 1;
  indptr[0] = 0;
  for (gint64 c = 0; c < p->cells; c++)
    {
      gint64 k = p->k / 2 + (gint64) (rnd (&s) % (guint64) (p->k + 1));
      indptr[c + 1] = indptr[c] + MIN (k, p->genes);
    }
  gint64 nnz = indptr[p->cells];
  printf ("generating %s: %" G_GINT64_FORMAT " cells x %" G_GINT64_FORMAT " genes, %"
          G_GINT64_FORMAT " values (%.0f per cell)\n", out, p->cells, p->genes, nnz,
          (double) nnz / (double) MAX (p->cells, 1));
  fflush (stdout);
  hid_t f = H5Fcreate (out, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0)
    {
      fprintf (stderr, "cannot create %s\n", out);
      return 1;
    }
  hid_t g = H5Gcreate2 (f, "matrix", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Gclose (g);
  g = H5Gcreate2 (f, "matrix/features", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Gclose (g);
  write_strings (f, "matrix/barcodes", 18, p->cells, fill_barcode);
  write_strings (f, "matrix/features/id", 15, p->genes, fill_gene_id);
  write_strings (f, "matrix/features/name", 15, p->genes, fill_gene_name);
  write_strings (f, "matrix/features/feature_type", 15, p->genes, fill_type);
  write_strings (f, "matrix/features/genome", 6, p->genes, fill_genome);
  gint32 shape[2] = { (gint32) p->genes, (gint32) p->cells };
  hid_t ds = make_dset (f, "matrix/shape", H5T_STD_I32LE, 2, FALSE);
  write_slab (ds, H5T_NATIVE_INT32, 0, 2, shape);
  H5Dclose (ds);
  hid_t dp = make_dset (f, "matrix/indptr", H5T_STD_I64LE, (hsize_t) p->cells + 1, TRUE);
  write_slab (dp, H5T_NATIVE_INT64, 0, (hsize_t) p->cells + 1, indptr);
  H5Dclose (dp);

  /* pass 2: sorted distinct genes per cell via a bitmap, written in
   * CHUNK-sized slabs so HDF5 compresses each chunk once */
  hid_t di = make_dset (f, "matrix/indices", H5T_STD_I64LE, (hsize_t) nnz, TRUE);
  hid_t dd = make_dset (f, "matrix/data", H5T_STD_I32LE, (hsize_t) nnz, TRUE);
  gint64 *ibuf = g_new (gint64, CHUNK + (gsize) p->genes);
  gint32 *vbuf = g_new (gint32, CHUNK + (gsize) p->genes);
  gsize words = ((gsize) p->genes + 63) / 64;
  guint64 *bits = g_new0 (guint64, words);
  gint64 fill = 0, written = 0;
  for (gint64 c = 0; c < p->cells; c++)
    {
      gint64 k = indptr[c + 1] - indptr[c];
      for (gint64 j = 0; j < k;)
        {
          guint64 gi = rnd (&s) % (guint64) p->genes;
          if (!(bits[gi / 64] & (1ULL << (gi % 64))))
            {
              bits[gi / 64] |= 1ULL << (gi % 64);
              j++;
            }
        }
      for (gsize w = 0; w < words; w++)
        while (bits[w])
          {
            int b = __builtin_ctzll (bits[w]);
            bits[w] &= bits[w] - 1;
            guint64 r = rnd (&s);
            ibuf[fill] = (gint64) (w * 64 + (gsize) b);
            /* mostly 1-3, 1 in 16 up to ~60 */
            vbuf[fill] = (gint32) (1 + (r & 1) + ((r >> 1) & 1) + (((r >> 2) & 15) == 0 ? (r >> 8) % 60 : 0));
            fill++;
          }
      if ((gsize) fill >= CHUNK || c == p->cells - 1)
        {
          gint64 n = c == p->cells - 1 ? fill : (gint64) CHUNK;
          write_slab (di, H5T_NATIVE_INT64, (hsize_t) written, (hsize_t) n, ibuf);
          write_slab (dd, H5T_NATIVE_INT32, (hsize_t) written, (hsize_t) n, vbuf);
          written += n;
          memmove (ibuf, ibuf + n, (gsize) (fill - n) * sizeof (gint64));
          memmove (vbuf, vbuf + n, (gsize) (fill - n) * sizeof (gint32));
          fill -= n;
        }
    }
  if (fill > 0 || written != nnz)
    {
      fprintf (stderr, "internal error: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " written\n",
               written, nnz);
      return 1;
    }
  H5Dclose (di);
  H5Dclose (dd);
  H5Fclose (f);
  g_free (ibuf);
  g_free (vbuf);
  g_free (bits);
  g_free (indptr);
  printf ("generated in %.1f s\n", (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}

static int
read_file (const char *path)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  long rss0 = ru.ru_maxrss;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (path, NULL, &error);
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  if (ds == NULL)
    {
      fprintf (stderr, "read failed: %s\n", error->message);
      return 1;
    }
  getrusage (RUSAGE_SELF, &ru);
  const ScmCsr *X = &ds->rna->X;
  double out_gib = ((double) scm_csr_nnz (X) * 8.0 + (double) (X->n_rows + 1) * 8.0)
                   / (1024.0 * 1024.0 * 1024.0);
  printf ("read %s: %" G_GINT64_FORMAT " cells x %" G_GINT64_FORMAT " genes, %" G_GINT64_FORMAT
          " values in %.1f s\n", path, ds->n_cells, X->n_cols, scm_csr_nnz (X), secs);
  printf ("peak RSS %.2f GiB (%.2f GiB before reading); CSR output arrays %.2f GiB\n",
          ru.ru_maxrss / 1048576.0, rss0 / 1048576.0, out_gib);
  return 0;
}

static void
usage (void)
{
  fprintf (stderr, "usage: gen-10x-large generate|read|both FILE [--cells N] [--genes G] "
                   "[--nnz-per-cell K] [--seed S]\n");
}

int
main (int argc, char **argv)
{
  Params p = { 1000000, 33000, 2000, 1 };
  if (argc < 3)
    {
      usage ();
      return 2;
    }
  for (int i = 3; i + 1 < argc; i += 2)
    {
      gint64 v = g_ascii_strtoll (argv[i + 1], NULL, 10);
      if (strcmp (argv[i], "--cells") == 0) p.cells = v;
      else if (strcmp (argv[i], "--genes") == 0) p.genes = v;
      else if (strcmp (argv[i], "--nnz-per-cell") == 0) p.k = v;
      else if (strcmp (argv[i], "--seed") == 0) p.seed = (guint64) v;
      else { usage (); return 2; }
    }
  if (p.cells < 1 || p.genes < 1 || p.genes > G_MAXINT32 || p.k < 1 || p.cells > G_MAXINT32)
    {
      usage ();
      return 2;
    }
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
  const char *mode = argv[1], *file = argv[2];
  if (strcmp (mode, "generate") == 0)
    return generate (file, &p);
  if (strcmp (mode, "read") == 0)
    return read_file (file);
  if (strcmp (mode, "both") == 0)
    {
      int rc = generate (file, &p);
      if (rc != 0)
        return rc;
      fflush (stdout);
      pid_t pid = fork ();
      if (pid == 0)
        {
          int rc2 = read_file (file);
          fflush (stdout);
          _exit (rc2);
        }
      int status = 0;
      waitpid (pid, &status, 0);
      return WIFEXITED (status) ? WEXITSTATUS (status) : 1;
    }
  usage ();
  return 2;
}
