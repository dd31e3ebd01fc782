/* scm-dataset.c: memory management and small queries on the dataset model.
 *
 * Nothing here reads files; readers live in io/.  Allocation of anything
 * sized by file content goes through g_try_malloc so a corrupt header that
 * claims 10^15 cells becomes a GError, not an abort.
 */
#include "scm-dataset.h"
#include "scm-error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static gpointer
try_alloc (gsize n_elems, gsize elem_size, const char *what, GError **error)
{
  if (n_elems == 0)
    return g_malloc0 (elem_size);   /* a valid, freeable pointer for empty arrays */
  if (n_elems > G_MAXSIZE / elem_size)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                   "%s: %" G_GSIZE_FORMAT " elements do not fit in memory", what, n_elems);
      return NULL;
    }
  gpointer p = g_try_malloc (n_elems * elem_size);
  if (p == NULL)
    g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                 "%s: cannot allocate %.1f MiB", what,
                 (double) n_elems * elem_size / 1048576.0);
  return p;
}

gboolean
scm_csr_alloc (ScmCsr *m, gint64 n_rows, gint64 n_cols, gint64 nnz, GError **error)
{
  memset (m, 0, sizeof *m);
  if (n_rows < 0 || n_cols < 0 || nnz < 0 || n_cols > G_MAXINT32)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "matrix shape %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                   " with %" G_GINT64_FORMAT " values is invalid", n_rows, n_cols, nnz);
      return FALSE;
    }
  m->n_rows = n_rows;
  m->n_cols = n_cols;
  m->indptr = try_alloc ((gsize) n_rows + 1, sizeof (gint64), "matrix row pointers", error);
  if (m->indptr == NULL)
    return FALSE;
  memset (m->indptr, 0, ((gsize) n_rows + 1) * sizeof (gint64));
  m->indices = try_alloc ((gsize) nnz, sizeof (gint32), "matrix indices", error);
  m->data = m->indices ? try_alloc ((gsize) nnz, sizeof (float), "matrix values", error) : NULL;
  if (m->indices == NULL || m->data == NULL)
    {
      scm_csr_clear (m);
      return FALSE;
    }
  return TRUE;
}

void
scm_csr_clear (ScmCsr *m)
{
  g_clear_pointer (&m->indptr, g_free);
  g_clear_pointer (&m->indices, g_free);
  g_clear_pointer (&m->data, g_free);
  m->n_rows = m->n_cols = 0;
}

gboolean
scm_csr_copy (ScmCsr *dst, const ScmCsr *src, GError **error)
{
  gint64 nnz = scm_csr_nnz (src);
  if (!scm_csr_alloc (dst, src->n_rows, src->n_cols, nnz, error))
    return FALSE;
  memcpy (dst->indptr, src->indptr, ((gsize) src->n_rows + 1) * sizeof (gint64));
  if (nnz > 0)
    {
      memcpy (dst->indices, src->indices, (gsize) nnz * sizeof (gint32));
      memcpy (dst->data, src->data, (gsize) nnz * sizeof (float));
    }
  return TRUE;
}

gboolean
scm_csr_validate (const ScmCsr *m, const char *what, GError **error)
{
  if (m->indptr == NULL || m->indptr[0] != 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT, "%s: row pointers do not start at 0", what);
      return FALSE;
    }
  for (gint64 r = 0; r < m->n_rows; r++)
    {
      gint64 a = m->indptr[r], b = m->indptr[r + 1];
      if (b < a)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                       "%s: row pointers decrease at row %" G_GINT64_FORMAT, what, r);
          return FALSE;
        }
      for (gint64 k = a; k < b; k++)
        {
          gint32 c = m->indices[k];
          if (c < 0 || c >= m->n_cols)
            {
              g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                           "%s: index %d out of range [0, %" G_GINT64_FORMAT ") in row %"
                           G_GINT64_FORMAT, what, c, m->n_cols, r);
              return FALSE;
            }
          if (k > a && c <= m->indices[k - 1])
            {
              g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                           "%s: duplicate or unsorted index %d in row %" G_GINT64_FORMAT, what, c, r);
              return FALSE;
            }
          if (!isfinite (m->data[k]))
            {
              g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                           "%s: non-finite value in row %" G_GINT64_FORMAT ", column %d", what, r, c);
              return FALSE;
            }
        }
    }
  return TRUE;
}

