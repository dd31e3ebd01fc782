/* scm-read-h5ad.c: AnnData (.h5ad) reader, anndata >= 0.8 and 0.7 encodings.
 *
 * Layout (anndata "on-disk format" spec): X is a csr_matrix / csc_matrix
 * group or a dense 2-D dataset; obs and var are dataframe groups whose
 * `_index` attribute names the row-name dataset; columns are 1-D datasets
 * (numbers, strings, h5py bool enums) or categorical groups (codes +
 * categories).  In the 0.7 encoding a categorical column is a codes
 * dataset whose `categories` attribute is an HDF5 object reference into
 * obs/__categories.  The <= 0.6 layout (compound obs/var tables) is read
 * by scm-read-h5ad-legacy.c.
 *
 * Choices made here:
 *  - X is kept when it holds counts.  When it looks normalised (fractional
 *    or negative values) layers/counts, then raw/X, are used instead unless
 *    ScmReadOptions.use_x; the choice is recorded in ScmModality.source and
 *    in a dataset note.
 *  - var/feature_types splits X into RNA ("Gene Expression") and ADT
 *    ("Antibody Capture") like the 10x reader; other types are dropped
 *    with a note.
 *  - obsm/protein_expression (dense, or a dataframe as totalVI writes it)
 *    with names from uns/protein_names becomes the ADT modality and is not
 *    kept in obsm / uns.
 *  - obsp entries are read when sparse and cells x cells; others are
 *    skipped with a note (a graph is derived data, never a reason to
 *    refuse the file).
 * Also used by the MuData reader for each modality (read_ann_core).
 */
#include "io/scm-h5-private.h"
#include "io/scm-read-private.h"

#include <math.h>
#include <string.h>

char *
_scm_io_join (const char *base, const char *rel)
{
  if (base == NULL || base[0] == '\0')
    return g_strdup (rel);
  return g_strdup_printf ("%s/%s", base, rel);
}

/* Names of the members of a group, in name order; NULL if not a group. */
static herr_t
collect_name (hid_t g, const char *name, const H5L_info_t *info, void *data)
{
  g_ptr_array_add (data, g_strdup (name));
  return 0;
}

char **
_scm_h5_group_members (hid_t loc, const char *path)
{
  if (!_scm_h5_is_group (loc, path))
    return NULL;
  hid_t g = H5Gopen2 (loc, path, H5P_DEFAULT);
  if (g < 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return NULL;
    }
  GPtrArray *names = g_ptr_array_new ();
  hsize_t idx = 0;
  if (H5Literate (g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_name, names) < 0)
    H5Eclear2 (H5E_DEFAULT);
  H5Gclose (g);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/* ------------------------------------------------------------- dataframes */

char **
_scm_h5ad_read_index (const ScmH5 *h, hid_t loc, const char *df_path, gint64 *n, GError **error)
{
  if (_scm_h5_is_dataset (loc, df_path))
    return _scm_h5ad_legacy_index (h, df_path, n, error);   /* anndata <= 0.6 table */
  if (!_scm_h5_is_group (loc, df_path))
    {
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, df_path, "dataframe group is missing");
      return NULL;
    }
  hid_t g = H5Gopen2 (loc, df_path, H5P_DEFAULT);
  if (g < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, df_path, "cannot open the group");
      return NULL;
    }
  g_autofree char *index_name = _scm_h5_attr_string (g, "_index");
  H5Gclose (g);
  if (index_name == NULL || index_name[0] == '\0' || strchr (index_name, '/'))
    {
      g_free (index_name);
      index_name = g_strdup ("_index");
    }
  g_autofree char *p = g_strdup_printf ("%s/%s", df_path, index_name);
  return _scm_h5_read_strings (h, loc, p, n, TRUE, error);
}

static gboolean
read_categorical (const ScmH5 *h, hid_t loc, const char *codes_path, const char *cats_path,
                  gint64 n, const char *name, gboolean ordered, GPtrArray *out, GError **error)
{
  gint64 nc = n, ncat = -1;
  g_autofree gint64 *codes = _scm_h5_read_int64s (h, loc, codes_path, &nc, error);
  if (codes == NULL)
    return FALSE;
  g_auto (GStrv) cats = _scm_h5_read_strings (h, loc, cats_path, &ncat, TRUE, error);
  if (cats == NULL)
    return FALSE;
  if (ncat > G_MAXINT32)
    {
      _scm_h5_set_error (error, SCM_ERROR_NO_MEMORY, h, cats_path, "too many categories");
      return FALSE;
    }
  gint32 *c32 = _scm_io_try_alloc ((gsize) MAX (n, 1), sizeof (gint32), codes_path, error);
  if (c32 == NULL)
    return FALSE;
  for (gint64 i = 0; i < n; i++)
    {
      if (codes[i] < -1 || codes[i] >= ncat)
        {
          g_free (c32);
          _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, codes_path,
                             "code %" G_GINT64_FORMAT " at row %" G_GINT64_FORMAT
                             " is outside the %" G_GINT64_FORMAT " categories",
                             codes[i], i, ncat);
          return FALSE;
        }
      c32[i] = (gint32) codes[i];
    }
  ScmColumn *col = scm_column_new_categorical (name, n, c32, g_steal_pointer (&cats));
  col->ordered = ordered;
  g_ptr_array_add (out, col);
  return TRUE;
}

