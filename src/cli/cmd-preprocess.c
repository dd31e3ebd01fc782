/* cmd-preprocess.c: `scmmae preprocess IN -o OUT.h5ad [options]`.
 *
 * Reads any supported file, optionally joins a barcode,label CSV, runs the
 * scMMAE preprocessing (QC filters, normalise to 1e4 + log1p, HVGs, CLR of
 * proteins; see preprocess/scm-preprocess.h) and writes an .h5ad whose X
 * holds the log-normalised HVGs.  Prints a short report: cells and genes
 * kept and why, the number of HVGs, and which matrix of the input was used.
 */
#include "cli-common.h"
#include "io/scm-io.h"
#include "preprocess/scm-preprocess.h"

#include <stdio.h>

int
scm_cmd_preprocess (int argc, char **argv)
{
  ScmPreprocessOptions o;
  scm_preprocess_options_init (&o);
  g_autofree char *out = NULL, *flavor = NULL, *labels = NULL, *label_col = NULL,
                  *genome = NULL, *qc = NULL;
  gint64 n_top = o.hvg.n_top;
  int min_genes = o.filter.min_genes, min_cells = o.filter.min_cells;
  double max_mito = o.filter.max_pct_mito;
  gboolean use_x = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output .h5ad (required)", "OUT.h5ad" },
    { "n-top-genes", 0, 0, G_OPTION_ARG_INT64, &n_top,
      "Highly variable genes to keep (default 4000; 0 with --flavor seurat: use cutoffs)", "N" },
    { "flavor", 0, 0, G_OPTION_ARG_STRING, &flavor,
      "HVG method: seurat_v3 (on counts, default) or seurat (dispersion)", "NAME" },
    { "min-genes", 0, 0, G_OPTION_ARG_INT, &min_genes, "Remove cells with fewer detected genes (200)", "N" },
    { "min-cells", 0, 0, G_OPTION_ARG_INT, &min_cells, "Remove genes seen in fewer cells (3)", "N" },
    { "max-pct-mito", 0, 0, G_OPTION_ARG_DOUBLE, &max_mito,
      "Remove cells with more than this % of MT-/mt- counts (20; 100 = off)", "PCT" },
    { "qc", 0, 0, G_OPTION_ARG_STRING, &qc,
      "Cell filters: auto (skip on an HVG-only panel, default), always, never", "MODE" },
    { "labels", 0, 0, G_OPTION_ARG_FILENAME, &labels, "CSV barcode,<label> joined into obs", "CSV" },
    { "label-column", 0, 0, G_OPTION_ARG_STRING, &label_col, "Name of the joined obs column", "NAME" },
    { "genome", 0, 0, G_OPTION_ARG_STRING, &genome, "10x multi-genome files: keep this genome", "NAME" },
    { "use-x", 0, 0, G_OPTION_ARG_NONE, &use_x, "h5ad: use X even if raw counts exist elsewhere", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN - QC, normalise, select HVGs, CLR proteins; write .h5ad");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "Output: X = log1p(counts * 1e4 / total) of the selected genes (float32 CSR),\n"
    "obs = input columns + total_counts, n_genes_by_counts, pct_counts_mt,\n"
    "obsm/protein_expression = raw protein counts, obsm/protein_clr = CLR proteins,\n"
    "uns/preprocess = parameters and HVG ranks.  Raw RNA counts stay in the input file.\n"
    "Exit status: 0 ok, 1 bad input, 2 bad usage.");
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("preprocess", argc < 2 ? "missing input file" : "expected one input file, got %d", argc - 1);
  if (out == NULL)
    return scm_cli_usage ("preprocess", "missing -o OUT.h5ad");
  if (flavor && !scm_hvg_flavor_parse (flavor, &o.hvg.flavor))
    return scm_cli_usage ("preprocess", "unknown --flavor '%s' (seurat_v3 or seurat)", flavor);
  if (n_top < 0 || (n_top == 0 && o.hvg.flavor == SCM_HVG_SEURAT_V3))
    return scm_cli_usage ("preprocess", "--n-top-genes must be positive (0 only with --flavor seurat)");
  if (min_genes < 0 || min_cells < 0 || !(max_mito >= 0))
    return scm_cli_usage ("preprocess", "--min-genes, --min-cells and --max-pct-mito must not be negative");
  if (qc)
    {
      if (g_str_equal (qc, "auto"))
        o.qc = SCM_QC_AUTO;
      else if (g_str_equal (qc, "always"))
        o.qc = SCM_QC_ALWAYS;
      else if (g_str_equal (qc, "never"))
        o.qc = SCM_QC_NEVER;
      else
        return scm_cli_usage ("preprocess", "unknown --qc '%s' (auto, always or never)", qc);
    }
  o.hvg.n_top = n_top;
  o.filter.min_genes = min_genes;
  o.filter.min_cells = min_cells;
  o.filter.max_pct_mito = max_mito;

  g_autoptr (GError) error = NULL;
  ScmReadOptions ro = { .genome = genome, .use_x = use_x };
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], &ro, &error);
  if (ds == NULL)
    return scm_cli_fail ("preprocess", error);
  printf ("read %s (%s): %" G_GINT64_FORMAT " cells, %" G_GINT64_FORMAT " genes, %" G_GINT64_FORMAT
          " proteins\n", argv[1], ds->format ? ds->format : "?", ds->n_cells,
          ds->rna ? ds->rna->X.n_cols : 0, ds->adt ? ds->adt->X.n_cols : 0);
  if (labels)
    {
      ScmLabelsReport lr;
      if (!scm_labels_join_csv (ds, labels, label_col, &lr, &error))
        return scm_cli_fail ("preprocess", error);
      printf ("labels %s: %" G_GINT64_FORMAT " rows, %" G_GINT64_FORMAT " matched cells, %"
              G_GINT64_FORMAT " unmatched rows, %" G_GINT64_FORMAT " cells without a label\n",
              labels, lr.n_rows, lr.n_matched, lr.n_unmatched, lr.n_cells_unlabelled);
      scm_labels_report_clear (&lr);
    }

  ScmPreprocessReport rep;
  g_autoptr (ScmDataset) pp = scm_preprocess_run (ds, &o, &rep, &error);
  if (pp == NULL)
    return scm_cli_fail ("preprocess", error);
  g_autofree char *text = scm_preprocess_report_describe (&rep, &o);
  fputs (text, stdout);
  scm_preprocess_report_clear (&rep);
  if (!scm_h5ad_write (pp, out, &error))
    return scm_cli_fail ("preprocess", error);
  if (pp->rna)
    printf ("wrote %s: %" G_GINT64_FORMAT " cells x %" G_GINT64_FORMAT " genes (log1p-normalised HVGs)%s\n",
            out, pp->n_cells, pp->rna->X.n_cols,
            pp->adt ? ", proteins in obsm/protein_expression + protein_clr" : "");
  else
    printf ("wrote %s: %" G_GINT64_FORMAT " cells x %" G_GINT64_FORMAT " proteins (counts in X, CLR in "
            "obsm/protein_clr)\n", out, pp->n_cells, pp->adt->X.n_cols);
  return SCM_EXIT_OK;
}
