/* scm-train-data.c: dataset -> dense training matrices, splits, alignment.
 *
 * See scm-train-data.h.  When a file has more genes than the model
 * takes, raw counts go through seurat_v3 HVG selection (preprocess/
 * scm-hvg.h); already-normalised values fall back to a plain "highest
 * variance" ranking.  Stages 2 and 3 from a checkpoint never select: they
 * align to the checkpoint's gene list.
 */
#include "scm-train-data.h"
#include "scm-error.h"
#include "util/scm-rng.h"
#include "preprocess/scm-hvg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static gpointer
try_alloc0 (gsize n_elems, gsize elem_size, const char *what, GError **error)
{
  if (n_elems == 0)
    return g_malloc0 (elem_size);
  if (n_elems > G_MAXSIZE / elem_size)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                   "%s: %" G_GSIZE_FORMAT " elements do not fit in memory", what, n_elems);
      return NULL;
    }
  gpointer p = g_try_malloc0 (n_elems * elem_size);
  if (p == NULL)
    g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "%s: cannot allocate %.1f MiB", what,
                 (double) n_elems * elem_size / 1048576.0);
  return p;
}

void
scm_align_report_clear (ScmAlignReport *r)
{
  if (r == NULL)
    return;
  g_strfreev (r->missing_examples);
  memset (r, 0, sizeof *r);
}

char *
scm_align_report_describe (const ScmAlignReport *r, const char *what)
{
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " %s found",
                          r->n_found, r->n_wanted, what);
  if (r->n_found_nocase > 0)
    g_string_append_printf (s, " (%" G_GINT64_FORMAT " case-insensitively)", r->n_found_nocase);
  g_string_append_printf (s, ", %" G_GINT64_FORMAT " zero-filled", r->n_missing);
  if (r->missing_examples && r->missing_examples[0])
    {
      g_autofree char *ex = g_strjoinv (", ", r->missing_examples);
      g_string_append_printf (s, " (e.g. %s)", ex);
    }
  return g_string_free (s, FALSE);
}

void
scm_align_features (const char *const *have, gint64 n_have, const char *const *want,
                    gint64 n_want, gint64 *map, ScmAlignReport *report)
{
  /* First occurrence wins for duplicated names, as in anndata's var_names
   * lookups after make_unique. */
  g_autoptr (GHashTable) exact = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) nocase = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (gint64 i = n_have - 1; i >= 0; i--)
    {
      if (have[i] == NULL)
        continue;
      g_hash_table_insert (exact, (gpointer) have[i], GINT_TO_POINTER ((int) i + 1));
      g_hash_table_insert (nocase, g_ascii_strdown (have[i], -1), GINT_TO_POINTER ((int) i + 1));
    }
  ScmAlignReport r = { 0 };
  r.n_wanted = n_want;
  g_autoptr (GPtrArray) ex = g_ptr_array_new ();
  for (gint64 j = 0; j < n_want; j++)
    {
      int k = want[j] ? GPOINTER_TO_INT (g_hash_table_lookup (exact, want[j])) : 0;
      if (k == 0 && want[j])
        {
          g_autofree char *low = g_ascii_strdown (want[j], -1);
          k = GPOINTER_TO_INT (g_hash_table_lookup (nocase, low));
          if (k > 0)
            r.n_found_nocase++;
        }
      map[j] = k - 1;
      if (k > 0)
        r.n_found++;
      else
        {
          r.n_missing++;
          if (ex->len < 10)
            g_ptr_array_add (ex, g_strdup (want[j] ? want[j] : "(null)"));
        }
    }
  g_ptr_array_add (ex, NULL);
  r.missing_examples = (char **) g_ptr_array_free (g_steal_pointer (&ex), FALSE);
  if (report)
    {
      scm_align_report_clear (report);
      *report = r;
    }
  else
    g_strfreev (r.missing_examples);
}

void
scm_lognorm_rows (float *x, gint64 n_rows, gint64 n_cols, const double *row_totals)
{
  for (gint64 r = 0; r < n_rows; r++)
    {
      double t = row_totals[r];
      double f = t > 0 ? 1e4 / t : 0.0;
      float *row = x + r * n_cols;
      for (gint64 c = 0; c < n_cols; c++)
        row[c] = (float) log1p ((double) row[c] * f);
    }
}