/* One column stored as a plain dataset: numbers, bools, strings or (0.7) codes. */
static gboolean
read_dataset_column (const ScmH5 *h, hid_t loc, const char *path, gint64 n, const char *name,
                     GPtrArray *out, ScmDataset *notes, GError **error)
{
  hid_t d = H5Dopen2 (loc, path, H5P_DEFAULT);
  if (d < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, path, "cannot open the dataset");
      return FALSE;
    }
  hid_t t = H5Dget_type (d);
  H5T_class_t cls = H5Tget_class (t);
  gboolean is_bool = FALSE;
  if (cls == H5T_ENUM)
    {
      /* h5py bool: enum {FALSE, TRUE} over int8 */
      is_bool = H5Tget_nmembers (t) == 2;
    }
  H5Tclose (t);
  /* 0.7 categorical: codes with an object reference to the categories */
  char *ref_target = NULL;
  if (cls == H5T_INTEGER && H5Aexists (d, "categories") > 0)
    {
      hid_t a = H5Aopen (d, "categories", H5P_DEFAULT);
      hid_t at = a >= 0 ? H5Aget_type (a) : H5I_INVALID_HID;
      if (at >= 0 && H5Tget_class (at) == H5T_REFERENCE)
        {
          hobj_ref_t ref;
          if (H5Aread (a, H5T_STD_REF_OBJ, &ref) >= 0)
            {
              hid_t obj = H5Rdereference2 (d, H5P_DEFAULT, H5R_OBJECT, &ref);
              if (obj >= 0)
                {
                  ssize_t len = H5Iget_name (obj, NULL, 0);
                  if (len > 0 && len < 65536)
                    {
                      ref_target = g_malloc0 ((gsize) len + 1);
                      H5Iget_name (obj, ref_target, (size_t) len + 1);
                    }
                  H5Oclose (obj);
                }
            }
        }
      if (at >= 0)
        H5Tclose (at);
      if (a >= 0)
        H5Aclose (a);
      H5Eclear2 (H5E_DEFAULT);
      if (ref_target == NULL)
        {
          H5Dclose (d);
          _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, path,
                             "the categories reference cannot be followed");
          return FALSE;
        }
    }
  gint64 ordered_v = 0;
  if (ref_target && _scm_h5_is_dataset (h->file, ref_target))
    {
      hid_t cd = H5Dopen2 (h->file, ref_target, H5P_DEFAULT);
      if (cd >= 0)
        {
          _scm_h5_attr_int64s (cd, "ordered", &ordered_v, 1);
          H5Dclose (cd);
        }
    }
  H5Dclose (d);
  if (ref_target)
    {
      gboolean ok = read_categorical (h, loc, path, ref_target, n, name, ordered_v != 0, out, error);
      g_free (ref_target);
      return ok;
    }
  gint64 nn = n;
  if (cls == H5T_STRING)
    {
      char **s = _scm_h5_read_strings (h, loc, path, &nn, FALSE, error);
      if (s == NULL)
        return FALSE;
      g_ptr_array_add (out, scm_column_new_string (name, n, s));
      return TRUE;
    }
  if (is_bool)
    {
      g_autofree gint64 *v = _scm_h5_read_int64s (h, loc, path, &nn, error);
      if (v == NULL)
        return FALSE;
      guint8 *b = g_new (guint8, MAX (n, 1));
      for (gint64 i = 0; i < n; i++)
        b[i] = v[i] != 0;
      g_ptr_array_add (out, scm_column_new_bool (name, n, b));
      return TRUE;
    }
  if (cls == H5T_INTEGER || cls == H5T_FLOAT || cls == H5T_ENUM)
    {
      double *v = _scm_h5_read_doubles (h, loc, path, &nn, error);
      if (v == NULL)
        return FALSE;
      g_ptr_array_add (out, scm_column_new_numeric (name, n, v));
      return TRUE;
    }
  if (notes)
    scm_dataset_add_note (notes, "obs column %s skipped: unsupported storage type", path);
  return TRUE;
}

