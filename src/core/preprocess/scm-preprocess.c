/* scm-preprocess.c: the scMMAE preprocessing pipeline (see scm-preprocess.h).
 *
 * Glue only: every numerical step is a pure function in scm-qc.c,
 * scm-normalize.c and scm-hvg.c, tested against scanpy/muon definitions.
 */
#include "preprocess/scm-preprocess.h"
#include "preprocess/scm-normalize.h"
#include "scm-error.h"

#include <math.h>
#include <string.h>

void
scm_preprocess_options_init (ScmPreprocessOptions *o)
{
  memset (o, 0, sizeof *o);
  o->qc = SCM_QC_AUTO;
  scm_qc_filter_init_default (&o->filter);
  o->target_sum = 1e4;
  scm_hvg_options_init (&o->hvg);
  o->clr_proteins = TRUE;
}

void
scm_preprocess_report_clear (ScmPreprocessReport *r)
{
  g_free (r->qc_note);
  g_free (r->rna_source);
  g_free (r->kept_cells);
  memset (r, 0, sizeof *r);
}

static const char *
protein_text (const ScmPreprocessReport *r, const ScmPreprocessOptions *o)
{
  if (r->proteins_clr)
    return "CLR per protein across cells (obsm/protein_clr)";
  if (o->clr_proteins)
    return "not raw counts, so left as they are (no CLR)";
  return "not transformed";
}

char *
scm_preprocess_report_describe (const ScmPreprocessReport *r, const ScmPreprocessOptions *o)
{
  ScmQcFilter f = o->filter;
  f.cell_filters = r->cell_filters_applied;
  g_autofree char *qc = scm_qc_report_describe (&r->qc, &f);
  GString *s = g_string_new (NULL);
  if (r->qc.n_genes_in == 0)
    {
      g_string_append_printf (s, "RNA matrix: none; %" G_GINT64_FORMAT " cells kept\n", r->qc.n_cells_kept);
      if (r->qc_note)
        g_string_append_printf (s, "note: %s\n", r->qc_note);
      g_string_append_printf (s, "proteins: %" G_GINT64_FORMAT ", %s\n", r->n_proteins, protein_text (r, o));
      return g_string_free (s, FALSE);
    }
  g_string_append_printf (s, "RNA matrix: %s (counts)\n", r->rna_source ? r->rna_source : "?");
  g_string_append_printf (s, "QC: %s\n", qc);
  if (r->qc_note)
    g_string_append_printf (s, "QC note: %s\n", r->qc_note);
  g_string_append_printf (s, "normalised: total counts per cell to %g, log1p\n", o->target_sum);
  g_string_append_printf (s, "HVG: %" G_GINT64_FORMAT " genes (flavor %s", r->n_hvg,
                          scm_hvg_flavor_name (o->hvg.flavor));
  if (o->hvg.flavor == SCM_HVG_SEURAT_V3 || o->hvg.n_top > 0)
    g_string_append_printf (s, ", n_top_genes %" G_GINT64_FORMAT, o->hvg.n_top);
  g_string_append (s, ")\n");
  if (r->n_proteins > 0)
    g_string_append_printf (s, "proteins: %" G_GINT64_FORMAT ", %s\n", r->n_proteins, protein_text (r, o));
  else
    g_string_append (s, "proteins: none\n");
  return g_string_free (s, FALSE);
}

static ScmUnsNode *
uns_copy (const ScmUnsNode *u)
{
  switch (u->kind)
    {
    case SCM_UNS_GROUP:
      {
        ScmUnsNode *g = scm_uns_group_new (u->name);
        for (guint i = 0; i < u->children->len; i++)
          scm_uns_set (g, uns_copy (u->children->pdata[i]));
        return g;
      }
    case SCM_UNS_STRINGS:
      return scm_uns_strings_new (u->name, g_strdupv (u->strings));
    case SCM_UNS_FLOATS:
      {
        ScmUnsNode *c = scm_uns_floats_new (u->name, u->n, g_memdup2 (u->floats, MAX (u->n, 1) * sizeof (double)));
        c->scalar = u->scalar;
        return c;
      }
    case SCM_UNS_INTS:
      {
        ScmUnsNode *c = scm_uns_ints_new (u->name, u->n, g_memdup2 (u->ints, MAX (u->n, 1) * sizeof (gint64)));
        c->scalar = u->scalar;
        return c;
      }
    case SCM_UNS_STRING:
    default:
      return scm_uns_string_new (u->name, u->string);
    }
}