typedef struct { gint32 col; float val; } ColVal;

static int
colval_cmp (const void *a, const void *b)
{
  gint32 x = ((const ColVal *) a)->col, y = ((const ColVal *) b)->col;
  return (x > y) - (x < y);
}

void
scm_csr_sort_rows (ScmCsr *m)
{
  g_autofree ColVal *tmp = NULL;
  gsize cap = 0;
  for (gint64 r = 0; r < m->n_rows; r++)
    {
      gint64 a = m->indptr[r], n = m->indptr[r + 1] - a;
      gboolean sorted = TRUE;
      for (gint64 k = 1; k < n && sorted; k++)
        sorted = m->indices[a + k - 1] <= m->indices[a + k];
      if (sorted)
        continue;
      if ((gsize) n > cap)
        {
          cap = (gsize) n;
          tmp = g_renew (ColVal, tmp, cap);
        }
      for (gint64 k = 0; k < n; k++)
        tmp[k] = (ColVal) { m->indices[a + k], m->data[a + k] };
      qsort (tmp, (gsize) n, sizeof (ColVal), colval_cmp);
      for (gint64 k = 0; k < n; k++)
        {
          m->indices[a + k] = tmp[k].col;
          m->data[a + k] = tmp[k].val;
        }
    }
}

gboolean
scm_csr_subset_rows (ScmCsr *dst, const ScmCsr *src, const guint8 *keep, GError **error)
{
  gint64 n_keep = 0, nnz = 0;
  for (gint64 r = 0; r < src->n_rows; r++)
    if (keep[r])
      {
        n_keep++;
        nnz += src->indptr[r + 1] - src->indptr[r];
      }
  if (!scm_csr_alloc (dst, n_keep, src->n_cols, nnz, error))
    return FALSE;
  gint64 out = 0, pos = 0;
  for (gint64 r = 0; r < src->n_rows; r++)
    {
      if (!keep[r])
        continue;
      gint64 a = src->indptr[r], n = src->indptr[r + 1] - a;
      if (n > 0)
        {
          memcpy (dst->indices + pos, src->indices + a, (gsize) n * sizeof (gint32));
          memcpy (dst->data + pos, src->data + a, (gsize) n * sizeof (float));
        }
      pos += n;
      dst->indptr[++out] = pos;
    }
  return TRUE;
}

gboolean
scm_csr_subset_cols (ScmCsr *dst, const ScmCsr *src, const gint32 *cols, gint64 n_cols,
                     GError **error)
{
  g_autofree gint32 *remap = try_alloc ((gsize) src->n_cols, sizeof (gint32), "column map", error);
  if (remap == NULL)
    return FALSE;
  for (gint64 c = 0; c < src->n_cols; c++)
    remap[c] = -1;
  for (gint64 j = 0; j < n_cols; j++)
    {
      if (cols[j] < 0 || cols[j] >= src->n_cols || remap[cols[j]] >= 0)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "column subset: index %d is out of range or repeated", cols[j]);
          return FALSE;
        }
      remap[cols[j]] = (gint32) j;
    }
  gint64 nnz = 0;
  for (gint64 k = 0; k < scm_csr_nnz (src); k++)
    nnz += remap[src->indices[k]] >= 0;
  if (!scm_csr_alloc (dst, src->n_rows, n_cols, nnz, error))
    return FALSE;
  gint64 pos = 0;
  for (gint64 r = 0; r < src->n_rows; r++)
    {
      for (gint64 k = src->indptr[r]; k < src->indptr[r + 1]; k++)
        {
          gint32 c = remap[src->indices[k]];
          if (c < 0)
            continue;
          dst->indices[pos] = c;
          dst->data[pos] = src->data[k];
          pos++;
        }
      dst->indptr[r + 1] = pos;
    }
  /* A reordering subset can unsort rows. */
  scm_csr_sort_rows (dst);
  return TRUE;
}