gboolean
_scm_h5ad_read_obs_columns (const ScmH5 *h, hid_t loc, const char *obs_path, gint64 n,
                            const char *prefix, GPtrArray *out, ScmDataset *notes, GError **error)
{
  hid_t g = H5Gopen2 (loc, obs_path, H5P_DEFAULT);
  if (g < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, obs_path, "cannot open the group");
      return FALSE;
    }
  g_auto (GStrv) order = _scm_h5_attr_strings (g, "column-order");
  g_autofree char *index_name = _scm_h5_attr_string (g, "_index");
  H5Gclose (g);
  g_auto (GStrv) members = _scm_h5_group_members (loc, obs_path);
  /* column-order is authoritative; fall back to the group members. */
  char **names = order ? order : members;
  for (int i = 0; names && names[i]; i++)
    {
      const char *cname = names[i];
      if (cname[0] == '\0' || strcmp (cname, "_index") == 0 || strcmp (cname, "__categories") == 0
          || g_strcmp0 (cname, index_name) == 0 || strchr (cname, '/'))
        continue;
      g_autofree char *p = g_strdup_printf ("%s/%s", obs_path, cname);
      g_autofree char *full = prefix ? g_strconcat (prefix, cname, NULL) : g_strdup (cname);
      if (_scm_h5_is_dataset (loc, p))
        {
          if (!read_dataset_column (h, loc, p, n, full, out, notes, error))
            return FALSE;
          continue;
        }
      if (!_scm_h5_is_group (loc, p))
        {
          _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, p,
                             "column listed in column-order is missing");
          return FALSE;
        }
      hid_t cg = H5Gopen2 (loc, p, H5P_DEFAULT);
      if (cg < 0)
        {
          _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, p, "cannot open the group");
          return FALSE;
        }
      g_autofree char *enc = _scm_h5_attr_string (cg, "encoding-type");
      gint64 ordered = 0;
      _scm_h5_attr_int64s (cg, "ordered", &ordered, 1);
      H5Gclose (cg);
      g_autofree char *pc = g_strdup_printf ("%s/codes", p);
      g_autofree char *pk = g_strdup_printf ("%s/categories", p);
      g_autofree char *pv = g_strdup_printf ("%s/values", p);
      g_autofree char *pm = g_strdup_printf ("%s/mask", p);
      if (g_strcmp0 (enc, "categorical") == 0)
        {
          if (!read_categorical (h, loc, pc, pk, n, full, ordered != 0, out, error))
            return FALSE;
        }
      else if (g_strcmp0 (enc, "nullable-integer") == 0 || g_strcmp0 (enc, "nullable-boolean") == 0)
        {
          gint64 nv = n, nm = n;
          double *v = _scm_h5_read_doubles (h, loc, pv, &nv, error);
          if (v == NULL)
            return FALSE;
          g_autofree gint64 *mask = _scm_h5_is_dataset (loc, pm)
                                    ? _scm_h5_read_int64s (h, loc, pm, &nm, error) : NULL;
          if (mask == NULL && _scm_h5_is_dataset (loc, pm))
            {
              g_free (v);
              return FALSE;
            }
          if (g_strcmp0 (enc, "nullable-boolean") == 0)
            {
              guint8 *b = g_new (guint8, MAX (n, 1));
              for (gint64 r = 0; r < n; r++)
                b[r] = v[r] != 0 && !(mask && mask[r]);
              g_free (v);
              g_ptr_array_add (out, scm_column_new_bool (full, n, b));
            }
          else
            {
              for (gint64 r = 0; mask && r < n; r++)
                if (mask[r])
                  v[r] = NAN;
              g_ptr_array_add (out, scm_column_new_numeric (full, n, v));
            }
        }
      else if (notes)
        scm_dataset_add_note (notes, "obs column %s skipped: encoding \"%s\" is not supported",
                              p, enc ? enc : "(none)");
    }
  return TRUE;
}

/* --------------------------------------------------------------- modality */

/* Splits columns by feature type into RNA / ADT modalities. kinds[c]: 0 RNA,
 * 1 ADT, -1 dropped.  Takes ownership of X (cleared). */
gboolean
_scm_io_split_modalities (ScmCsr *X, const gint8 *kinds, char **names, char **ids,
                          char **genomes, const char *source, gboolean is_counts,
                          ScmModality **rna, ScmModality **adt, GError **error)
{
  gint64 n_cols = X->n_cols, n_k[2] = { 0, 0 };
  for (gint64 c = 0; c < n_cols; c++)
    if (kinds == NULL || kinds[c] >= 0)
      n_k[kinds ? kinds[c] : 0]++;
  for (int k = 0; k < 2; k++)
    {
      if (n_k[k] == 0)
        continue;
      g_autoptr (ScmModality) m = scm_modality_new (k == 0 ? SCM_MODALITY_RNA : SCM_MODALITY_ADT);
      if (kinds == NULL || n_k[k] == n_cols)
        {
          m->X = *X;
          memset (X, 0, sizeof *X);
        }
      else
        {
          g_autofree gint32 *cols = g_new (gint32, n_k[k]);
          gint64 j = 0;
          for (gint64 c = 0; c < n_cols; c++)
            if (kinds[c] == k)
              cols[j++] = (gint32) c;
          if (!scm_csr_subset_cols (&m->X, X, cols, n_k[k], error))
            return FALSE;
        }
      m->names = g_new0 (char *, n_k[k] + 1);
      m->ids = g_new0 (char *, n_k[k] + 1);
      m->genomes = genomes ? g_new0 (char *, n_k[k] + 1) : NULL;
      gint64 j = 0;
      for (gint64 c = 0; c < n_cols; c++)
        if (kinds == NULL || kinds[c] == k)
          {
            m->names[j] = g_strdup (names[c]);
            m->ids[j] = g_strdup (ids ? ids[c] : names[c]);
            if (genomes)
              m->genomes[j] = g_strdup (genomes[c]);
            j++;
          }
      m->is_counts = is_counts;
      m->source = g_strdup (source);
      if (k == 0)
        *rna = g_steal_pointer (&m);
      else
        *adt = g_steal_pointer (&m);
    }
  scm_csr_clear (X);
  return TRUE;
}