static char **
strv_pick (char **src, const gint32 *idx, gint64 n)
{
  if (src == NULL)
    return NULL;
  char **out = g_new0 (char *, n + 1);
  for (gint64 j = 0; j < n; j++)
    out[j] = g_strdup (src[idx[j]]);
  return out;
}

static ScmUnsNode *
describe_params (const ScmPreprocessOptions *o, const ScmPreprocessReport *r,
                 char **hvg_names, const gint32 *hvg_rank, gint64 n_hvg)
{
  ScmUnsNode *g = scm_uns_group_new ("preprocess");
  scm_uns_set (g, scm_uns_string_new ("hvg_flavor", scm_hvg_flavor_name (o->hvg.flavor)));
  gint64 *ints = g_new (gint64, 5);
  ints[0] = o->hvg.n_top;
  ints[1] = r->cell_filters_applied ? o->filter.min_genes : 0;
  ints[2] = o->filter.min_cells;
  ints[3] = r->qc.n_cells_in;
  ints[4] = r->qc.n_cells_kept;
  scm_uns_set (g, scm_uns_ints_new ("n_top_genes__min_genes__min_cells__cells_in__cells_kept", 5, ints));
  double *f = g_new (double, 2);
  f[0] = o->target_sum;
  f[1] = r->cell_filters_applied ? o->filter.max_pct_mito : NAN;
  scm_uns_set (g, scm_uns_floats_new ("target_sum__max_pct_mito", 2, f));
  scm_uns_set (g, scm_uns_string_new ("rna_source", r->rna_source ? r->rna_source : ""));
  scm_uns_set (g, scm_uns_strings_new ("hvg_names", g_strdupv (hvg_names)));
  gint64 *rank = g_new (gint64, MAX (n_hvg, 1));
  for (gint64 j = 0; j < n_hvg; j++)
    rank[j] = hvg_rank[j];
  scm_uns_set (g, scm_uns_ints_new ("hvg_rank", n_hvg, rank));
  if (r->qc_note)
    scm_uns_set (g, scm_uns_string_new ("qc_note", r->qc_note));
  return g;
}

/* dst = rows of src with keep_rows[r], columns with col_map[c] >= 0
 * renumbered to col_map[c] (increasing in c, so rows stay sorted). */
static gboolean
csr_filter (ScmCsr *dst, const ScmCsr *src, const guint8 *keep_rows, const gint32 *col_map,
            gint64 n_out_cols, GError **error)
{
  gint64 n_rows = 0, nnz = 0;
  for (gint64 r = 0; r < src->n_rows; r++)
    {
      if (!keep_rows[r])
        continue;
      n_rows++;
      for (gint64 k = src->indptr[r]; k < src->indptr[r + 1]; k++)
        nnz += col_map[src->indices[k]] >= 0;
    }
  if (!scm_csr_alloc (dst, n_rows, n_out_cols, nnz, error))
    return FALSE;
  gint64 row = 0, pos = 0;
  for (gint64 r = 0; r < src->n_rows; r++)
    {
      if (!keep_rows[r])
        continue;
      for (gint64 k = src->indptr[r]; k < src->indptr[r + 1]; k++)
        {
          gint32 c = col_map[src->indices[k]];
          if (c < 0)
            continue;
          dst->indices[pos] = c;
          dst->data[pos++] = src->data[k];
        }
      dst->indptr[++row] = pos;
    }
  return TRUE;
}

/* Protein-only data (e.g. the MALT10k file): no QC or HVGs, every cell
 * kept, CLR of the proteins in obsm/protein_clr. */