void
scm_clr_columns (float *x, gint64 n_rows, gint64 n_cols)
{
  /* Per protein across cells: log1p(x / g), g = exp(mean_cells log1p(x)),
   * the transform behind scMMAE's *_prot_clred tensors. */
  for (gint64 c = 0; c < n_cols; c++)
    {
      double s = 0;
      for (gint64 r = 0; r < n_rows; r++)
        s += log1p ((double) x[r * n_cols + c]);
      double g = n_rows > 0 ? exp (s / (double) n_rows) : 1.0;
      for (gint64 r = 0; r < n_rows; r++)
        x[r * n_cols + c] = (float) log1p ((double) x[r * n_cols + c] / g);
    }
}

void
scm_train_data_free (ScmTrainData *d)
{
  if (d == NULL)
    return;
  g_free (d->rna);
  g_free (d->adt);
  g_strfreev (d->genes);
  g_strfreev (d->proteins);
  g_free (d->labels);
  g_strfreev (d->classes);
  g_free (d);
}

static double *
row_totals (const ScmCsr *X, GError **error)
{
  double *t = try_alloc0 ((gsize) X->n_rows, sizeof (double), "cell totals", error);
  if (t == NULL)
    return NULL;
  for (gint64 r = 0; r < X->n_rows; r++)
    for (gint64 k = X->indptr[r]; k < X->indptr[r + 1]; k++)
      t[r] += X->data[k];
  return t;
}

typedef struct {
  double  var;
  gint64  col;
} VarCol;

static int
varcol_cmp (const void *a, const void *b)
{
  const VarCol *x = a, *y = b;
  if (x->var != y->var)
    return x->var > y->var ? -1 : 1;
  return x->col < y->col ? -1 : (x->col > y->col);
}

static int
i64_cmp (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : (x > y);
}

/* The `keep` most variable columns of the (log-normalised) matrix, in file
 * order.  Variance over all cells, zeros included. */
static gint64 *
select_top_variance (const ScmCsr *X, const double *totals, gboolean is_counts, gint64 keep,
                     GError **error)
{
  gint64 G = X->n_cols, N = X->n_rows;
  double *s1 = try_alloc0 ((gsize) G, sizeof (double), "gene sums", error);
  double *s2 = s1 ? try_alloc0 ((gsize) G, sizeof (double), "gene sums", error) : NULL;
  VarCol *vc = s2 ? try_alloc0 ((gsize) G, sizeof (VarCol), "gene variances", error) : NULL;
  gint64 *out = vc ? try_alloc0 ((gsize) keep, sizeof (gint64), "gene selection", error) : NULL;
  if (out == NULL)
    {
      g_free (s1);
      g_free (s2);
      g_free (vc);
      return NULL;
    }
  for (gint64 r = 0; r < N; r++)
    {
      double f = is_counts ? (totals[r] > 0 ? 1e4 / totals[r] : 0.0) : 1.0;
      for (gint64 k = X->indptr[r]; k < X->indptr[r + 1]; k++)
        {
          double v = is_counts ? log1p (X->data[k] * f) : X->data[k];
          s1[X->indices[k]] += v;
          s2[X->indices[k]] += v * v;
        }
    }
  for (gint64 j = 0; j < G; j++)
    {
      double m = N > 0 ? s1[j] / N : 0;
      vc[j].var = N > 0 ? s2[j] / N - m * m : 0;
      vc[j].col = j;
    }
  qsort (vc, (size_t) G, sizeof *vc, varcol_cmp);
  for (gint64 j = 0; j < keep; j++)
    out[j] = vc[j].col;
  qsort (out, (size_t) keep, sizeof *out, i64_cmp);
  g_free (s1);
  g_free (s2);
  g_free (vc);
  return out;
}

