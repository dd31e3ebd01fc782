/* scm-ref-tensors.c: see scm-ref-tensors.h. */
#include <math.h>
#include <string.h>

#include "scm-ref-tensors.h"

static void
entry_clear (gpointer p)
{
  g_free (((ScmRefEntry *) p)->name);
}

ScmRefTensors *
scm_ref_tensors_open (const char *dir, GError **error)
{
  g_autofree char *mpath = g_build_filename (dir, "manifest.tsv", NULL);
  g_autofree char *bpath = g_build_filename (dir, "all.bin", NULL);
  g_autofree char *text = NULL;
  char *bin = NULL;
  gsize bin_len = 0;
  if (!g_file_get_contents (mpath, &text, NULL, error)
      || !g_file_get_contents (bpath, &bin, &bin_len, error))
    return NULL;
  ScmRefTensors *r = g_new0 (ScmRefTensors, 1);
  r->dir = g_strdup (dir);
  r->entries = g_array_new (FALSE, TRUE, sizeof (ScmRefEntry));
  g_array_set_clear_func (r->entries, entry_clear);
  r->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  r->bin = g_bytes_new_take (bin, bin_len);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      g_auto (GStrv) f = g_strsplit (lines[i], "\t", -1);
      guint nf = g_strv_length (f);
      if (nf < 4)
        continue;
      ScmRefEntry e = { 0 };
      e.name = g_strdup (f[0]);
      g_strlcpy (e.dtype, f[1], sizeof e.dtype);
      e.offset = g_ascii_strtoull (f[2], NULL, 10);
      e.ndim = (int) g_ascii_strtoll (f[3], NULL, 10);
      e.numel = 1;
      for (int d = 0; d < e.ndim && d < 8 && 4 + (guint) d < nf; d++)
        {
          e.shape[d] = (int) g_ascii_strtoll (f[4 + d], NULL, 10);
          e.numel *= e.shape[d];
        }
      g_array_append_val (r->entries, e);
    }
  for (guint i = 0; i < r->entries->len; i++)
    g_hash_table_insert (r->by_name, g_array_index (r->entries, ScmRefEntry, i).name,
                         GUINT_TO_POINTER (i + 1));
  return r;
}

void
scm_ref_tensors_free (ScmRefTensors *r)
{
  if (r == NULL)
    return;
  g_hash_table_unref (r->by_name);
  g_array_unref (r->entries);
  g_bytes_unref (r->bin);
  g_free (r->dir);
  g_free (r);
}

const ScmRefEntry *
scm_ref_tensors_find (const ScmRefTensors *r, const char *name)
{
  guint i = GPOINTER_TO_UINT (g_hash_table_lookup (r->by_name, name));
  return i > 0 ? &g_array_index (r->entries, ScmRefEntry, i - 1) : NULL;
}

static gsize
dtype_size (const char *dtype)
{
  if (!strcmp (dtype, "float64"))
    return 8;
  if (!strcmp (dtype, "float32") || !strcmp (dtype, "int32"))
    return 4;
  return 0;
}

static const guint8 *
entry_bytes (const ScmRefTensors *r, const ScmRefEntry *e)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (r->bin, &len);
  gsize sz = dtype_size (e->dtype);
  if (sz == 0 || e->offset + e->numel * sz > len)
    return NULL;
  return data + e->offset;
}

double *
scm_ref_tensors_get_f64 (const ScmRefTensors *r, const char *name, gsize *numel)
{
  const ScmRefEntry *e = scm_ref_tensors_find (r, name);
  const guint8 *p = e != NULL ? entry_bytes (r, e) : NULL;
  if (p == NULL)
    return NULL;
  double *out = g_new (double, MAX (e->numel, 1));
  for (gsize i = 0; i < e->numel; i++)
    {
      if (!strcmp (e->dtype, "float64"))
        {
          double v;
          memcpy (&v, p + 8 * i, 8);
          out[i] = v;
        }
      else if (!strcmp (e->dtype, "float32"))
        {
          float v;
          memcpy (&v, p + 4 * i, 4);
          out[i] = v;
        }
      else
        {
          gint32 v;
          memcpy (&v, p + 4 * i, 4);
          out[i] = v;
        }
    }
  if (numel != NULL)
    *numel = e->numel;
  return out;
}

gint32 *
scm_ref_tensors_get_i32 (const ScmRefTensors *r, const char *name, gsize *numel)
{
  const ScmRefEntry *e = scm_ref_tensors_find (r, name);
  const guint8 *p = e != NULL ? entry_bytes (r, e) : NULL;
  if (p == NULL || strcmp (e->dtype, "int32") != 0)
    return NULL;
  gint32 *out = g_new (gint32, MAX (e->numel, 1));
  memcpy (out, p, 4 * e->numel);
  if (numel != NULL)
    *numel = e->numel;
  return out;
}

double
scm_ref_rel_error (const double *a, const double *b, gsize n, double tiny)
{
  double md = 0, mb = 0;
  for (gsize i = 0; i < n; i++)
    {
      double d = fabs (a[i] - b[i]);
      if (!(d <= md)) /* also catches NaN */
        md = isnan (d) ? INFINITY : d;
      mb = MAX (mb, fabs (b[i]));
    }
  return md / MAX (mb, tiny);
}