static gboolean
is_adt_type (const char *t)
{
  return g_ascii_strcasecmp (t, "Antibody Capture") == 0 || g_ascii_strcasecmp (t, "ADT") == 0
         || g_ascii_strcasecmp (t, "Protein") == 0;
}

static gboolean
is_rna_type (const char *t)
{
  return g_ascii_strcasecmp (t, "Gene Expression") == 0 || g_ascii_strcasecmp (t, "GEX") == 0
         || g_ascii_strcasecmp (t, "RNA") == 0;
}

/* Per-var feature types from a categorical or string column, or NULL. */
static char **
read_var_strings (const ScmH5 *h, hid_t loc, const char *var_path, const char *col, gint64 n,
                  GError **error)
{
  g_autofree char *p = g_strdup_printf ("%s/%s", var_path, col);
  if (_scm_h5_is_dataset (loc, p))
    {
      hid_t d = H5Dopen2 (loc, p, H5P_DEFAULT);
      hid_t t = d >= 0 ? H5Dget_type (d) : H5I_INVALID_HID;
      gboolean str = t >= 0 && H5Tget_class (t) == H5T_STRING;
      if (t >= 0)
        H5Tclose (t);
      if (d >= 0)
        H5Dclose (d);
      H5Eclear2 (H5E_DEFAULT);
      gint64 nn = n;
      return str ? _scm_h5_read_strings (h, loc, p, &nn, FALSE, error) : NULL;
    }
  if (_scm_h5_is_group (loc, p))
    {
      g_autoptr (GPtrArray) cols = g_ptr_array_new_with_free_func ((GDestroyNotify) scm_column_free);
      g_autofree char *pc = g_strdup_printf ("%s/codes", p);
      g_autofree char *pk = g_strdup_printf ("%s/categories", p);
      if (!read_categorical (h, loc, pc, pk, n, col, FALSE, cols, error))
        return NULL;
      ScmColumn *c = cols->pdata[0];
      char **out = g_new0 (char *, n + 1);
      for (gint64 i = 0; i < n; i++)
        out[i] = c->codes[i] >= 0 ? g_strdup (c->categories[c->codes[i]]) : g_strdup ("");
      return out;
    }
  return NULL;
}

