/* scm-read-h5ad-legacy.c: obs / var stored as compound tables (anndata <= 0.6).
 *
 * Old .h5ad files keep each dataframe as ONE compound dataset (a numpy
 * structured array): a string member `index` with the row names and one
 * member per column.  Categorical columns hold integer codes in the table
 * and their categories in uns/<column>_categories.  Each member is read
 * on its own by giving H5Dread a one-member compound memory type (HDF5
 * matches members by name), so the table is never materialised whole.
 * Array-typed members (old obsm tables) and other exotic members are
 * skipped with a note.
 */
#include "io/scm-read-private.h"

#include <math.h>
#include <string.h>

/* Reads member `name` (string class) of the compound dataset d. */
static char **
member_strings (const ScmH5 *h, hid_t d, const char *object, const char *name, hid_t ftype,
                gint64 n, GError **error)
{
  char **out = NULL;
  if (H5Tis_variable_str (ftype) > 0)
    {
      hid_t st = H5Tcopy (H5T_C_S1);
      H5Tset_size (st, H5T_VARIABLE);
      H5Tset_cset (st, H5Tget_cset (ftype));
      hid_t mt = H5Tcreate (H5T_COMPOUND, sizeof (char *));
      H5Tinsert (mt, name, 0, st);
      char **buf = _scm_io_try_alloc ((gsize) MAX (n, 1), sizeof (char *), object, error);
      if (buf)
        {
          memset (buf, 0, (gsize) MAX (n, 1) * sizeof (char *));
          if (n > 0 && H5Dread (d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
            _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot read member %s", name);
          else
            {
              out = g_new0 (char *, n + 1);
              for (gint64 i = 0; i < n; i++)
                out[i] = g_strdup (buf[i] ? buf[i] : "");
              hid_t sp = H5Dget_space (d);
              if (n > 0)
                H5Dvlen_reclaim (mt, sp, H5P_DEFAULT, buf);
              H5Sclose (sp);
            }
          g_free (buf);
        }
      H5Tclose (mt);
      H5Tclose (st);
      return out;
    }
  size_t sz = H5Tget_size (ftype);
  if (sz == 0 || sz > (1u << 20))
    {
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, object, "member %s has an invalid width", name);
      return NULL;
    }
  hid_t st = H5Tcopy (ftype);
  hid_t mt = H5Tcreate (H5T_COMPOUND, sz);
  H5Tinsert (mt, name, 0, st);
  char *buf = _scm_io_try_alloc ((gsize) MAX (n, 1), sz, object, error);
  if (buf)
    {
      if (n > 0 && H5Dread (d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot read member %s", name);
      else
        {
          out = g_new0 (char *, n + 1);
          for (gint64 i = 0; i < n; i++)
            {
              const char *p = buf + (gsize) i * sz;
              gsize len = strnlen (p, sz);
              out[i] = g_utf8_validate (p, (gssize) len, NULL) ? g_strndup (p, len)
                                                               : g_utf8_make_valid (p, (gssize) len);
            }
        }
      g_free (buf);
    }
  H5Tclose (mt);
  H5Tclose (st);
  return out;
}

static double *
member_doubles (const ScmH5 *h, hid_t d, const char *object, const char *name, gint64 n,
                GError **error)
{
  hid_t mt = H5Tcreate (H5T_COMPOUND, sizeof (double));
  H5Tinsert (mt, name, 0, H5T_NATIVE_DOUBLE);
  double *v = _scm_io_try_alloc ((gsize) MAX (n, 1), sizeof (double), object, error);
  if (v && n > 0 && H5Dread (d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
    {
      g_clear_pointer (&v, g_free);
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, object, "cannot read member %s", name);
    }
  H5Tclose (mt);
  return v;
}

/* Opens the compound table; checks class and rank. */
static hid_t
open_table (const ScmH5 *h, const char *path, gint64 *n, GError **error)
{
  hid_t d = H5Dopen2 (h->file, path, H5P_DEFAULT);
  if (d < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, path, "cannot open the table");
      return H5I_INVALID_HID;
    }
  hid_t t = H5Dget_type (d);
  gboolean compound = H5Tget_class (t) == H5T_COMPOUND;
  H5Tclose (t);
  int rank;
  gint64 dims[2];
  if (!compound || !_scm_h5_dims (h, d, path, &rank, dims, error) || rank != 1)
    {
      if (error && *error == NULL)
        _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, path,
                           "expected a 1-D compound table (AnnData <= 0.6 dataframe)");
      H5Dclose (d);
      return H5I_INVALID_HID;
    }
  *n = dims[0];
  return d;
}

char **
_scm_h5ad_legacy_index (const ScmH5 *h, const char *path, gint64 *n, GError **error)
{
  gint64 rows;
  hid_t d = open_table (h, path, &rows, error);
  if (d < 0)
    return NULL;
  if (*n >= 0 && rows != *n)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, path,
                         "has %" G_GINT64_FORMAT " rows; expected %" G_GINT64_FORMAT, rows, *n);
      H5Dclose (d);
      return NULL;
    }
  hid_t t = H5Dget_type (d);
  char **out = NULL;
  int k = H5Tget_member_index (t, "index");
  if (k < 0)
    k = H5Tget_member_index (t, "_index");
  if (k < 0 || H5Tget_member_class (t, (unsigned) k) != H5T_STRING)
    _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, path, "table has no string member \"index\"");
  else
    {
      char *name = H5Tget_member_name (t, (unsigned) k);
      hid_t ft = H5Tget_member_type (t, (unsigned) k);
      out = member_strings (h, d, path, name, ft, rows, error);
      H5Tclose (ft);
      H5free_memory (name);
    }
  H5Tclose (t);
  H5Dclose (d);
  H5Eclear2 (H5E_DEFAULT);
  if (out)
    *n = rows;
  return out;
}

