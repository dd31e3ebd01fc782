/* scm-io-matrix.c: reading one cells x features matrix from an HDF5 object.
 *
 * Handles the three ways AnnData-style files store a matrix: a csr_matrix
 * group (cells are rows: read straight into the final arrays), a
 * csc_matrix group (read, then transposed once in memory) and a dense 2-D
 * dataset (read in blocks of rows, zeros dropped).  Older files mark sparse
 * groups with h5sparse_format / h5sparse_shape instead of encoding-type.
 *
 * Every array is checked before it is trusted: the claimed shape against
 * the array lengths, row pointers (start at 0, never decrease, end at nnz),
 * indices (in range, strictly ascending after an optional sort) and values
 * (finite).  Index arrays are read with HDF5 converting to int32; HDF5
 * saturates out-of-range integers, so a 64-bit index that does not fit
 * still fails the range check instead of wrapping.
 */
#include "io/scm-h5-private.h"

#include <math.h>
#include <string.h>

gboolean
_scm_io_check_csr (const char *path, const char *object, ScmCsr *m, ScmValueStats *stats,
                   GError **error)
{
  ScmValueStats s = { FALSE, FALSE, -1, -1 };
  gboolean unsorted = FALSE;
  for (gint64 r = 0; r < m->n_rows; r++)
    {
      gint64 a = m->indptr[r], b = m->indptr[r + 1];
      gint32 prev = -1;
      for (gint64 k = a; k < b; k++)
        {
          gint32 c = m->indices[k];
          if (c < 0 || c >= m->n_cols)
            {
              g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                           "%s: %s: column index %d out of range [0, %" G_GINT64_FORMAT
                           ") in row %" G_GINT64_FORMAT, path, object, c, m->n_cols, r);
              return FALSE;
            }
          if (c == prev)
            {
              g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                           "%s: %s: column %d stored twice in row %" G_GINT64_FORMAT,
                           path, object, c, r);
              return FALSE;
            }
          unsorted |= c < prev;
          prev = c;
          float v = m->data[k];
          if (!isfinite (v))
            {
              g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                           "%s: %s: value %s at row %" G_GINT64_FORMAT ", column %d",
                           path, object, isnan (v) ? "NaN" : "infinite", r, c);
              return FALSE;
            }
          if (v < 0 && !s.any_negative)
            {
              s.any_negative = TRUE;
              s.neg_row = r;
              s.neg_col = c;
            }
          if (v != floorf (v))
            s.any_fractional = TRUE;
        }
    }
  if (unsorted)
    {
      scm_csr_sort_rows (m);
      for (gint64 r = 0; r < m->n_rows; r++)
        for (gint64 k = m->indptr[r] + 1; k < m->indptr[r + 1]; k++)
          if (m->indices[k] == m->indices[k - 1])
            {
              g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                           "%s: %s: column %d stored twice in row %" G_GINT64_FORMAT,
                           path, object, m->indices[k], r);
              return FALSE;
            }
    }
  if (stats)
    *stats = s;
  return TRUE;
}

gboolean
_scm_io_require_counts (const char *path, const char *object, const ScmValueStats *s,
                        GError **error)
{
  if (s->any_negative)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "%s: %s: negative count at row %" G_GINT64_FORMAT ", column %" G_GINT64_FORMAT
                   "; counts must be zero or positive", path, object, s->neg_row, s->neg_col);
      return FALSE;
    }
  return TRUE;
}

/* Checks a claimed shape against limits and the caller's expectation. */
static gboolean
check_shape (const ScmH5 *h, const char *object, gint64 rows, gint64 cols, gint64 want_rows,
             gint64 want_cols, GError **error)
{
  if (rows < 0 || cols < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object,
                         "negative shape %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT, rows, cols);
      return FALSE;
    }
  if (rows > SCM_IO_MAX_ROWS || cols > SCM_IO_MAX_COLS)
    {
      _scm_h5_set_error (error, SCM_ERROR_NO_MEMORY, h, object,
                         "shape %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                         " is too large to load", rows, cols);
      return FALSE;
    }
  if ((want_rows >= 0 && rows != want_rows) || (want_cols >= 0 && cols != want_cols))
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object,
                         "shape %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                         " does not match the %" G_GINT64_FORMAT " cells x %" G_GINT64_FORMAT
                         " features of the dataset", rows, cols, want_rows, want_cols);
      return FALSE;
    }
  return TRUE;
}