gboolean
_scm_read_ann_core (const ScmH5 *h, const char *base, const ScmReadOptions *opts,
                    ScmModalityKind default_kind, ScmDataset *ds, ScmAnnCore *core,
                    GError **error)
{
  memset (core, 0, sizeof *core);
  hid_t f = h->file;
  g_autofree char *p_obs = _scm_io_join (base, "obs");
  g_autofree char *p_var = _scm_io_join (base, "var");
  g_autofree char *p_X = _scm_io_join (base, "X");
  g_autofree char *p_counts = _scm_io_join (base, "layers/counts");
  g_autofree char *p_rawX = _scm_io_join (base, "raw/X");
  g_autofree char *p_rawvar = _scm_io_join (base, "raw/var");
  gint64 n = -1;
  core->barcodes = _scm_h5ad_read_index (h, f, p_obs, &n, error);
  if (core->barcodes == NULL)
    return FALSE;
  if (n > SCM_IO_MAX_ROWS)
    {
      _scm_h5_set_error (error, SCM_ERROR_NO_MEMORY, h, p_obs, "too many cells");
      return FALSE;
    }
  core->n = n;
  if (!_scm_io_check_unique (h->path, p_obs, core->barcodes, n, "cell name", error))
    return FALSE;
  if (!_scm_h5_exists (f, p_X))
    {
      scm_dataset_add_note (ds, "%s is absent: no matrix in %s", p_X, base[0] ? base : "the file");
      return TRUE;
    }
  gint64 nv = -1;
  g_auto (GStrv) var_names = _scm_h5ad_read_index (h, f, p_var, &nv, error);
  if (var_names == NULL)
    return FALSE;
  if (nv > SCM_IO_MAX_COLS)
    {
      _scm_h5_set_error (error, SCM_ERROR_NO_MEMORY, h, p_var, "too many features");
      return FALSE;
    }
  ScmCsr X = { 0 };
  ScmValueStats st;
  if (!_scm_io_read_matrix (h, f, p_X, n, nv, &X, &st, error))
    return FALSE;
  const char *source = "X";
  const char *var_path = p_var;
  gboolean looks_counts = !st.any_negative && !st.any_fractional;
  g_auto (GStrv) raw_names = NULL;
  if (!looks_counts && !(opts && opts->use_x))
    {
      if (_scm_h5_exists (f, p_counts))
        {
          ScmCsr C;
          if (!_scm_io_read_matrix (h, f, p_counts, n, nv, &C, &st, error)
              || !_scm_io_require_counts (h->path, p_counts, &st, error))
            {
              scm_csr_clear (&X);
              scm_csr_clear (&C);
              return FALSE;
            }
          scm_csr_clear (&X);
          X = C;
          source = "layers/counts";
          scm_dataset_add_note (ds, "%s looks normalised; raw counts read from %s", p_X, p_counts);
        }
      else if (_scm_h5_exists (f, p_rawX))
        {
          gint64 nr = -1;
          raw_names = _scm_h5ad_read_index (h, f, p_rawvar, &nr, error);
          ScmCsr C;
          if (raw_names == NULL || !_scm_io_read_matrix (h, f, p_rawX, n, nr, &C, &st, error)
              || !_scm_io_require_counts (h->path, p_rawX, &st, error))
            {
              if (raw_names)
                scm_csr_clear (&C);
              scm_csr_clear (&X);
              return FALSE;
            }
          scm_csr_clear (&X);
          X = C;
          nv = nr;
          source = "raw/X";
          var_path = p_rawvar;
          scm_dataset_add_note (ds, "%s looks normalised; raw counts read from %s (%" G_GINT64_FORMAT
                                " features)", p_X, p_rawX, nr);
        }
      else
        scm_dataset_add_note (ds, "%s looks normalised (%s values) and neither layers/counts nor "
                              "raw/X exists; using it as is", p_X,
                              st.any_negative ? "negative" : "fractional");
    }
  else if (!looks_counts)
    scm_dataset_add_note (ds, "%s looks normalised; used as is (use_x)", p_X);
  gboolean is_counts = !st.any_negative && !st.any_fractional;
  char **names = raw_names ? raw_names : var_names;
  GError *local = NULL;
  g_auto (GStrv) ids = read_var_strings (h, f, var_path, "gene_ids", nv, &local);
  if (ids == NULL && local == NULL)
    ids = read_var_strings (h, f, var_path, "feature_id", nv, &local);
  g_auto (GStrv) genomes = local ? NULL : read_var_strings (h, f, var_path, "genome", nv, &local);
  g_auto (GStrv) types = local ? NULL : read_var_strings (h, f, var_path, "feature_types", nv, &local);
  if (local)
    {
      scm_csr_clear (&X);
      g_propagate_error (error, local);
      return FALSE;
    }
  g_autofree gint8 *kinds = g_new (gint8, MAX (nv, 1));
  gint64 n_other = 0;
  for (gint64 c = 0; c < nv; c++)
    {
      if (types == NULL)
        kinds[c] = default_kind == SCM_MODALITY_ADT ? 1 : 0;
      else if (is_adt_type (types[c]))
        kinds[c] = 1;
      else if (is_rna_type (types[c]) || types[c][0] == '\0')
        kinds[c] = 0;
      else
        {
          kinds[c] = -1;
          n_other++;
        }
    }
  if (n_other)
    scm_dataset_add_note (ds, "%" G_GINT64_FORMAT " features of %s with other feature types "
                          "(not Gene Expression / Antibody Capture) were left out", n_other, p_var);
  g_autofree char *src = base[0] ? g_strdup_printf ("%s/%s", base, source) : g_strdup (source);
  if (!_scm_io_split_modalities (&X, kinds, names, ids, genomes, src, is_counts, &core->rna,
                                 &core->adt, error))
    {
      scm_csr_clear (&X);
      return FALSE;
    }
  for (int k = 0; k < 2; k++)
    {
      ScmModality *m = k ? core->adt : core->rna;
      if (m && !_scm_io_check_unique (h->path, var_path, m->names, m->X.n_cols, "feature name", NULL))
        scm_dataset_add_note (ds, "%s has repeated feature names", var_path);
    }
  return TRUE;
}

void
_scm_ann_core_clear (ScmAnnCore *core)
{
  g_clear_pointer (&core->barcodes, g_strfreev);
  g_clear_pointer (&core->rna, scm_modality_free);
  g_clear_pointer (&core->adt, scm_modality_free);
}