gboolean
_scm_h5ad_legacy_columns (const ScmH5 *h, const char *path, gint64 n, GPtrArray *out,
                          ScmDataset *notes, GError **error)
{
  gint64 rows;
  hid_t d = open_table (h, path, &rows, error);
  if (d < 0)
    return FALSE;
  gboolean ok = rows == n;
  if (!ok)
    _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, path,
                       "has %" G_GINT64_FORMAT " rows; expected %" G_GINT64_FORMAT, rows, n);
  hid_t t = H5Dget_type (d);
  int nm = ok ? H5Tget_nmembers (t) : 0;
  for (int i = 0; i < nm && ok; i++)
    {
      char *name = H5Tget_member_name (t, (unsigned) i);
      H5T_class_t cls = H5Tget_member_class (t, (unsigned) i);
      if (name == NULL || strcmp (name, "index") == 0 || strcmp (name, "_index") == 0)
        {
          H5free_memory (name);
          continue;
        }
      g_autofree char *cats_path = g_strdup_printf ("uns/%s_categories", name);
      if (cls == H5T_STRING)
        {
          hid_t ft = H5Tget_member_type (t, (unsigned) i);
          char **s = member_strings (h, d, path, name, ft, n, error);
          H5Tclose (ft);
          if (s == NULL)
            ok = FALSE;
          else
            g_ptr_array_add (out, scm_column_new_string (name, n, s));
        }
      else if (cls == H5T_INTEGER || cls == H5T_FLOAT)
        {
          double *v = member_doubles (h, d, path, name, n, error);
          if (v == NULL)
            ok = FALSE;
          else if (cls == H5T_INTEGER && _scm_h5_is_dataset (h->file, cats_path))
            {
              gint64 ncat = -1;
              char **cats = _scm_h5_read_strings (h, h->file, cats_path, &ncat, TRUE, error);
              gint32 *codes = cats ? g_new (gint32, MAX (n, 1)) : NULL;
              for (gint64 r = 0; codes && r < n; r++)
                {
                  if (v[r] < -1 || v[r] >= (double) ncat)
                    {
                      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, path,
                                         "%s: code %.0f at row %" G_GINT64_FORMAT
                                         " is outside the %" G_GINT64_FORMAT " categories of %s",
                                         name, v[r], r, ncat, cats_path);
                      g_clear_pointer (&codes, g_free);
                      break;
                    }
                  codes[r] = (gint32) v[r];
                }
              g_free (v);
              if (codes == NULL)
                {
                  g_strfreev (cats);
                  ok = FALSE;
                }
              else
                g_ptr_array_add (out, scm_column_new_categorical (name, n, codes, cats));
            }
          else
            g_ptr_array_add (out, scm_column_new_numeric (name, n, v));
        }
      else if (notes)
        scm_dataset_add_note (notes, "%s: member %s skipped (unsupported type)", path, name);
      H5free_memory (name);
    }
  H5Tclose (t);
  H5Dclose (d);
  H5Eclear2 (H5E_DEFAULT);
  return ok;
}