float *
scm_csr_to_dense (const ScmCsr *m, GError **error)
{
  if (m->n_cols > 0 && (guint64) m->n_rows > G_MAXSIZE / (guint64) m->n_cols)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "dense matrix too large");
      return NULL;
    }
  gsize n = (gsize) m->n_rows * (gsize) m->n_cols;
  float *d = try_alloc (n, sizeof (float), "dense matrix", error);
  if (d == NULL)
    return NULL;
  memset (d, 0, n * sizeof (float));
  for (gint64 r = 0; r < m->n_rows; r++)
    for (gint64 k = m->indptr[r]; k < m->indptr[r + 1]; k++)
      d[r * m->n_cols + m->indices[k]] = m->data[k];
  return d;
}

/* ---------------------------------------------------------------- modality */

ScmModality *
scm_modality_new (ScmModalityKind kind)
{
  ScmModality *m = g_new0 (ScmModality, 1);
  m->kind = kind;
  return m;
}

void
scm_modality_free (ScmModality *m)
{
  if (m == NULL)
    return;
  scm_csr_clear (&m->X);
  g_strfreev (m->names);
  g_strfreev (m->ids);
  g_strfreev (m->genomes);
  g_free (m->source);
  g_free (m);
}

gint64
scm_modality_find (const ScmModality *m, const char *name)
{
  if (m == NULL || m->names == NULL || name == NULL)
    return -1;
  for (gint64 i = 0; m->names[i]; i++)
    if (strcmp (m->names[i], name) == 0)
      return i;
  for (gint64 i = 0; m->names[i]; i++)
    if (g_ascii_strcasecmp (m->names[i], name) == 0)
      return i;
  if (m->ids)
    for (gint64 i = 0; m->ids[i]; i++)
      if (strcmp (m->ids[i], name) == 0)
        return i;
  return -1;
}

/* ------------------------------------------------------------------ column */

static ScmColumn *
column_new (const char *name, ScmColumnKind kind, gint64 n)
{
  ScmColumn *c = g_new0 (ScmColumn, 1);
  c->name = g_strdup (name);
  c->kind = kind;
  c->n = n;
  return c;
}

ScmColumn *
scm_column_new_categorical (const char *name, gint64 n, gint32 *codes_take, char **categories_take)
{
  ScmColumn *c = column_new (name, SCM_COLUMN_CATEGORICAL, n);
  c->codes = codes_take;
  c->categories = categories_take ? categories_take : g_new0 (char *, 1);
  c->n_categories = g_strv_length (c->categories);
  return c;
}

ScmColumn *
scm_column_new_numeric (const char *name, gint64 n, double *numbers_take)
{
  ScmColumn *c = column_new (name, SCM_COLUMN_NUMERIC, n);
  c->numbers = numbers_take;
  return c;
}

ScmColumn *
scm_column_new_string (const char *name, gint64 n, char **strings_take)
{
  ScmColumn *c = column_new (name, SCM_COLUMN_STRING, n);
  c->strings = strings_take;
  return c;
}

ScmColumn *
scm_column_new_bool (const char *name, gint64 n, guint8 *bools_take)
{
  ScmColumn *c = column_new (name, SCM_COLUMN_BOOL, n);
  c->bools = bools_take;
  return c;
}

static int
strptr_cmp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

ScmColumn *
scm_column_new_from_labels (const char *name, gint64 n, const char *const *labels)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) cats = g_ptr_array_new ();
  for (gint64 i = 0; i < n; i++)
    if (labels[i] && !g_hash_table_contains (seen, labels[i]))
      {
        g_hash_table_add (seen, (gpointer) labels[i]);
        g_ptr_array_add (cats, (gpointer) labels[i]);
      }
  if (cats->len > 1)   /* qsort's pointer must be non-NULL even for 0 items */
    qsort (cats->pdata, cats->len, sizeof (gpointer), strptr_cmp);
  char **categories = g_new0 (char *, cats->len + 1);
  g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint k = 0; k < cats->len; k++)
    {
      categories[k] = g_strdup (cats->pdata[k]);
      g_hash_table_insert (index, categories[k], GINT_TO_POINTER (k + 1));
    }
  gint32 *codes = g_new (gint32, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    codes[i] = labels[i] ? GPOINTER_TO_INT (g_hash_table_lookup (index, labels[i])) - 1 : -1;
  return scm_column_new_categorical (name, n, codes, categories);
}