static ScmDataset *
run_protein_only (const ScmDataset *ds, const ScmPreprocessOptions *o,
                  ScmPreprocessReport *report_out, GError **error)
{
  ScmPreprocessReport rep = { 0 };
  gint64 N = ds->n_cells;
  rep.rna_source = g_strdup ("none (protein-only dataset)");
  rep.kept_cells = g_try_malloc (MAX (N, 1));
  if (rep.kept_cells == NULL)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "out of memory");
      return NULL;
    }
  memset (rep.kept_cells, 1, (gsize) MAX (N, 1));
  rep.qc.n_cells_in = rep.qc.n_cells_kept = N;
  rep.n_proteins = ds->adt->X.n_cols;
  rep.qc_note = g_strdup ("protein-only dataset: no QC filters or HVGs; proteins CLR-transformed");
  g_autoptr (ScmDataset) out = scm_dataset_subset_cells (ds, rep.kept_cells, error);
  if (out == NULL)
    {
      scm_preprocess_report_clear (&rep);
      return NULL;
    }
  if (o->clr_proteins && ds->adt->is_counts)
    {
      rep.proteins_clr = TRUE;
      ScmMatrix *clr = scm_matrix_new ("protein_clr", N, rep.n_proteins, error);
      if (clr == NULL)
        {
          scm_preprocess_report_clear (&rep);
          return NULL;
        }
      scm_clr_csr (&out->adt->X, clr->data);
      scm_dataset_set_obsm (out, clr);
    }
  for (guint i = 0; i < ds->uns->children->len; i++)
    {
      const ScmUnsNode *c = ds->uns->children->pdata[i];
      if (strcmp (c->name, "preprocess") != 0)
        scm_uns_set (out->uns, uns_copy (c));
    }
  ScmUnsNode *g = scm_uns_group_new ("preprocess");
  scm_uns_set (g, scm_uns_string_new ("qc_note", rep.qc_note));
  scm_uns_set (out->uns, g);
  if (report_out)
    *report_out = rep;
  else
    scm_preprocess_report_clear (&rep);
  return g_steal_pointer (&out);
}

