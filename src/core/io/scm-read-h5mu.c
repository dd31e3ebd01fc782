/* scm-read-h5mu.c: MuData (.h5mu) reader.
 *
 * A MuData file holds one AnnData group per modality under /mod (order in
 * the `mod-order` attribute) plus global obs / obsm.  RNA is the modality
 * named rna / gex, proteins are prot / adt / protein / cite; any other
 * modality (atac, hto...) is left out with a note.  Each modality's cells
 * are aligned to the global obs names BY BARCODE, so per-modality orders
 * may differ from the global one and a modality may miss cells (those rows
 * stay empty); obsmap is not trusted.  Per-modality obs columns are kept
 * as "<mod>:<column>".
 */
#include "io/scm-read-private.h"

#include <math.h>
#include <string.h>

static int
mod_kind (const char *name)
{
  static const char *rna[] = { "rna", "gex", "rna-seq", "gene_expression", NULL };
  static const char *adt[] = { "prot", "adt", "protein", "proteins", "cite", "antibody", NULL };
  for (int i = 0; rna[i]; i++)
    if (g_ascii_strcasecmp (name, rna[i]) == 0)
      return SCM_MODALITY_RNA;
  for (int i = 0; adt[i]; i++)
    if (g_ascii_strcasecmp (name, adt[i]) == 0)
      return SCM_MODALITY_ADT;
  return -1;
}

/* Rows of m moved to global rows map[r] of an n-row matrix. */
static gboolean
csr_reindex (ScmCsr *m, const gint64 *map, gint64 n, GError **error)
{
  ScmCsr out;
  gint64 nnz = scm_csr_nnz (m);
  if (!_scm_io_csr_alloc (&out, n, m->n_cols, nnz, error))
    return FALSE;
  for (gint64 r = 0; r < m->n_rows; r++)
    out.indptr[map[r] + 1] = m->indptr[r + 1] - m->indptr[r];
  for (gint64 r = 0; r < n; r++)
    out.indptr[r + 1] += out.indptr[r];
  for (gint64 r = 0; r < m->n_rows; r++)
    {
      gint64 a = m->indptr[r], len = m->indptr[r + 1] - a, dst = out.indptr[map[r]];
      if (len > 0)
        {
          memcpy (out.indices + dst, m->indices + a, (gsize) len * sizeof (gint32));
          memcpy (out.data + dst, m->data + a, (gsize) len * sizeof (float));
        }
    }
  scm_csr_clear (m);
  *m = out;
  return TRUE;
}

static ScmColumn *
column_reindex (const ScmColumn *c, const gint64 *map, gint64 n_src, gint64 n)
{
  switch (c->kind)
    {
    case SCM_COLUMN_CATEGORICAL:
      {
        gint32 *codes = g_new (gint32, MAX (n, 1));
        for (gint64 i = 0; i < n; i++)
          codes[i] = -1;
        for (gint64 r = 0; r < n_src; r++)
          codes[map[r]] = c->codes[r];
        ScmColumn *o = scm_column_new_categorical (c->name, n, codes, g_strdupv (c->categories));
        o->ordered = c->ordered;
        return o;
      }
    case SCM_COLUMN_NUMERIC:
      {
        double *v = g_new (double, MAX (n, 1));
        for (gint64 i = 0; i < n; i++)
          v[i] = NAN;
        for (gint64 r = 0; r < n_src; r++)
          v[map[r]] = c->numbers[r];
        return scm_column_new_numeric (c->name, n, v);
      }
    case SCM_COLUMN_STRING:
      {
        char **s = g_new0 (char *, n + 1);
        for (gint64 i = 0; i < n; i++)
          s[i] = g_strdup ("");
        for (gint64 r = 0; r < n_src; r++)
          {
            g_free (s[map[r]]);
            s[map[r]] = g_strdup (c->strings[r]);
          }
        return scm_column_new_string (c->name, n, s);
      }
    case SCM_COLUMN_BOOL:
    default:
      {
        guint8 *b = g_new0 (guint8, MAX (n, 1));
        for (gint64 r = 0; r < n_src; r++)
          b[map[r]] = c->bools[r];
        return scm_column_new_bool (c->name, n, b);
      }
    }
}