void
scm_column_free (ScmColumn *c)
{
  if (c == NULL)
    return;
  g_free (c->name);
  g_free (c->codes);
  g_strfreev (c->categories);
  g_free (c->numbers);
  g_strfreev (c->strings);
  g_free (c->bools);
  g_free (c);
}

char *
scm_column_value_string (const ScmColumn *c, gint64 i)
{
  if (i < 0 || i >= c->n)
    return NULL;
  switch (c->kind)
    {
    case SCM_COLUMN_CATEGORICAL:
      if (c->codes[i] < 0 || (guint) c->codes[i] >= c->n_categories)
        return NULL;
      return g_strdup (c->categories[c->codes[i]]);
    case SCM_COLUMN_NUMERIC:
      if (isnan (c->numbers[i]))
        return NULL;
      return g_strdup_printf ("%.6g", c->numbers[i]);
    case SCM_COLUMN_STRING:
      return g_strdup (c->strings[i]);
    case SCM_COLUMN_BOOL:
      return g_strdup (c->bools[i] ? "True" : "False");
    default:
      return NULL;
    }
}

/* ------------------------------------------------------------------ matrix */

ScmMatrix *
scm_matrix_new (const char *name, gint64 n_rows, gint64 n_cols, GError **error)
{
  if (n_rows < 0 || n_cols < 0 || (n_cols > 0 && (guint64) n_rows > G_MAXSIZE / sizeof (float) / (guint64) n_cols))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "%s: matrix %" G_GINT64_FORMAT " x %"
                   G_GINT64_FORMAT " is too large", name, n_rows, n_cols);
      return NULL;
    }
  float *data = try_alloc ((gsize) n_rows * (gsize) n_cols, sizeof (float), name, error);
  if (data == NULL)
    return NULL;
  memset (data, 0, MAX ((gsize) n_rows * (gsize) n_cols, 1) * sizeof (float));
  ScmMatrix *m = g_new0 (ScmMatrix, 1);
  m->name = g_strdup (name);
  m->n_rows = n_rows;
  m->n_cols = n_cols;
  m->data = data;
  return m;
}

void
scm_matrix_free (ScmMatrix *m)
{
  if (m == NULL)
    return;
  g_free (m->name);
  g_free (m->data);
  g_free (m);
}

/* --------------------------------------------------------------------- uns */

static ScmUnsNode *
uns_new (const char *name, ScmUnsKind kind)
{
  ScmUnsNode *u = g_new0 (ScmUnsNode, 1);
  u->name = g_strdup (name);
  u->kind = kind;
  return u;
}

ScmUnsNode *
scm_uns_group_new (const char *name)
{
  ScmUnsNode *u = uns_new (name, SCM_UNS_GROUP);
  u->children = g_ptr_array_new_with_free_func ((GDestroyNotify) scm_uns_free);
  return u;
}

ScmUnsNode *
scm_uns_strings_new (const char *name, char **strv_take)
{
  ScmUnsNode *u = uns_new (name, SCM_UNS_STRINGS);
  u->strings = strv_take ? strv_take : g_new0 (char *, 1);
  u->n = g_strv_length (u->strings);
  return u;
}

ScmUnsNode *
scm_uns_floats_new (const char *name, gint64 n, double *take)
{
  ScmUnsNode *u = uns_new (name, SCM_UNS_FLOATS);
  u->n = n;
  u->floats = take;
  return u;
}

ScmUnsNode *
scm_uns_ints_new (const char *name, gint64 n, gint64 *take)
{
  ScmUnsNode *u = uns_new (name, SCM_UNS_INTS);
  u->n = n;
  u->ints = take;
  return u;
}