ScmDataset *
scm_preprocess_run (const ScmDataset *ds, const ScmPreprocessOptions *o,
                    ScmPreprocessReport *report_out, GError **error)
{
  ScmPreprocessOptions defaults;
  if (o == NULL)
    {
      scm_preprocess_options_init (&defaults);
      o = &defaults;
    }
  const char *file = ds->path ? ds->path : "dataset";
  if (ds->rna == NULL && ds->adt != NULL)
    return run_protein_only (ds, o, report_out, error);
  if (ds->rna == NULL)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND,
                   "%s: has neither RNA nor protein counts to preprocess", file);
      return NULL;
    }
  const ScmCsr *X = &ds->rna->X;
  if (!ds->rna->is_counts)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "%s: RNA matrix %s does not hold raw counts (it looks normalised); "
                   "preprocessing needs integer counts", file,
                   ds->rna->source ? ds->rna->source : "X");
      return NULL;
    }
  if (X->n_rows != ds->n_cells || X->n_rows < 2 || X->n_cols < 1)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "%s: RNA matrix is %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                   "; need at least 2 cells and 1 gene", file, X->n_rows, X->n_cols);
      return NULL;
    }

  ScmPreprocessReport rep = { 0 };
  rep.rna_source = g_strdup (ds->rna->source ? ds->rna->source : "X");
  gint64 N = X->n_rows, G = X->n_cols;

  /* QC metrics on the input. */
  g_autofree guint8 *is_mito = g_try_new (guint8, G);
  g_autofree double *total = g_try_new (double, N);
  g_autofree gint32 *n_genes = g_try_new (gint32, N);
  g_autofree double *pct_mito = g_try_new (double, N);
  g_autofree guint8 *keep_genes = g_try_new (guint8, G);
  rep.kept_cells = g_try_new (guint8, N);
  if (!is_mito || !total || !n_genes || !pct_mito || !keep_genes || !rep.kept_cells)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "%s: out of memory for QC metrics", file);
      scm_preprocess_report_clear (&rep);
      return NULL;
    }
  gint64 n_mito = scm_qc_mito_mask (ds->rna->names, G, is_mito);
  scm_qc_cell_metrics (X, is_mito, total, n_genes, pct_mito);

  ScmQcFilter filter = o->filter;
  if (o->qc == SCM_QC_NEVER)
    filter.cell_filters = FALSE;
  else if (o->qc == SCM_QC_AUTO && G <= o->hvg.n_top)
    {
      filter.cell_filters = FALSE;
      rep.qc_note = g_strdup_printf ("the input has only %" G_GINT64_FORMAT " genes (no more than the "
                                     "%" G_GINT64_FORMAT " HVGs asked for): it looks like an already "
                                     "selected gene panel, so the min-genes and mitochondrial cell "
                                     "filters were skipped", G, o->hvg.n_top);
    }
  rep.cell_filters_applied = filter.cell_filters;
  scm_qc_filter (X, &filter, total, n_genes, pct_mito, n_mito, rep.kept_cells, keep_genes, &rep.qc);
  if (rep.qc.n_cells_kept < 2 || rep.qc.n_genes_kept < 1)
    {
      ScmQcFilter fd = filter;
      g_autofree char *why = scm_qc_report_describe (&rep.qc, &fd);
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "%s: nothing left after QC: %s", file, why);
      scm_preprocess_report_clear (&rep);
      return NULL;
    }

  /* The output holds every cell-level part of the input but the RNA,
   * for the kept cells; a shallow shell hides the RNA from the copy (it is
   * rebuilt below from the HVG columns only). */
  ScmDataset shell = *ds;
  shell.rna = NULL;
  g_autoptr (ScmDataset) out = scm_dataset_subset_cells (&shell, rep.kept_cells, error);
  if (out == NULL)
    {
      scm_preprocess_report_clear (&rep);
      return NULL;
    }
  gint64 Nk = out->n_cells;

  /* Counts of the kept cells and genes; the input itself when QC removed
   * nothing (the common case for curated files), so no copy is made. */
  g_autofree gint32 *gene_idx = g_new (gint32, MAX (rep.qc.n_genes_kept, 1));
  g_autofree gint32 *gene_map = g_new (gint32, G);
  for (gint64 g = 0, j = 0; g < G; g++)
    {
      gene_map[g] = keep_genes[g] ? (gint32) j : -1;
      if (keep_genes[g])
        gene_idx[j++] = (gint32) g;
    }
  ScmCsr filtered = { 0 }, lognorm = { 0 }, hvgX = { 0 };
  const ScmCsr *counts = X;
  if (rep.qc.n_cells_kept < N || rep.qc.n_genes_kept < G)
    {
      if (!csr_filter (&filtered, X, rep.kept_cells, gene_map, rep.qc.n_genes_kept, error))
        {
          scm_preprocess_report_clear (&rep);
          return NULL;
        }
      counts = &filtered;
    }
  g_autofree double *row_sums = g_try_new (double, MAX (Nk, 1));
  ScmHvgResult hvg = { 0 };
  gboolean ok = row_sums != NULL;
  if (!ok)
    g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "out of memory");
  if (ok)
    {
      for (gint64 r = 0; r < Nk; r++)
        {
          double sum = 0;
          for (gint64 k = counts->indptr[r]; k < counts->indptr[r + 1]; k++)
            sum += counts->data[k];
          row_sums[r] = sum;
        }
      if (o->hvg.flavor == SCM_HVG_SEURAT_V3)
        ok = scm_hvg_select (counts, &o->hvg, &hvg, error);
      else
        {
          /* The dispersion flavour works on log-normalised values. */
          ok = scm_normalize_log1p (&lognorm, counts, o->target_sum, error)
               && scm_hvg_select (&lognorm, &o->hvg, &hvg, error);
          scm_csr_clear (&lognorm);
        }
    }
  g_autofree gint32 *sel = ok ? scm_hvg_selected_indices (&hvg) : NULL;
  g_autofree gint32 *hvg_map = ok ? g_new (gint32, MAX (counts->n_cols, 1)) : NULL;
  if (ok)
    {
      rep.n_hvg = hvg.n_selected;
      for (gint64 g = 0; g < counts->n_cols; g++)
        hvg_map[g] = -1;
      for (gint64 j = 0; j < hvg.n_selected; j++)
        hvg_map[sel[j]] = (gint32) j;
      ok = scm_normalize_log1p_select (&hvgX, counts, row_sums, o->target_sum, hvg_map,
                                       hvg.n_selected, error);
    }
  scm_csr_clear (&filtered);
  if (!ok)
    {
      g_prefix_error (error, "%s: ", file);
      scm_hvg_result_clear (&hvg);
      scm_preprocess_report_clear (&rep);
      return NULL;
    }
  /* sel indexes the QC-kept genes; map back to input gene indices. */
  g_autofree gint32 *sel_in = g_new (gint32, MAX (hvg.n_selected, 1));
  g_autofree gint32 *sel_rank = g_new (gint32, MAX (hvg.n_selected, 1));
  for (gint64 j = 0; j < hvg.n_selected; j++)
    {
      sel_in[j] = gene_idx[sel[j]];
      sel_rank[j] = hvg.rank[sel[j]];
    }
  scm_hvg_result_clear (&hvg);

  ScmModality *rna = scm_modality_new (SCM_MODALITY_RNA);
  rna->X = hvgX;
  rna->names = strv_pick (ds->rna->names, sel_in, rep.n_hvg);
  rna->ids = strv_pick (ds->rna->ids, sel_in, rep.n_hvg);
  rna->genomes = strv_pick (ds->rna->genomes, sel_in, rep.n_hvg);
  rna->is_counts = FALSE;
  rna->source = g_strdup_printf ("%s, normalised to %g + log1p, %" G_GINT64_FORMAT " HVG (%s)",
                                 rep.rna_source, o->target_sum, rep.n_hvg,
                                 scm_hvg_flavor_name (o->hvg.flavor));
  out->rna = rna;

  /* CLR assumes counts: a file whose proteins are already transformed
   * keeps them as they are (the report says so). */
  if (out->adt && o->clr_proteins && out->adt->is_counts)
    {
      rep.proteins_clr = TRUE;
      rep.n_proteins = out->adt->X.n_cols;
      ScmMatrix *clr = scm_matrix_new ("protein_clr", Nk, rep.n_proteins, error);
      if (clr == NULL)
        {
          scm_preprocess_report_clear (&rep);
          return NULL;
        }
      scm_clr_csr (&out->adt->X, clr->data);
      scm_dataset_set_obsm (out, clr);
    }
  else if (out->adt)
    rep.n_proteins = out->adt->X.n_cols;

  /* QC metrics of the kept cells, under scanpy's calculate_qc_metrics names. */
  double *t = g_new (double, MAX (Nk, 1)), *nn = g_new (double, MAX (Nk, 1)), *pm = g_new (double, MAX (Nk, 1));
  for (gint64 i = 0, j = 0; i < N; i++)
    if (rep.kept_cells[i])
      {
        t[j] = total[i];
        nn[j] = n_genes[i];
        pm[j] = pct_mito[i];
        j++;
      }
  scm_dataset_set_obs (out, scm_column_new_numeric ("total_counts", Nk, t));
  scm_dataset_set_obs (out, scm_column_new_numeric ("n_genes_by_counts", Nk, nn));
  scm_dataset_set_obs (out, scm_column_new_numeric ("pct_counts_mt", Nk, pm));

  for (guint i = 0; i < ds->uns->children->len; i++)
    {
      const ScmUnsNode *c = ds->uns->children->pdata[i];
      if (strcmp (c->name, "preprocess") != 0)
        scm_uns_set (out->uns, uns_copy (c));
    }
  scm_uns_set (out->uns, describe_params (o, &rep, out->rna->names, sel_rank, rep.n_hvg));
  {
    ScmQcFilter fd = filter;
    g_autofree char *qc = scm_qc_report_describe (&rep.qc, &fd);
    scm_dataset_add_note (out, "preprocessed: %s; %" G_GINT64_FORMAT " HVG (%s)", qc, rep.n_hvg,
                          scm_hvg_flavor_name (o->hvg.flavor));
  }

  if (report_out)
    *report_out = rep;
  else
    scm_preprocess_report_clear (&rep);
  return g_steal_pointer (&out);
}