/* ------------------------------------------------------------ obsm / uns */

/* obsm/protein_expression as a dataframe (totalVI): one column per protein. */
static gboolean
read_df_matrix (const ScmH5 *h, const char *path, gint64 n, ScmCsr *out, char ***names,
                GError **error)
{
  hid_t g = H5Gopen2 (h->file, path, H5P_DEFAULT);
  if (g < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, path, "cannot open the group");
      return FALSE;
    }
  g_auto (GStrv) order = _scm_h5_attr_strings (g, "column-order");
  H5Gclose (g);
  gint64 k = order ? g_strv_length (order) : 0;
  g_autoptr (ScmMatrix) dense = scm_matrix_new (path, n, k, error);
  if (dense == NULL)
    return FALSE;
  for (gint64 j = 0; j < k; j++)
    {
      g_autofree char *p = g_strdup_printf ("%s/%s", path, order[j]);
      gint64 nn = n;
      g_autofree double *v = _scm_h5_read_doubles (h, h->file, p, &nn, error);
      if (v == NULL)
        return FALSE;
      for (gint64 i = 0; i < n; i++)
        dense->data[i * k + j] = (float) v[i];
    }
  gint64 nnz = 0;
  for (gint64 i = 0; i < n * k; i++)
    nnz += dense->data[i] != 0.0f;
  if (!scm_csr_alloc (out, n, k, nnz, error))
    return FALSE;
  gint64 pos = 0;
  for (gint64 i = 0; i < n; i++)
    {
      for (gint64 j = 0; j < k; j++)
        if (dense->data[i * k + j] != 0.0f)
          {
            out->indices[pos] = (gint32) j;
            out->data[pos++] = dense->data[i * k + j];
          }
      out->indptr[i + 1] = pos;
    }
  *names = g_steal_pointer (&order);
  return _scm_io_check_csr (h->path, path, out, NULL, error);
}

static gboolean
read_protein_obsm (const ScmH5 *h, const char *base, ScmDataset *ds, GError **error)
{
  g_autofree char *p = _scm_io_join (base, "obsm/protein_expression");
  g_autofree char *pn = _scm_io_join (base, "uns/protein_names");
  if (!_scm_h5_exists (h->file, p))
    return TRUE;
  if (ds->adt)
    {
      scm_dataset_add_note (ds, "%s kept in obsm: the matrix already has Antibody Capture features", p);
      return TRUE;
    }
  ScmCsr A = { 0 };
  ScmValueStats st = { 0 };
  g_auto (GStrv) names = NULL;
  if (_scm_h5_is_group (h->file, p))
    {
      if (!read_df_matrix (h, p, ds->n_cells, &A, &names, error))
        {
          scm_csr_clear (&A);
          return FALSE;
        }
      _scm_io_check_csr (h->path, p, &A, &st, NULL);
    }
  else if (!_scm_io_read_matrix (h, h->file, p, ds->n_cells, -1, &A, &st, error))
    return FALSE;
  if (names == NULL && _scm_h5_exists (h->file, pn))
    {
      gint64 k = A.n_cols;
      names = _scm_h5_read_strings (h, h->file, pn, &k, TRUE, error);
      if (names == NULL)
        {
          scm_csr_clear (&A);
          return FALSE;
        }
    }
  if (names == NULL)
    {
      names = g_new0 (char *, A.n_cols + 1);
      for (gint64 j = 0; j < A.n_cols; j++)
        names[j] = g_strdup_printf ("protein_%" G_GINT64_FORMAT, j);
      scm_dataset_add_note (ds, "%s has no protein names (uns/protein_names); named protein_0...", p);
    }
  gboolean counts = !st.any_negative && !st.any_fractional;
  if (!counts)
    scm_dataset_add_note (ds, "%s holds %s values: not raw counts", p,
                          st.any_negative ? "negative" : "fractional");
  ScmModality *rna_dummy = NULL;
  g_autofree gint8 *kinds = g_new (gint8, MAX (A.n_cols, 1));
  memset (kinds, 1, (gsize) MAX (A.n_cols, 1));
  if (!_scm_io_split_modalities (&A, kinds, names, NULL, NULL, "obsm/protein_expression", counts,
                                 &rna_dummy, &ds->adt, error))
    {
      scm_csr_clear (&A);
      return FALSE;
    }
  scm_modality_free (rna_dummy);
  return TRUE;
}