gboolean
_scm_io_check_indptr (const ScmH5 *h, const char *object, const gint64 *p, gint64 n,
                      gint64 nnz, GError **error)
{
  if (p[0] != 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object,
                         "first pointer is %" G_GINT64_FORMAT ", not 0", p[0]);
      return FALSE;
    }
  for (gint64 i = 0; i < n; i++)
    if (p[i + 1] < p[i])
      {
        _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object,
                           "pointers decrease at position %" G_GINT64_FORMAT
                           " (%" G_GINT64_FORMAT " then %" G_GINT64_FORMAT ")",
                           i, p[i], p[i + 1]);
        return FALSE;
      }
  if (p[n] != nnz)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object,
                         "last pointer is %" G_GINT64_FORMAT " but %" G_GINT64_FORMAT
                         " values are stored", p[n], nnz);
      return FALSE;
    }
  return TRUE;
}

/* Opens a numeric 1-D dataset for streaming; checks length and class. */
static hid_t
open_numeric (const ScmH5 *h, hid_t loc, const char *object, gint64 *n, gboolean want_int,
              GError **error)
{
  if (!_scm_h5_len (h, loc, object, n, error))
    return H5I_INVALID_HID;
  hid_t d = H5Dopen2 (loc, object, H5P_DEFAULT);
  if (d < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot open the dataset");
      return H5I_INVALID_HID;
    }
  hid_t t = H5Dget_type (d);
  H5T_class_t c = H5Tget_class (t);
  H5Tclose (t);
  if (!(c == H5T_INTEGER || (!want_int && c == H5T_FLOAT)))
    {
      H5Dclose (d);
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object, "holds %s where %s were expected",
                         c == H5T_STRING ? "strings" : c == H5T_FLOAT ? "floating-point numbers"
                         : "non-numeric values", want_int ? "integers" : "numbers");
      return H5I_INVALID_HID;
    }
  return d;
}

gboolean
_scm_io_read_sparse_arrays (const ScmH5 *h, hid_t loc, const char *object, gint64 n_major,
                    gint64 n_minor, ScmCsr *out, GError **error)
{
  g_autofree char *o_indptr = g_strdup_printf ("%s/indptr", object);
  g_autofree char *o_indices = g_strdup_printf ("%s/indices", object);
  g_autofree char *o_data = g_strdup_printf ("%s/data", object);
  gint64 n_ptr = n_major + 1;
  g_autofree gint64 *indptr = _scm_h5_read_int64s (h, loc, o_indptr, &n_ptr, error);
  if (indptr == NULL)
    return FALSE;
  gint64 nnz = -1, nnz_d = -1;
  hid_t di = open_numeric (h, loc, o_indices, &nnz, TRUE, error);
  if (di < 0)
    return FALSE;
  hid_t dd = open_numeric (h, loc, o_data, &nnz_d, FALSE, error);
  if (dd < 0)
    {
      H5Dclose (di);
      return FALSE;
    }
  gboolean ok = TRUE;
  if (nnz != nnz_d)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object,
                         "indices has %" G_GINT64_FORMAT " elements but data has %"
                         G_GINT64_FORMAT, nnz, nnz_d);
      ok = FALSE;
    }
  ok = ok && _scm_io_check_indptr (h, o_indptr, indptr, n_major, nnz, error);
  ok = ok && _scm_io_csr_alloc (out, n_major, n_minor, nnz, error);
  if (ok)
    {
      memcpy (out->indptr, indptr, (gsize) n_ptr * sizeof (gint64));
      ok = _scm_io_stream (h, di, o_indices, H5T_NATIVE_INT32, 4, nnz, out->indices, error)
           && _scm_io_stream (h, dd, o_data, H5T_NATIVE_FLOAT, 4, nnz, out->data, error);
      if (!ok)
        scm_csr_clear (out);
    }
  H5Dclose (di);
  H5Dclose (dd);
  return ok;
}

