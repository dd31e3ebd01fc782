/* scm-qc.c: QC metrics and filters (see scm-qc.h).
 *
 * One pass over the rows gives every per-cell metric; the per-gene count is
 * a second pass over the stored indices.
 */
#include "preprocess/scm-qc.h"

#include <string.h>

gint64
scm_qc_mito_mask (char *const *names, gint64 n, guint8 *is_mito)
{
  gint64 count = 0;
  for (gint64 j = 0; j < n; j++)
    {
      const char *s = names ? names[j] : NULL;
      is_mito[j] = s != NULL && (g_str_has_prefix (s, "MT-") || g_str_has_prefix (s, "mt-"));
      count += is_mito[j];
    }
  return count;
}

void
scm_qc_cell_metrics (const ScmCsr *X, const guint8 *is_mito,
                     double *total, gint32 *n_genes, double *pct_mito)
{
  for (gint64 r = 0; r < X->n_rows; r++)
    {
      double sum = 0.0, mito = 0.0;
      gint32 detected = 0;
      for (gint64 k = X->indptr[r]; k < X->indptr[r + 1]; k++)
        {
          double v = X->data[k];
          sum += v;
          detected += v > 0;
          if (is_mito && is_mito[X->indices[k]])
            mito += v;
        }
      total[r] = sum;
      n_genes[r] = detected;
      pct_mito[r] = sum > 0 ? 100.0 * mito / sum : 0.0;
    }
}

void
scm_qc_gene_n_cells (const ScmCsr *X, const guint8 *keep_rows, gint32 *n_cells)
{
  memset (n_cells, 0, (gsize) X->n_cols * sizeof (gint32));
  for (gint64 r = 0; r < X->n_rows; r++)
    {
      if (keep_rows && !keep_rows[r])
        continue;
      for (gint64 k = X->indptr[r]; k < X->indptr[r + 1]; k++)
        n_cells[X->indices[k]] += X->data[k] > 0;
    }
}

void
scm_qc_filter_init_default (ScmQcFilter *f)
{
  f->min_genes = 200;
  f->min_cells = 3;
  f->max_pct_mito = 20.0;
  f->cell_filters = TRUE;
}

void
scm_qc_filter (const ScmCsr *X, const ScmQcFilter *f, const double *total,
               const gint32 *n_genes, const double *pct_mito, gint64 n_mito_genes,
               guint8 *keep_cells, guint8 *keep_genes, ScmQcReport *report)
{
  ScmQcReport r = { 0 };
  r.n_cells_in = X->n_rows;
  r.n_genes_in = X->n_cols;
  r.n_mito_genes = n_mito_genes;
  gboolean mito_on = f->cell_filters && n_mito_genes > 0 && f->max_pct_mito >= 0 && f->max_pct_mito < 100;
  for (gint64 i = 0; i < X->n_rows; i++)
    {
      keep_cells[i] = 0;
      if (!(total[i] > 0))
        r.n_cells_zero++;
      else if (f->cell_filters && n_genes[i] < f->min_genes)
        r.n_cells_min_genes++;
      else if (mito_on && pct_mito[i] > f->max_pct_mito)
        r.n_cells_mito++;
      else
        {
          keep_cells[i] = 1;
          r.n_cells_kept++;
        }
    }
  /* Genes are few (<= ~60k), so a counts array is cheap. */
  gint32 *nc = g_new (gint32, MAX (X->n_cols, 1));
  scm_qc_gene_n_cells (X, keep_cells, nc);
  for (gint64 j = 0; j < X->n_cols; j++)
    {
      keep_genes[j] = nc[j] >= f->min_cells;
      r.n_genes_kept += keep_genes[j];
    }
  g_free (nc);
  r.n_genes_min_cells = r.n_genes_in - r.n_genes_kept;
  if (report)
    *report = r;
}

char *
scm_qc_report_describe (const ScmQcReport *r, const ScmQcFilter *f)
{
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "kept %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " cells",
                          r->n_cells_kept, r->n_cells_in);
  if (r->n_cells_kept < r->n_cells_in)
    {
      g_string_append (s, " (removed:");
      if (r->n_cells_zero)
        g_string_append_printf (s, " %" G_GINT64_FORMAT " with zero counts;", r->n_cells_zero);
      if (r->n_cells_min_genes)
        g_string_append_printf (s, " %" G_GINT64_FORMAT " with < %d genes;",
                                r->n_cells_min_genes, f->min_genes);
      if (r->n_cells_mito)
        g_string_append_printf (s, " %" G_GINT64_FORMAT " with > %g%% mitochondrial counts;",
                                r->n_cells_mito, f->max_pct_mito);
      g_string_truncate (s, s->len - 1);
      g_string_append (s, ")");
    }
  g_string_append_printf (s, ", %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " genes",
                          r->n_genes_kept, r->n_genes_in);
  if (r->n_genes_min_cells)
    g_string_append_printf (s, " (removed: %" G_GINT64_FORMAT " in < %d cells)",
                            r->n_genes_min_cells, f->min_cells);
  if (!f->cell_filters)
    g_string_append (s, "; cell filters off (only zero-count cells removed)");
  else if (r->n_mito_genes == 0)
    g_string_append (s, "; no MT-/mt- genes, mitochondrial filter not applied");
  return g_string_free (s, FALSE);
}