static ScmUnsNode *
read_uns_node (const ScmH5 *h, const char *path, const char *name, int depth, ScmDataset *ds)
{
  if (depth > 8)
    return NULL;
  if (_scm_h5_is_group (h->file, path))
    {
      ScmUnsNode *g = scm_uns_group_new (name);
      g_auto (GStrv) members = _scm_h5_group_members (h->file, path);
      for (int i = 0; members && members[i]; i++)
        {
          g_autofree char *p = g_strdup_printf ("%s/%s", path, members[i]);
          ScmUnsNode *c = read_uns_node (h, p, members[i], depth + 1, ds);
          if (c)
            scm_uns_set (g, c);
        }
      return g;
    }
  hid_t d = H5Dopen2 (h->file, path, H5P_DEFAULT);
  if (d < 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return NULL;
    }
  hid_t t = H5Dget_type (d);
  H5T_class_t cls = H5Tget_class (t);
  hid_t sp = H5Dget_space (d);
  int rank = H5Sget_simple_extent_ndims (sp);
  hssize_t np = H5Sget_simple_extent_npoints (sp);
  ScmUnsNode *out = NULL;
  if (cls == H5T_STRING && rank == 0)
    {
      if (H5Tis_variable_str (t) > 0)
        {
          /* through our bounds-checked heap parser, never HDF5's vlen
           * conversion (scm-h5.c); a damaged string is left out */
          g_auto (GStrv) v = _scm_h5_read_vlen (h, d, path, 1, NULL);
          if (v)
            out = scm_uns_string_new (name, v[0]);
        }
      else
        {
          size_t sz = H5Tget_size (t);
          if (sz > 0 && sz < (1u << 24))
            {
              char *buf = g_malloc0 (sz + 1);
              if (H5Dread (d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0)
                out = scm_uns_string_new (name, buf);
              g_free (buf);
            }
        }
    }
  else if (rank == 0 && cls == H5T_INTEGER)
    {
      gint64 v;
      if (H5Dread (d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0)
        out = scm_uns_int_new (name, v);
    }
  else if (rank == 0 && cls == H5T_FLOAT)
    {
      double v;
      if (H5Dread (d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0)
        out = scm_uns_float_new (name, v);
    }
  H5Sclose (sp);
  H5Tclose (t);
  H5Dclose (d);
  H5Eclear2 (H5E_DEFAULT);
  if (out || rank != 1 || np > (1 << 24))
    return out;
  gint64 n = -1;
  if (cls == H5T_STRING)
    {
      char **s = _scm_h5_read_strings (h, h->file, path, &n, FALSE, NULL);
      return s ? scm_uns_strings_new (name, s) : NULL;
    }
  if (cls == H5T_INTEGER)
    {
      gint64 *v = _scm_h5_read_int64s (h, h->file, path, &n, NULL);
      return v ? scm_uns_ints_new (name, n, v) : NULL;
    }
  if (cls == H5T_FLOAT)
    {
      double *v = _scm_h5_read_doubles (h, h->file, path, &n, NULL);
      return v ? scm_uns_floats_new (name, n, v) : NULL;
    }
  H5Eclear2 (H5E_DEFAULT);
  return NULL;
}

static void
read_uns (const ScmH5 *h, ScmDataset *ds, gboolean skip_protein_names)
{
  g_auto (GStrv) members = _scm_h5_group_members (h->file, "uns");
  for (int i = 0; members && members[i]; i++)
    {
      if (skip_protein_names && strcmp (members[i], "protein_names") == 0)
        continue;
      g_autofree char *p = g_strdup_printf ("uns/%s", members[i]);
      ScmUnsNode *c = read_uns_node (h, p, members[i], 0, ds);
      if (c)
        scm_uns_set (ds->uns, c);
    }
}

gboolean
_scm_read_obsm (const ScmH5 *h, const char *base, ScmDataset *ds, gboolean skip_protein,
                GError **error)
{
  g_autofree char *po = _scm_io_join (base, "obsm");
  g_auto (GStrv) members = _scm_h5_group_members (h->file, po);
  for (int i = 0; members && members[i]; i++)
    {
      if (skip_protein && strcmp (members[i], "protein_expression") == 0)
        continue;
      g_autofree char *p = g_strdup_printf ("%s/%s", po, members[i]);
      if (!_scm_h5_is_dataset (h->file, p))
        {
          scm_dataset_add_note (ds, "%s skipped: only dense arrays are read from obsm", p);
          continue;
        }
      hid_t d = H5Dopen2 (h->file, p, H5P_DEFAULT);
      if (d < 0)
        {
          _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, p, "cannot open the dataset");
          return FALSE;
        }
      int rank;
      gint64 dims[2];
      gboolean ok = _scm_h5_dims (h, d, p, &rank, dims, error);
      hid_t t = H5Dget_type (d);
      H5T_class_t cls = H5Tget_class (t);
      H5Tclose (t);
      if (ok && (rank != 2 || (cls != H5T_FLOAT && cls != H5T_INTEGER)))
        {
          scm_dataset_add_note (ds, "%s skipped: not a 2-D numeric array", p);
          H5Dclose (d);
          continue;
        }
      if (ok && dims[0] != ds->n_cells)
        {
          _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, p,
                             "has %" G_GINT64_FORMAT " rows for %" G_GINT64_FORMAT " cells",
                             dims[0], ds->n_cells);
          ok = FALSE;
        }
      ScmMatrix *m = ok ? scm_matrix_new (members[i], dims[0], dims[1], error) : NULL;
      if (m && dims[0] * dims[1] > 0
          && H5Dread (d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->data) < 0)
        {
          _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, p, "cannot read the values");
          g_clear_pointer (&m, scm_matrix_free);
        }
      H5Dclose (d);
      if (m == NULL)
        return FALSE;
      scm_dataset_set_obsm (ds, m);
    }
  return TRUE;
}