static gboolean
load_rna (ScmTrainData *d, const ScmDataset *ds, const ScmTrainDataOptions *o,
          ScmAlignReport *report, GError **error)
{
  const char *file = ds->path ? ds->path : "(dataset)";
  const ScmModality *m = ds->rna;
  if (m == NULL || m->X.n_cols == 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND,
                   "%s: the file has no RNA (gene expression) matrix", file);
      return FALSE;
    }
  const ScmCsr *X = &m->X;
  gint64 n_file = X->n_cols;
  g_autofree double *totals = row_totals (X, error);
  if (totals == NULL)
    return FALSE;

  g_autofree gint64 *model_to_file = NULL;
  gint64 G;
  if (o->genes)
    {
      G = g_strv_length ((char **) o->genes);
      model_to_file = g_new (gint64, MAX (G, 1));
      ScmAlignReport r = { 0 };
      scm_align_features ((const char *const *) m->names, n_file, o->genes, G, model_to_file, &r);
      double min = o->min_gene_overlap > 0 ? o->min_gene_overlap : 0.5;
      gboolean ok = G > 0 && (double) r.n_found >= min * (double) G;
      if (!ok)
        {
          g_autofree char *desc = scm_align_report_describe (&r, "model genes");
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "%s: only %" G_GINT64_FORMAT " of the model's %" G_GINT64_FORMAT
                       " genes (%.0f%%) are in the file's RNA features; at least %.0f%% are "
                       "needed to transfer the model (%s)",
                       file, r.n_found, G, G > 0 ? 100.0 * r.n_found / G : 0.0, 100 * min, desc);
          scm_align_report_clear (&r);
          return FALSE;
        }
      if (report)
        *report = r;
      else
        scm_align_report_clear (&r);
      d->genes = g_new0 (char *, G + 1);
      for (gint64 j = 0; j < G; j++)
        d->genes[j] = g_strdup (o->genes[j]);
    }
  else
    {
      int tok = MAX (o->tok_dim, 1);
      gint64 want = o->n_genes > 0 ? MIN (o->n_genes, n_file) : n_file;
      G = (want / tok) * tok;
      if (G <= 0)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "%s: the file has %" G_GINT64_FORMAT " genes, fewer than one model "
                       "token of %d genes", file, n_file, tok);
          return FALSE;
        }
      if (G < n_file && m->is_counts)
        {
          /* seurat_v3 on the counts, as the preprocessing step would */
          ScmHvgOptions ho;
          scm_hvg_options_init (&ho);
          ho.n_top = G;
          ScmHvgResult hr = { 0 };
          if (!scm_hvg_select (X, &ho, &hr, error))
            return FALSE;
          g_autofree gint32 *sel = scm_hvg_selected_indices (&hr);
          gint64 n_sel = hr.n_selected;
          scm_hvg_result_clear (&hr);
          if (n_sel != G)
            {
              g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                           "%s: highly variable gene selection found %" G_GINT64_FORMAT
                           " genes, %" G_GINT64_FORMAT " were asked for", file, n_sel, G);
              return FALSE;
            }
          model_to_file = g_new (gint64, G);
          for (gint64 j = 0; j < G; j++)
            model_to_file[j] = sel[j];
        }
      else if (G < n_file)
        {
          model_to_file = select_top_variance (X, totals, m->is_counts, G, error);
          if (model_to_file == NULL)
            return FALSE;
        }
      else
        {
          model_to_file = g_new (gint64, G);
          for (gint64 j = 0; j < G; j++)
            model_to_file[j] = j;
        }
      d->genes = g_new0 (char *, G + 1);
      for (gint64 j = 0; j < G; j++)
        d->genes[j] = g_strdup (m->names && m->names[model_to_file[j]] ? m->names[model_to_file[j]]
                                                                       : "");
      if (report)
        {
          scm_align_report_clear (report);
          report->n_wanted = report->n_found = G;
          report->missing_examples = g_new0 (char *, 1);
        }
    }

  g_autofree gint64 *file_to_model = g_new (gint64, MAX (n_file, 1));
  for (gint64 j = 0; j < n_file; j++)
    file_to_model[j] = -1;
  for (gint64 j = 0; j < G; j++)
    if (model_to_file[j] >= 0 && file_to_model[model_to_file[j]] < 0)
      file_to_model[model_to_file[j]] = j;

  gint64 N = ds->n_cells;
  d->rna = try_alloc0 ((gsize) N * (gsize) G, sizeof (float), "RNA training matrix", error);
  if (d->rna == NULL)
    return FALSE;
  d->n_genes = G;
  for (gint64 r = 0; r < N && r < X->n_rows; r++)
    {
      double f = totals[r] > 0 ? 1e4 / totals[r] : 0.0;
      float *row = d->rna + r * G;
      for (gint64 k = X->indptr[r]; k < X->indptr[r + 1]; k++)
        {
          gint64 j = file_to_model[X->indices[k]];
          if (j < 0)
            continue;
          row[j] = m->is_counts ? (float) log1p ((double) X->data[k] * f) : X->data[k];
        }
    }
  /* A gene listed twice in the model list but once in the file: copy. */
  for (gint64 j = 0; j < G; j++)
    if (model_to_file[j] >= 0 && file_to_model[model_to_file[j]] != j)
      for (gint64 r = 0; r < N; r++)
        d->rna[r * G + j] = d->rna[r * G + file_to_model[model_to_file[j]]];
  return TRUE;
}