/* CSC (n_cols major) to CSR; indices of csc already range-checked < n_rows. */
static gboolean
csc_to_csr (const ScmCsr *csc, gint64 n_rows, ScmCsr *out, GError **error)
{
  gint64 nnz = scm_csr_nnz (csc);
  if (!_scm_io_csr_alloc (out, n_rows, csc->n_rows, nnz, error))
    return FALSE;
  for (gint64 k = 0; k < nnz; k++)
    out->indptr[csc->indices[k] + 1]++;
  for (gint64 r = 0; r < n_rows; r++)
    out->indptr[r + 1] += out->indptr[r];
  g_autofree gint64 *fill = g_try_new (gint64, MAX (n_rows, 1));
  if (fill == NULL)
    {
      scm_csr_clear (out);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate the transpose");
      return FALSE;
    }
  memcpy (fill, out->indptr, (gsize) n_rows * sizeof (gint64));
  for (gint64 c = 0; c < csc->n_rows; c++)
    for (gint64 k = csc->indptr[c]; k < csc->indptr[c + 1]; k++)
      {
        gint64 pos = fill[csc->indices[k]]++;
        out->indices[pos] = (gint32) c;
        out->data[pos] = csc->data[k];
      }
  return TRUE;
}

/* Dense 2-D dataset read in blocks of rows; zeros are dropped. */
static gboolean
read_dense (const ScmH5 *h, hid_t loc, const char *object, gint64 want_rows, gint64 want_cols,
            ScmCsr *out, GError **error)
{
  hid_t d = H5Dopen2 (loc, object, H5P_DEFAULT);
  if (d < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot open the dataset");
      return FALSE;
    }
  int rank;
  gint64 dims[2];
  gboolean ok = _scm_h5_dims (h, d, object, &rank, dims, error);
  hid_t t = ok ? H5Dget_type (d) : H5I_INVALID_HID;
  H5T_class_t cls = t >= 0 ? H5Tget_class (t) : H5T_NO_CLASS;
  if (t >= 0)
    H5Tclose (t);
  if (ok && rank != 2)
    {
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object,
                         "has %d dimensions; expected a cells x features matrix", rank);
      ok = FALSE;
    }
  if (ok && cls != H5T_INTEGER && cls != H5T_FLOAT)
    {
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object,
                         "holds %s where numbers were expected",
                         cls == H5T_STRING ? "strings" : "non-numeric values");
      ok = FALSE;
    }
  ok = ok && check_shape (h, object, dims[0], dims[1], want_rows, want_cols, error);
  if (ok && dims[1] > 0 && dims[0] > ((gint64) 1 << 42) / dims[1])
    {
      _scm_h5_set_error (error, SCM_ERROR_NO_MEMORY, h, object,
                         "dense matrix %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                         " is too large to load", dims[0], dims[1]);
      ok = FALSE;
    }
  if (!ok)
    {
      H5Dclose (d);
      return FALSE;
    }
  gint64 n_rows = dims[0], n_cols = dims[1];
  gint64 block = MAX (1, SCM_IO_CHUNK / MAX (n_cols, 1));
  gsize cap = (gsize) MIN (n_rows * n_cols, (gint64) 1 << 20) + 1;
  g_autofree float *buf = n_cols > 0 ? _scm_io_try_alloc ((gsize) MIN (block, n_rows) * (gsize) n_cols + 1,
                                                          sizeof (float), object, error)
                                     : g_new0 (float, 1);
  memset (out, 0, sizeof *out);
  out->n_rows = n_rows;
  out->n_cols = n_cols;
  out->indptr = _scm_io_try_alloc ((gsize) n_rows + 1, sizeof (gint64), object, error);
  out->indices = g_try_new (gint32, cap);
  out->data = g_try_new (float, cap);
  if (buf == NULL || out->indptr == NULL || out->indices == NULL || out->data == NULL)
    {
      if (error && *error == NULL)
        g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "%s: %s: cannot allocate", h->path,
                     object);
      scm_csr_clear (out);
      H5Dclose (d);
      return FALSE;
    }
  out->indptr[0] = 0;
  gsize nnz = 0;
  for (gint64 r0 = 0; r0 < n_rows && ok; r0 += block)
    {
      gint64 nr = MIN (block, n_rows - r0);
      if (n_cols > 0 && !_scm_h5_read_slab (h, d, object, H5T_NATIVE_FLOAT, r0, nr, buf, error))
        {
          ok = FALSE;
          break;
        }
      for (gint64 i = 0; i < nr; i++)
        {
          const float *row = buf + (gsize) i * (gsize) n_cols;
          for (gint64 c = 0; c < n_cols; c++)
            {
              if (row[c] == 0.0f)
                continue;
              if (nnz == cap)
                {
                  gsize ncap = cap * 2;
                  gint32 *ni = g_try_renew (gint32, out->indices, ncap);
                  if (ni)
                    out->indices = ni;
                  float *nd = ni ? g_try_renew (float, out->data, ncap) : NULL;
                  if (nd)
                    out->data = nd;
                  if (ni == NULL || nd == NULL)
                    {
                      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                                   "%s: %s: cannot allocate %zu values", h->path, object, ncap);
                      ok = FALSE;
                      break;
                    }
                  cap = ncap;
                }
              out->indices[nnz] = (gint32) c;
              out->data[nnz] = row[c];
              nnz++;
            }
          out->indptr[r0 + i + 1] = (gint64) nnz;
        }
    }
  H5Dclose (d);
  if (!ok)
    {
      scm_csr_clear (out);
      return FALSE;
    }
  return TRUE;
}