ScmUnsNode *
scm_uns_string_new (const char *name, const char *value)
{
  ScmUnsNode *u = uns_new (name, SCM_UNS_STRING);
  u->string = g_strdup (value);
  u->n = 1;
  return u;
}

ScmUnsNode *
scm_uns_int_new (const char *name, gint64 value)
{
  ScmUnsNode *u = scm_uns_ints_new (name, 1, g_memdup2 (&value, sizeof value));
  u->scalar = TRUE;
  return u;
}

ScmUnsNode *
scm_uns_float_new (const char *name, double value)
{
  ScmUnsNode *u = scm_uns_floats_new (name, 1, g_memdup2 (&value, sizeof value));
  u->scalar = TRUE;
  return u;
}

void
scm_uns_set (ScmUnsNode *group, ScmUnsNode *child)
{
  g_return_if_fail (group->kind == SCM_UNS_GROUP);
  for (guint i = 0; i < group->children->len; i++)
    {
      ScmUnsNode *c = group->children->pdata[i];
      if (strcmp (c->name, child->name) == 0)
        {
          scm_uns_free (c);
          group->children->pdata[i] = child;
          return;
        }
    }
  g_ptr_array_add (group->children, child);
}

ScmUnsNode *
scm_uns_get (const ScmUnsNode *group, const char *name)
{
  if (group == NULL || group->kind != SCM_UNS_GROUP)
    return NULL;
  for (guint i = 0; i < group->children->len; i++)
    {
      ScmUnsNode *c = group->children->pdata[i];
      if (strcmp (c->name, name) == 0)
        return c;
    }
  return NULL;
}

void
scm_uns_free (ScmUnsNode *u)
{
  if (u == NULL)
    return;
  g_free (u->name);
  g_strfreev (u->strings);
  g_free (u->floats);
  g_free (u->ints);
  g_free (u->string);
  if (u->children)
    g_ptr_array_unref (u->children);
  g_free (u);
}

ScmPairwise *
scm_pairwise_new (const char *name, ScmCsr *X_take)
{
  ScmPairwise *p = g_new0 (ScmPairwise, 1);
  p->name = g_strdup (name);
  p->X = *X_take;
  memset (X_take, 0, sizeof *X_take);
  return p;
}

void
scm_pairwise_free (ScmPairwise *p)
{
  if (p == NULL)
    return;
  g_free (p->name);
  scm_csr_clear (&p->X);
  g_free (p);
}

/* ----------------------------------------------------------------- dataset */

static void
dataset_clear (gpointer data)
{
  ScmDataset *ds = data;
  g_free (ds->path);
  g_free (ds->format);
  g_strfreev (ds->barcodes);
  scm_modality_free (ds->rna);
  scm_modality_free (ds->adt);
  g_ptr_array_unref (ds->obs);
  g_ptr_array_unref (ds->obsm);
  g_ptr_array_unref (ds->obsp);
  scm_uns_free (ds->uns);
  g_ptr_array_unref (ds->notes);
}

ScmDataset *
scm_dataset_new (void)
{
  ScmDataset *ds = g_atomic_rc_box_new0 (ScmDataset);
  ds->obs = g_ptr_array_new_with_free_func ((GDestroyNotify) scm_column_free);
  ds->obsm = g_ptr_array_new_with_free_func ((GDestroyNotify) scm_matrix_free);
  ds->obsp = g_ptr_array_new_with_free_func ((GDestroyNotify) scm_pairwise_free);
  ds->uns = scm_uns_group_new ("uns");
  ds->notes = g_ptr_array_new_with_free_func (g_free);
  return ds;
}

ScmDataset *
scm_dataset_ref (ScmDataset *ds)
{
  return g_atomic_rc_box_acquire (ds);
}

void
scm_dataset_unref (ScmDataset *ds)
{
  if (ds)
    g_atomic_rc_box_release_full (ds, dataset_clear);
}