static gboolean
load_adt (ScmTrainData *d, const ScmDataset *ds, const ScmTrainDataOptions *o,
          ScmAlignReport *report, GError **error)
{
  const char *file = ds->path ? ds->path : "(dataset)";
  const ScmModality *m = ds->adt;
  if (m == NULL || m->X.n_cols == 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND,
                   "%s: the file has no protein (ADT) matrix; this stage needs CITE-seq data "
                   "(use stage 3 for RNA-only files)", file);
      return FALSE;
    }
  gint64 N = ds->n_cells, P_file = m->X.n_cols;
  g_autoptr (GError) err = NULL;
  g_autofree float *full = scm_csr_to_dense (&m->X, &err);
  if (full == NULL)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "%s: protein matrix: %s", file,
                   err ? err->message : "cannot allocate");
      return FALSE;
    }
  if (m->is_counts)
    scm_clr_columns (full, N, P_file);

  if (o->proteins == NULL)
    {
      d->n_adt = P_file;
      d->adt = g_steal_pointer (&full);
      d->proteins = g_new0 (char *, P_file + 1);
      for (gint64 j = 0; j < P_file; j++)
        d->proteins[j] = g_strdup (m->names && m->names[j] ? m->names[j] : "");
      if (report)
        {
          scm_align_report_clear (report);
          report->n_wanted = report->n_found = P_file;
          report->missing_examples = g_new0 (char *, 1);
        }
      return TRUE;
    }
  gint64 P = g_strv_length ((char **) o->proteins);
  g_autofree gint64 *map = g_new (gint64, MAX (P, 1));
  ScmAlignReport r = { 0 };
  scm_align_features ((const char *const *) m->names, P_file, o->proteins, P, map, &r);
  if (P == 0 || 2 * r.n_found < P)
    {
      g_autofree char *desc = scm_align_report_describe (&r, "model proteins");
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "%s: the file's proteins do not match the model's: %s", file, desc);
      scm_align_report_clear (&r);
      return FALSE;
    }
  if (report)
    *report = r;
  else
    scm_align_report_clear (&r);
  d->adt = try_alloc0 ((gsize) N * (gsize) P, sizeof (float), "protein training matrix", error);
  if (d->adt == NULL)
    return FALSE;
  d->n_adt = P;
  d->proteins = g_new0 (char *, P + 1);
  for (gint64 j = 0; j < P; j++)
    d->proteins[j] = g_strdup (o->proteins[j]);
  for (gint64 i = 0; i < N; i++)
    for (gint64 j = 0; j < P; j++)
      if (map[j] >= 0)
        d->adt[i * P + j] = full[i * P_file + map[j]];
  return TRUE;
}

/* `text` has NULL holes for missing labels, so g_strfreev would stop early. */
static void
free_sparse_strv (char **text, gint64 n)
{
  for (gint64 i = 0; i < n; i++)
    g_free (text[i]);
  g_free (text);
}

static gboolean
load_labels (ScmTrainData *d, const ScmDataset *ds, const ScmTrainDataOptions *o, GError **error)
{
  const char *file = ds->path ? ds->path : "(dataset)";
  ScmColumn *col = scm_dataset_get_obs (ds, o->label_column);
  if (col == NULL)
    {
      GString *names = g_string_new (NULL);
      for (guint i = 0; ds->obs && i < ds->obs->len; i++)
        {
          ScmColumn *c = g_ptr_array_index (ds->obs, i);
          g_string_append_printf (names, "%s%s", i ? ", " : "", c->name);
        }
      g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND,
                   "%s: no obs column '%s' to take labels from (columns: %s)", file,
                   o->label_column, names->len ? names->str : "none");
      g_string_free (names, TRUE);
      return FALSE;
    }
  gint64 N = ds->n_cells;
  /* Per-cell label text; the class list is either given or built from the
   * values that occur (categorical: category order; others: sorted). */
  char **text = g_new0 (char *, N + 1);
  for (gint64 i = 0; i < N; i++)
    {
      text[i] = scm_column_value_string (col, i);
      if (text[i] && (text[i][0] == '\0' || g_ascii_strcasecmp (text[i], "nan") == 0))
        g_clear_pointer (&text[i], g_free);
    }
  g_autoptr (GPtrArray) classes = g_ptr_array_new_with_free_func (g_free);
  if (o->classes)
    for (guint k = 0; o->classes[k]; k++)
      g_ptr_array_add (classes, g_strdup (o->classes[k]));
  else
    {
      g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      for (gint64 i = 0; i < N; i++)
        if (text[i])
          g_hash_table_add (seen, text[i]);
      if (col->kind == SCM_COLUMN_CATEGORICAL && col->categories)
        {
          for (guint k = 0; col->categories[k]; k++)
            if (g_hash_table_contains (seen, col->categories[k]))
              g_ptr_array_add (classes, g_strdup (col->categories[k]));
        }
      else
        {
          GList *keys = g_list_sort (g_hash_table_get_keys (seen), (GCompareFunc) g_strcmp0);
          for (GList *l = keys; l; l = l->next)
            g_ptr_array_add (classes, g_strdup (l->data));
          g_list_free (keys);
        }
    }
  if (classes->len < 2)
    {
      free_sparse_strv (text, N);
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "%s: obs column '%s' has %u distinct label(s); fine-tuning needs at least 2",
                   file, o->label_column, classes->len);
      return FALSE;
    }
  g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint k = 0; k < classes->len; k++)
    if (!g_hash_table_contains (index, classes->pdata[k]))
      g_hash_table_insert (index, classes->pdata[k], GINT_TO_POINTER (k + 1));
  d->labels = g_new (gint32, MAX (N, 1));
  d->n_labelled = 0;
  for (gint64 i = 0; i < N; i++)
    {
      int k = text[i] ? GPOINTER_TO_INT (g_hash_table_lookup (index, text[i])) : 0;
      d->labels[i] = k - 1;
      if (k > 0)
        d->n_labelled++;
    }
  free_sparse_strv (text, N);
  d->n_classes = (int) classes->len;
  g_ptr_array_add (classes, NULL);
  d->classes = (char **) g_ptr_array_free (g_steal_pointer (&classes), FALSE);
  if (d->n_labelled == 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "%s: no cell has a label in obs column '%s'", file, o->label_column);
      return FALSE;
    }
  return TRUE;
}