void
scm_model_inputs_clear (ScmModelInputs *m)
{
  g_free (m->rna);
  g_strfreev (m->gene_names);
  g_free (m->adt);
  g_strfreev (m->protein_names);
  g_strfreev (m->barcodes);
  g_free (m->kept_cells);
  memset (m, 0, sizeof *m);
}

gboolean
scm_preprocess_model_inputs (const ScmDataset *ds, const ScmPreprocessOptions *o,
                             ScmModelInputs *out, ScmPreprocessReport *report, GError **error)
{
  memset (out, 0, sizeof *out);
  ScmPreprocessReport rep = { 0 };
  g_autoptr (ScmDataset) pp = scm_preprocess_run (ds, o, &rep, error);
  if (pp == NULL)
    return FALSE;
  if (pp->rna)
    {
      out->rna = scm_csr_to_dense (&pp->rna->X, error);
      if (out->rna == NULL)
        {
          scm_preprocess_report_clear (&rep);
          return FALSE;
        }
      out->n_genes = pp->rna->X.n_cols;
      out->gene_names = g_strdupv (pp->rna->names);
    }
  out->n_cells = pp->n_cells;
  out->barcodes = g_strdupv (pp->barcodes);
  out->n_cells_in = ds->n_cells;
  out->kept_cells = g_memdup2 (rep.kept_cells, MAX (ds->n_cells, 1));
  ScmMatrix *clr = scm_dataset_get_obsm (pp, "protein_clr");
  if (pp->adt && clr)
    {
      out->n_proteins = clr->n_cols;
      out->adt = g_steal_pointer (&clr->data);
      clr->data = g_new0 (float, 1);
      out->protein_names = g_strdupv (pp->adt->names);
    }
  if (report)
    *report = rep;
  else
    scm_preprocess_report_clear (&rep);
  return TRUE;
}
