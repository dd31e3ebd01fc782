/* scm-io.c: format detection by content and the scm_dataset_read() entry.
 *
 * Detection looks at HDF5 groups and attributes, never at the extension:
 * a MuData file renamed .h5ad, or a 10x matrix saved as .hdf5, still reads.
 *   MuData       root encoding-type "MuData", or a /mod group of AnnData groups
 *   AnnData 0.8+ root encoding-type "anndata"
 *   AnnData 0.7  no root attribute, obs is a dataframe group
 *   AnnData 0.6- obs is a compound dataset
 *   10x v3       /matrix with a features group
 *   10x v1/v2    root groups (one per genome) holding barcodes/indptr/genes
 */
#include "io/scm-read-private.h"

#include <string.h>

const char *
scm_io_format_name (ScmFileFormat format)
{
  switch (format)
    {
    case SCM_FORMAT_10X_V3: return "10x-h5-v3";
    case SCM_FORMAT_10X_V2: return "10x-h5-v2";
    case SCM_FORMAT_H5AD: return "h5ad";
    case SCM_FORMAT_H5AD_07: return "h5ad-0.7";
    case SCM_FORMAT_H5AD_LEGACY: return "h5ad-legacy";
    case SCM_FORMAT_H5MU: return "h5mu";
    case SCM_FORMAT_UNKNOWN:
    default: return "unknown";
    }
}

static gboolean
is_10x_v2_group (hid_t f, const char *name)
{
  static const char *need[] = { "barcodes", "data", "indices", "indptr", "shape", NULL };
  for (int i = 0; need[i]; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s/%s", name, need[i]);
      if (!_scm_h5_is_dataset (f, p))
        return FALSE;
    }
  g_autofree char *pg = g_strdup_printf ("%s/genes", name);
  g_autofree char *pn = g_strdup_printf ("%s/gene_names", name);
  return _scm_h5_is_dataset (f, pg) || _scm_h5_is_dataset (f, pn);
}

static ScmFileFormat
detect_open (const ScmH5 *h, GError **error)
{
  hid_t f = h->file;
  g_autofree char *enc = _scm_h5_attr_string (f, "encoding-type");
  if (enc && g_ascii_strcasecmp (enc, "MuData") == 0)
    return SCM_FORMAT_H5MU;
  if (enc == NULL && _scm_h5_is_group (f, "mod") && !_scm_h5_exists (f, "X"))
    return SCM_FORMAT_H5MU;
  if (enc && g_ascii_strcasecmp (enc, "anndata") == 0)
    return SCM_FORMAT_H5AD;
  if (_scm_h5_is_group (f, "matrix") && _scm_h5_is_group (f, "matrix/features"))
    return SCM_FORMAT_10X_V3;
  if (_scm_h5_exists (f, "obs") && (_scm_h5_exists (f, "X") || _scm_h5_exists (f, "var")))
    {
      if (_scm_h5_is_dataset (f, "obs"))
        return SCM_FORMAT_H5AD_LEGACY;
      return SCM_FORMAT_H5AD_07;
    }
  g_auto (GStrv) members = _scm_h5_group_members (f, "/");
  for (int i = 0; members && members[i]; i++)
    if (is_10x_v2_group (f, members[i]))
      return SCM_FORMAT_10X_V2;
  g_autofree char *list = members && members[0] ? g_strjoinv (", ", members) : g_strdup ("nothing");
  if (strlen (list) > 200)
    strcpy (list + 196, "...");
  _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, NULL,
                     "HDF5 file in an unknown layout (top level holds: %s); expected a 10x "
                     "feature-barcode matrix, an AnnData .h5ad or a MuData .h5mu", list);
  return SCM_FORMAT_UNKNOWN;
}

ScmFileFormat
scm_io_detect_format (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, SCM_FORMAT_UNKNOWN);
  scm_h5_lock ();
  ScmH5 h;
  ScmFileFormat fmt = SCM_FORMAT_UNKNOWN;
  if (_scm_h5_open (&h, path, error))
    {
      fmt = detect_open (&h, error);
      _scm_h5_close (&h);
    }
  scm_h5_unlock ();
  return fmt;
}

ScmDataset *
scm_dataset_read (const char *path, const ScmReadOptions *opts, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  static const ScmReadOptions defaults = { NULL, FALSE };
  if (opts == NULL)
    opts = &defaults;
  scm_h5_lock ();
  ScmH5 h;
  ScmDataset *ds = NULL;
  if (_scm_h5_open (&h, path, error))
    {
      ScmFileFormat fmt = detect_open (&h, error);
      switch (fmt)
        {
        case SCM_FORMAT_10X_V3:
          ds = _scm_read_10x_v3 (&h, opts, error);
          break;
        case SCM_FORMAT_10X_V2:
          ds = _scm_read_10x_v2 (&h, opts, error);
          break;
        case SCM_FORMAT_H5AD:
        case SCM_FORMAT_H5AD_07:
        case SCM_FORMAT_H5AD_LEGACY:
          ds = _scm_read_h5ad (&h, fmt, opts, error);
          break;
        case SCM_FORMAT_H5MU:
          ds = _scm_read_h5mu (&h, opts, error);
          break;
        case SCM_FORMAT_UNKNOWN:
        default:
          break;
        }
      if (ds && opts->genome && fmt != SCM_FORMAT_10X_V3 && fmt != SCM_FORMAT_10X_V2)
        scm_dataset_add_note (ds, "genome %s ignored: only 10x files record genomes", opts->genome);
      _scm_h5_close (&h);
    }
  scm_h5_unlock ();
  return ds;
}
