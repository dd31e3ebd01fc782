/* cmd-markers.c: `scmmae markers IN --groupby COL`: Wilcoxon rank-sum
 * markers of each group vs the rest (or vs --reference), as a TSV table
 * (stdout or -o).  Statistics as scanpy rank_genes_groups(method='wilcoxon',
 * tie_correct=True); see src/core/stats/scm-markers.h. */
#include "cli-common.h"

#include "io/scm-io.h"
#include "stats/scm-analyze.h"

#include "scm-error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static gint32
find_group (char **cats, gint32 n, const char *name)
{
  for (gint32 g = 0; g < n; g++)
    if (strcmp (cats[g], name) == 0)
      return g;
  return -1;
}

int
scm_cmd_markers (int argc, char **argv)
{
  g_autofree char *groupby = NULL, *group = NULL, *reference = NULL, *modality = NULL;
  g_autofree char *output = NULL;
  gint64 top = 25;
  gboolean continuity = FALSE;
  GOptionEntry entries[] = {
    { "groupby", 'g', 0, G_OPTION_ARG_STRING, &groupby, "obs column with the groups (required)", "COL" },
    { "group", 0, 0, G_OPTION_ARG_STRING, &group, "Only this group (default: every group)", "A" },
    { "reference", 0, 0, G_OPTION_ARG_STRING, &reference, "Compare with this group instead of the rest", "B" },
    { "modality", 0, 0, G_OPTION_ARG_STRING, &modality, "rna (default; log-normalised) or adt (CLR)", "M" },
    { "top", 'n', 0, G_OPTION_ARG_INT64, &top, "Genes per group, by score (default 25; 0 = all)", "N" },
    { "continuity", 0, 0, G_OPTION_ARG_NONE, &continuity,
      "Continuity-corrected p-values (scipy's default; scanpy uses none)", NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the TSV here (default stdout)", "OUT.tsv" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN - Wilcoxon marker genes per group");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("markers", "expected exactly one input file");
  if (!groupby)
    return scm_cli_usage ("markers", "missing --groupby COL");
  ScmModalityKind kind = SCM_MODALITY_RNA;
  if (modality && strcmp (modality, "adt") == 0)
    kind = SCM_MODALITY_ADT;
  else if (modality && strcmp (modality, "rna") != 0)
    return scm_cli_usage ("markers", "unknown --modality '%s' (rna, adt)", modality);
  if (top < 0)
    return scm_cli_usage ("markers", "--top must be >= 0");

  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], NULL, &error);
  if (!ds)
    return scm_cli_fail ("markers", error);
  g_auto (GStrv) cats = NULL;
  gint32 n_groups = 0;
  g_autofree gint32 *codes = scm_obs_group_codes (ds, groupby, &cats, &n_groups, &error);
  if (!codes)
    return scm_cli_fail ("markers", error);
  gint32 gsel = -1, gref = -1;
  if (group && (gsel = find_group (cats, n_groups, group)) < 0)
    {
      g_set_error (&error, SCM_ERROR, SCM_ERROR_NOT_FOUND, "%s: obs/%s has no group '%s'", argv[1],
                   groupby, group);
      return scm_cli_fail ("markers", error);
    }
  if (reference && (gref = find_group (cats, n_groups, reference)) < 0)
    {
      g_set_error (&error, SCM_ERROR, SCM_ERROR_NOT_FOUND, "%s: obs/%s has no group '%s'", argv[1],
                   groupby, reference);
      return scm_cli_fail ("markers", error);
    }
  if (gsel >= 0 && gsel == gref)
    return scm_cli_usage ("markers", "--group and --reference are the same group");
  ScmCsr X = { 0 };
  if (!scm_modality_marker_values (ds, kind, &X, &error))
    return scm_cli_fail ("markers", error);
  ScmWilcoxonOptions wo = { .use_continuity = continuity };
  ScmRankTest rt;
  gboolean ok = scm_wilcoxon (&X, codes, n_groups, gref, &wo, &rt, &error);
  scm_csr_clear (&X);
  if (!ok)
    return scm_cli_fail ("markers", error);
  char **names = kind == SCM_MODALITY_RNA ? ds->rna->names : ds->adt->names;

  FILE *out = stdout;
  if (output)
    {
      out = fopen (output, "w");
      if (!out)
        {
          g_set_error (&error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot write: %s", output, g_strerror (errno));
          scm_rank_test_clear (&rt);
          return scm_cli_fail ("markers", error);
        }
    }
  fprintf (out, "group\treference\trank\tgene\tscore\tlogfoldchange\tpval\tpval_adj\tpct_group\tpct_reference\n");
  gint64 J = rt.n_genes;
  gint64 m_top = top > 0 ? MIN (top, J) : J;
  g_autofree gint64 *idx = g_new (gint64, MAX (J, 1));
  for (gint32 g = 0; g < n_groups; g++)
    {
      if (g == gref || (gsel >= 0 && g != gsel) || rt.group_sizes[g] == 0)
        continue;
      gint64 m = scm_rank_test_top (&rt, g, m_top, idx);
      for (gint64 k = 0; k < m; k++)
        {
          gint64 gj = (gint64) g * J + idx[k];
          fprintf (out, "%s\t%s\t%" G_GINT64_FORMAT "\t%s\t%.9g\t%.9g\t%.9g\t%.9g\t%.6g\t%.6g\n",
                   cats[g], gref >= 0 ? cats[gref] : "rest", k + 1, names[idx[k]], rt.scores[gj],
                   rt.logfc[gj], rt.pvals[gj], rt.pvals_adj[gj], rt.pct_in[gj], rt.pct_out[gj]);
        }
    }
  scm_rank_test_clear (&rt);
  if (output && fclose (out) != 0)
    {
      g_set_error (&error, SCM_ERROR, SCM_ERROR_IO, "%s: write failed", output);
      return scm_cli_fail ("markers", error);
    }
  return SCM_EXIT_OK;
}