gboolean
_scm_io_read_matrix (const ScmH5 *h, hid_t loc, const char *object, gint64 n_rows,
                     gint64 n_cols, ScmCsr *out, ScmValueStats *stats, GError **error)
{
  memset (out, 0, sizeof *out);
  if (_scm_h5_is_dataset (loc, object))
    {
      if (!read_dense (h, loc, object, n_rows, n_cols, out, error))
        return FALSE;
    }
  else if (_scm_h5_is_group (loc, object))
    {
      hid_t g = H5Gopen2 (loc, object, H5P_DEFAULT);
      if (g < 0)
        {
          _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot open the group");
          return FALSE;
        }
      g_autofree char *enc = _scm_h5_attr_string (g, "encoding-type");
      if (enc == NULL)
        {
          g_autofree char *fmt = _scm_h5_attr_string (g, "h5sparse_format");
          if (fmt)
            enc = g_strdup_printf ("%s_matrix", fmt);
        }
      gint64 shape[2] = { -1, -1 };
      int ns = _scm_h5_attr_int64s (g, "shape", shape, 2);
      if (ns < 0)
        ns = _scm_h5_attr_int64s (g, "h5sparse_shape", shape, 2);
      gboolean ok = TRUE;
      gboolean csc = FALSE;
      if (enc == NULL || (g_strcmp0 (enc, "csr_matrix") != 0 && g_strcmp0 (enc, "csc_matrix") != 0))
        {
          _scm_h5_set_error (error, enc ? SCM_ERROR_UNSUPPORTED : SCM_ERROR_FORMAT, h, object,
                             enc ? "matrix encoding \"%s\" is not supported (expected csr_matrix, "
                                   "csc_matrix or a dense array)"
                                 : "group has no encoding-type attribute%s; expected a sparse matrix",
                             enc ? enc : "");
          ok = FALSE;
        }
      else if (ns != 2)
        {
          _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object,
                             "sparse matrix has no valid 2-element shape attribute");
          ok = FALSE;
        }
      else
        csc = strcmp (enc, "csc_matrix") == 0;
      ok = ok && check_shape (h, object, shape[0], shape[1], n_rows, n_cols, error);
      if (ok && !csc)
        ok = _scm_io_read_sparse_arrays (h, loc, object, shape[0], shape[1], out, error);
      else if (ok)
        {
          ScmCsr t = { 0 };
          ok = _scm_io_read_sparse_arrays (h, loc, object, shape[1], shape[0], &t, error);
          /* range-check the row indices before they are used as offsets */
          ok = ok && _scm_io_check_csr (h->path, object, &t, NULL, error);
          ok = ok && csc_to_csr (&t, shape[0], out, error);
          scm_csr_clear (&t);
        }
      H5Gclose (g);
      if (!ok)
        return FALSE;
    }
  else
    {
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object, "matrix is missing");
      return FALSE;
    }
  if (!_scm_io_check_csr (h->path, object, out, stats, error))
    {
      scm_csr_clear (out);
      return FALSE;
    }
  return TRUE;
}