/* obsp: sparse cells x cells matrices (Scanpy's distances and
 * connectivities).  They are derived data, so an entry that cannot be read
 * (dense, wrong shape, damaged) is skipped with a note instead of failing
 * the whole file. */
static void
read_obsp (const ScmH5 *h, ScmDataset *ds)
{
  g_auto (GStrv) members = _scm_h5_group_members (h->file, "obsp");
  for (int i = 0; members && members[i]; i++)
    {
      g_autofree char *p = g_strdup_printf ("obsp/%s", members[i]);
      if (!_scm_h5_is_group (h->file, p))
        {
          scm_dataset_add_note (ds, "%s skipped: only sparse matrices are read from obsp", p);
          continue;
        }
      ScmCsr X = { 0 };
      GError *e = NULL;
      if (!_scm_io_read_matrix (h, h->file, p, ds->n_cells, ds->n_cells, &X, NULL, &e))
        {
          scm_dataset_add_note (ds, "%s skipped: %s", p, e->message);
          g_error_free (e);
          H5Eclear2 (H5E_DEFAULT);
          continue;
        }
      scm_dataset_set_obsp (ds, scm_pairwise_new (members[i], &X));
    }
}

/* ---------------------------------------------------------------- h5ad */

ScmDataset *
_scm_read_h5ad (const ScmH5 *h, ScmFileFormat fmt, const ScmReadOptions *opts, GError **error)
{
  g_autoptr (ScmDataset) ds = scm_dataset_new ();
  ds->path = g_strdup (h->path);
  ds->format = g_strdup (scm_io_format_name (fmt));
  ScmAnnCore core;
  if (!_scm_read_ann_core (h, "", opts, SCM_MODALITY_RNA, ds, &core, error))
    {
      _scm_ann_core_clear (&core);
      return NULL;
    }
  ds->n_cells = core.n;
  g_strfreev (ds->barcodes);
  ds->barcodes = g_steal_pointer (&core.barcodes);
  ds->rna = g_steal_pointer (&core.rna);
  ds->adt = g_steal_pointer (&core.adt);
  if (ds->adt && ds->rna == NULL)
    scm_dataset_add_note (ds, "X holds only Antibody Capture features: protein-only dataset");
  gboolean had_adt = ds->adt != NULL;
  if (!read_protein_obsm (h, "", ds, error))
    return NULL;
  gboolean protein_from_obsm = !had_adt && ds->adt != NULL;
  if (!_scm_read_obsm (h, "", ds, protein_from_obsm, error))
    return NULL;
  for (guint i = 0; i < ds->obsm->len; i++)
    {
      const ScmMatrix *m = ds->obsm->pdata[i];
      g_autofree char *lower = g_ascii_strdown (m->name, -1);
      if (strstr (lower, "hto") || strstr (lower, "hashtag"))
        scm_dataset_add_note (ds, "obsm/%s (%" G_GINT64_FORMAT " hashtag oligos) kept in obsm: "
                              "hashtags mark samples, they are not proteins", m->name, m->n_cols);
    }
  if (_scm_h5_is_dataset (h->file, "obs"))
    {
      if (!_scm_h5ad_legacy_columns (h, "obs", ds->n_cells, ds->obs, ds, error))
        return NULL;
    }
  else if (!_scm_h5ad_read_obs_columns (h, h->file, "obs", ds->n_cells, NULL, ds->obs, ds, error))
    return NULL;
  if (_scm_h5_is_dataset (h->file, "obsm"))
    scm_dataset_add_note (ds, "obsm is an AnnData <= 0.6 table: not read");
  if (fmt != SCM_FORMAT_H5AD_LEGACY)
    read_obsp (h, ds);
  read_uns (h, ds, protein_from_obsm && ds->adt && g_strcmp0 (ds->adt->names[0], "protein_0") != 0);
  if (fmt == SCM_FORMAT_H5AD_07)
    scm_dataset_add_note (ds, "AnnData 0.7 layout (categories in obs/__categories)");
  else if (fmt == SCM_FORMAT_H5AD_LEGACY)
    scm_dataset_add_note (ds, "AnnData <= 0.6 layout (obs/var as compound tables, categories in "
                          "uns/<column>_categories)");
  return g_steal_pointer (&ds);
}