ScmDataset *
_scm_read_h5mu (const ScmH5 *h, const ScmReadOptions *opts, GError **error)
{
  g_autoptr (ScmDataset) ds = scm_dataset_new ();
  ds->path = g_strdup (h->path);
  ds->format = g_strdup (scm_io_format_name (SCM_FORMAT_H5MU));
  gint64 n = -1;
  char **bc = _scm_h5ad_read_index (h, h->file, "obs", &n, error);
  if (bc == NULL)
    return NULL;
  g_strfreev (ds->barcodes);
  ds->barcodes = bc;
  ds->n_cells = n;
  if (n > SCM_IO_MAX_ROWS)
    {
      _scm_h5_set_error (error, SCM_ERROR_NO_MEMORY, h, "obs", "too many cells");
      return NULL;
    }
  if (!_scm_io_check_unique (h->path, "obs/_index", bc, n, "cell name", error))
    return NULL;
  g_autoptr (GHashTable) row_of = g_hash_table_new (g_str_hash, g_str_equal);
  for (gint64 i = 0; i < n; i++)
    g_hash_table_insert (row_of, bc[i], GSIZE_TO_POINTER ((gsize) i));

  if (!_scm_h5_is_group (h->file, "mod"))
    {
      _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, "mod", "group of modalities is missing");
      return NULL;
    }
  hid_t mg = H5Gopen2 (h->file, "mod", H5P_DEFAULT);
  g_auto (GStrv) order = mg >= 0 ? _scm_h5_attr_strings (mg, "mod-order") : NULL;
  if (mg >= 0)
    H5Gclose (mg);
  g_auto (GStrv) members = _scm_h5_group_members (h->file, "mod");
  char **mods = order ? order : members;
  for (int i = 0; mods && mods[i]; i++)
    {
      const char *name = mods[i];
      g_autofree char *base = g_strdup_printf ("mod/%s", name);
      if (strchr (name, '/') || !_scm_h5_is_group (h->file, base))
        {
          _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, base, "modality group is missing");
          return NULL;
        }
      int kind = mod_kind (name);
      if (kind < 0)
        {
          scm_dataset_add_note (ds, "modality %s left out: only RNA and protein modalities are read",
                                name);
          continue;
        }
      ScmAnnCore core;
      if (!_scm_read_ann_core (h, base, opts, (ScmModalityKind) kind, ds, &core, error))
        {
          _scm_ann_core_clear (&core);
          return NULL;
        }
      g_autofree gint64 *map = g_try_new (gint64, MAX (core.n, 1));
      gboolean identity = core.n == n;
      for (gint64 r = 0; map && r < core.n; r++)
        {
          gpointer v;
          if (!g_hash_table_lookup_extended (row_of, core.barcodes[r], NULL, &v))
            {
              g_autofree char *obj = g_strdup_printf ("%s/obs", base);
              _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, obj,
                                 "cell \"%s\" is not in the global obs", core.barcodes[r]);
              _scm_ann_core_clear (&core);
              return NULL;
            }
          map[r] = (gint64) GPOINTER_TO_SIZE (v);
          identity &= map[r] == r;
        }
      if (map == NULL)
        {
          _scm_ann_core_clear (&core);
          g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "%s: cannot allocate", h->path);
          return NULL;
        }
      if (!identity)
        scm_dataset_add_note (ds, "%s: %" G_GINT64_FORMAT " cells aligned to the global obs by "
                              "barcode%s", base, core.n,
                              core.n < n ? " (missing cells have no values)" : "");
      for (int k = 0; k < 2; k++)
        {
          ScmModality **src = k ? &core.adt : &core.rna;
          ScmModality **dst = k ? &ds->adt : &ds->rna;
          if (*src == NULL)
            continue;
          if (*dst)
            {
              scm_dataset_add_note (ds, "%s: a second %s modality was left out", base,
                                    k ? "protein" : "RNA");
              continue;
            }
          if (!identity && !csr_reindex (&(*src)->X, map, n, error))
            {
              _scm_ann_core_clear (&core);
              return NULL;
            }
          *dst = g_steal_pointer (src);
        }
      /* per-modality obs columns, as "<mod>:<col>" */
      g_autofree char *obs = g_strdup_printf ("%s/obs", base);
      g_autofree char *prefix = g_strdup_printf ("%s:", name);
      g_autoptr (GPtrArray) cols = g_ptr_array_new_with_free_func ((GDestroyNotify) scm_column_free);
      if (!_scm_h5ad_read_obs_columns (h, h->file, obs, core.n, prefix, cols, ds, error))
        {
          _scm_ann_core_clear (&core);
          return NULL;
        }
      for (guint c = 0; c < cols->len; c++)
        scm_dataset_set_obs (ds, column_reindex (cols->pdata[c], map, core.n, n));
      _scm_ann_core_clear (&core);
    }
  g_autoptr (GPtrArray) cols = g_ptr_array_new ();
  if (!_scm_h5ad_read_obs_columns (h, h->file, "obs", n, NULL, cols, ds, error))
    {
      g_ptr_array_set_free_func (cols, (GDestroyNotify) scm_column_free);
      return NULL;
    }
  /* global columns first, in file order, then the per-modality ones */
  for (guint c = 0; c < cols->len; c++)
    g_ptr_array_insert (ds->obs, (gint) c, cols->pdata[c]);
  if (!_scm_read_obsm (h, "", ds, FALSE, error))
    return NULL;
  if (ds->rna == NULL && ds->adt == NULL)
    scm_dataset_add_note (ds, "no RNA or protein modality found under mod/");
  return g_steal_pointer (&ds);
}