ScmTrainData *
scm_train_data_from_dataset (const ScmDataset *ds, const ScmTrainDataOptions *opts,
                             ScmAlignReport *gene_report, ScmAlignReport *protein_report,
                             GError **error)
{
  g_return_val_if_fail (ds != NULL && opts != NULL, NULL);
  g_autoptr (ScmTrainData) d = g_new0 (ScmTrainData, 1);
  d->n_cells = ds->n_cells;
  if (ds->n_cells <= 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "%s: the file has no cells",
                   ds->path ? ds->path : "(dataset)");
      return NULL;
    }
  if (opts->need_rna && !load_rna (d, ds, opts, gene_report, error))
    return NULL;
  if (opts->need_adt && !load_adt (d, ds, opts, protein_report, error))
    return NULL;
  if (opts->label_column && !load_labels (d, ds, opts, error))
    return NULL;
  return g_steal_pointer (&d);
}

void
scm_split_stratified (const gint32 *labels, gint64 n, int n_classes, double fraction,
                      guint64 seed, guint8 *role)
{
  ScmRng rng;
  scm_rng_seed (&rng, seed);
  g_autofree gint64 *count = g_new0 (gint64, MAX (n_classes, 1));
  for (gint64 i = 0; i < n; i++)
    if (labels[i] >= 0 && labels[i] < n_classes)
      count[labels[i]]++;
  g_autofree gint32 *idx = g_new (gint32, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    role[i] = (labels[i] >= 0 && labels[i] < n_classes) ? SCM_SPLIT_HELDOUT : SCM_SPLIT_EXCLUDED;
  for (int c = 0; c < n_classes; c++)
    {
      gint64 m = 0;
      for (gint64 i = 0; i < n; i++)
        if (labels[i] == c)
          idx[m++] = (gint32) i;
      if (m == 0)
        continue;
      gint64 k = (gint64) floor (fraction * (double) m + 0.5);
      if (fraction > 0 && k < 1)
        k = 1;
      if (fraction < 1 && m >= 2 && k > m - 1)
        k = m - 1;
      if (k > m)
        k = m;
      scm_rng_shuffle_i32 (&rng, idx, (gsize) m);
      for (gint64 j = 0; j < k; j++)
        role[idx[j]] = SCM_SPLIT_TRAIN;
    }
}

void
scm_split_random (gint64 n, double fraction, guint64 seed, guint8 *is_val)
{
  ScmRng rng;
  scm_rng_seed (&rng, seed);
  memset (is_val, 0, (gsize) MAX (n, 0));
  if (n <= 0)
    return;
  gint64 k = (gint64) floor (fraction * (double) n + 0.5);
  if (fraction > 0 && n >= 2 && k < 1)
    k = 1;
  if (k > n)
    k = n;
  g_autofree gint32 *idx = g_new (gint32, n);
  for (gint64 i = 0; i < n; i++)
    idx[i] = (gint32) i;
  scm_rng_shuffle_i32 (&rng, idx, (gsize) n);
  for (gint64 j = 0; j < k; j++)
    is_val[idx[j]] = 1;
}