void
scm_dataset_add_note (ScmDataset *ds, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_ptr_array_add (ds->notes, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

void
scm_dataset_set_obs (ScmDataset *ds, ScmColumn *col)
{
  for (guint i = 0; i < ds->obs->len; i++)
    {
      ScmColumn *c = ds->obs->pdata[i];
      if (strcmp (c->name, col->name) == 0)
        {
          scm_column_free (c);
          ds->obs->pdata[i] = col;
          return;
        }
    }
  g_ptr_array_add (ds->obs, col);
}

void
scm_dataset_set_obsm (ScmDataset *ds, ScmMatrix *m)
{
  for (guint i = 0; i < ds->obsm->len; i++)
    {
      ScmMatrix *c = ds->obsm->pdata[i];
      if (strcmp (c->name, m->name) == 0)
        {
          scm_matrix_free (c);
          ds->obsm->pdata[i] = m;
          return;
        }
    }
  g_ptr_array_add (ds->obsm, m);
}

void
scm_dataset_set_obsp (ScmDataset *ds, ScmPairwise *p)
{
  for (guint i = 0; i < ds->obsp->len; i++)
    {
      ScmPairwise *c = ds->obsp->pdata[i];
      if (strcmp (c->name, p->name) == 0)
        {
          scm_pairwise_free (c);
          ds->obsp->pdata[i] = p;
          return;
        }
    }
  g_ptr_array_add (ds->obsp, p);
}

ScmPairwise *
scm_dataset_get_obsp (const ScmDataset *ds, const char *name)
{
  for (guint i = 0; i < ds->obsp->len; i++)
    if (strcmp (((ScmPairwise *) ds->obsp->pdata[i])->name, name) == 0)
      return ds->obsp->pdata[i];
  return NULL;
}

ScmColumn *
scm_dataset_get_obs (const ScmDataset *ds, const char *name)
{
  for (guint i = 0; i < ds->obs->len; i++)
    if (strcmp (((ScmColumn *) ds->obs->pdata[i])->name, name) == 0)
      return ds->obs->pdata[i];
  return NULL;
}

ScmMatrix *
scm_dataset_get_obsm (const ScmDataset *ds, const char *name)
{
  for (guint i = 0; i < ds->obsm->len; i++)
    if (strcmp (((ScmMatrix *) ds->obsm->pdata[i])->name, name) == 0)
      return ds->obsm->pdata[i];
  return NULL;
}

gint64
scm_dataset_find_cell (const ScmDataset *ds, const char *barcode)
{
  for (gint64 i = 0; i < ds->n_cells; i++)
    if (strcmp (ds->barcodes[i], barcode) == 0)
      return i;
  return -1;
}

static char **
strv_subset (char **src, const guint8 *keep, gint64 n, gint64 n_keep)
{
  if (src == NULL)
    return NULL;
  char **out = g_new0 (char *, n_keep + 1);
  gint64 j = 0;
  for (gint64 i = 0; i < n; i++)
    if (keep[i])
      out[j++] = g_strdup (src[i]);
  return out;
}

static ScmModality *
modality_subset_cells (const ScmModality *src, const guint8 *keep, GError **error)
{
  if (src == NULL)
    return NULL;
  g_autoptr (ScmModality) m = scm_modality_new (src->kind);
  if (!scm_csr_subset_rows (&m->X, &src->X, keep, error))
    return NULL;
  m->names = g_strdupv (src->names);
  m->ids = g_strdupv (src->ids);
  m->genomes = g_strdupv (src->genomes);
  m->is_counts = src->is_counts;
  m->source = g_strdup (src->source);
  return g_steal_pointer (&m);
}

ScmDataset *
scm_dataset_subset_cells (const ScmDataset *src, const guint8 *keep, GError **error)
{
  g_autoptr (ScmDataset) ds = scm_dataset_new ();
  gint64 n = src->n_cells, n_keep = 0;
  for (gint64 i = 0; i < n; i++)
    n_keep += keep[i] != 0;
  ds->path = g_strdup (src->path);
  ds->format = g_strdup (src->format);
  ds->n_cells = n_keep;
  ds->barcodes = strv_subset (src->barcodes, keep, n, n_keep);
  if (src->rna && (ds->rna = modality_subset_cells (src->rna, keep, error)) == NULL)
    return NULL;
  if (src->adt && (ds->adt = modality_subset_cells (src->adt, keep, error)) == NULL)
    return NULL;
  for (guint c = 0; c < src->obs->len; c++)
    {
      const ScmColumn *col = src->obs->pdata[c];
      ScmColumn *out = NULL;
      gint64 j = 0;
      switch (col->kind)
        {
        case SCM_COLUMN_CATEGORICAL:
          {
            gint32 *codes = g_new (gint32, MAX (n_keep, 1));
            for (gint64 i = 0; i < n; i++)
              if (keep[i])
                codes[j++] = col->codes[i];
            out = scm_column_new_categorical (col->name, n_keep, codes, g_strdupv (col->categories));
            out->ordered = col->ordered;
            break;
          }
        case SCM_COLUMN_NUMERIC:
          {
            double *v = g_new (double, MAX (n_keep, 1));
            for (gint64 i = 0; i < n; i++)
              if (keep[i])
                v[j++] = col->numbers[i];
            out = scm_column_new_numeric (col->name, n_keep, v);
            break;
          }
        case SCM_COLUMN_STRING:
          out = scm_column_new_string (col->name, n_keep, strv_subset (col->strings, keep, n, n_keep));
          break;
        case SCM_COLUMN_BOOL:
          {
            guint8 *v = g_new (guint8, MAX (n_keep, 1));
            for (gint64 i = 0; i < n; i++)
              if (keep[i])
                v[j++] = col->bools[i];
            out = scm_column_new_bool (col->name, n_keep, v);
            break;
          }
        }
      g_ptr_array_add (ds->obs, out);
    }
  for (guint k = 0; k < src->obsm->len; k++)
    {
      const ScmMatrix *m = src->obsm->pdata[k];
      ScmMatrix *out = scm_matrix_new (m->name, n_keep, m->n_cols, error);
      if (out == NULL)
        return NULL;
      gint64 j = 0;
      for (gint64 i = 0; i < n; i++)
        if (keep[i])
          memcpy (out->data + (j++) * m->n_cols, m->data + i * m->n_cols,
                  (gsize) m->n_cols * sizeof (float));
      g_ptr_array_add (ds->obsm, out);
    }
  /* obsp: rows and columns of the kept cells, renumbered */
  if (src->obsp->len > 0)
    {
      gint32 *remap = try_alloc ((gsize) MAX (n, 1), sizeof (gint32), "cell map", error);
      if (remap == NULL)
        return NULL;
      gint64 j = 0;
      for (gint64 i = 0; i < n; i++)
        remap[i] = keep[i] ? (gint32) j++ : -1;
      for (guint k = 0; k < src->obsp->len; k++)
        {
          const ScmPairwise *p = src->obsp->pdata[k];
          const ScmCsr *X = &p->X;
          gint64 nnz = 0;
          for (gint64 r = 0; r < n; r++)
            if (keep[r])
              for (gint64 q = X->indptr[r]; q < X->indptr[r + 1]; q++)
                nnz += remap[X->indices[q]] >= 0;
          ScmCsr Y = { 0 };
          if (!scm_csr_alloc (&Y, n_keep, n_keep, nnz, error))
            {
              g_free (remap);
              return NULL;
            }
          gint64 o = 0, row = 0;
          for (gint64 r = 0; r < n; r++)
            if (keep[r])
              {
                /* remap is increasing, so kept columns stay ascending */
                for (gint64 q = X->indptr[r]; q < X->indptr[r + 1]; q++)
                  if (remap[X->indices[q]] >= 0)
                    {
                      Y.indices[o] = remap[X->indices[q]];
                      Y.data[o++] = X->data[q];
                    }
                Y.indptr[++row] = o;
              }
          g_ptr_array_add (ds->obsp, scm_pairwise_new (p->name, &Y));
        }
      g_free (remap);
    }
  /* uns is dataset-level metadata: not copied; the caller decides. */
  for (guint k = 0; k < src->notes->len; k++)
    g_ptr_array_add (ds->notes, g_strdup (src->notes->pdata[k]));
  return g_steal_pointer (&ds);
}
