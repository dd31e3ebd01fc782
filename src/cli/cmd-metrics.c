/* cmd-metrics.c: `scmmae metrics --truth COL|CSV --pred COL|CSV FILE`:
 * partition agreement (ARI, NMI, AMI, FMI, pair Jaccard, pair F-measure,
 * purity) and, with --rep, geometric scores of the predicted labels on that
 * representation (silhouette, Calinski-Harabasz, Davies-Bouldin and their
 * normalised variants).  Definitions: src/core/stats/scm-metrics.h. */
#include "cli-common.h"

#include "io/scm-io.h"
#include "scm-error.h"
#include "stats/scm-analyze.h"
#include "stats/scm-metrics.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* A label source is an obs column, or a `barcode,label` CSV joined by barcode. */
static gint32 *
label_codes (ScmDataset *ds, const char *spec, const char *tmp_name, GError **error)
{
  const char *col = spec;
  if (!scm_dataset_get_obs (ds, spec) && g_file_test (spec, G_FILE_TEST_IS_REGULAR))
    {
      ScmLabelsReport rep = { 0 };
      if (!scm_labels_join_csv (ds, spec, tmp_name, &rep, error))
        return NULL;
      if (rep.n_matched == 0)
        {
          scm_labels_report_clear (&rep);
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "%s: no barcode matches a cell of %s", spec, ds->path ? ds->path : "the dataset");
          return NULL;
        }
      scm_labels_report_clear (&rep);
      col = tmp_name;
    }
  g_auto (GStrv) cats = NULL;
  gint32 k = 0;
  return scm_obs_group_codes (ds, col, &cats, &k, error);
}

int
scm_cmd_metrics (int argc, char **argv)
{
  g_autofree char *truth = NULL, *pred = NULL, *rep = NULL, *geo = NULL;
  gboolean json = FALSE;
  gint64 max_cells = 10000, seed = 0;
  GOptionEntry entries[] = {
    { "truth", 't', 0, G_OPTION_ARG_STRING, &truth, "Reference labels: obs column or barcode,label CSV", "COL|CSV" },
    { "pred", 'p', 0, G_OPTION_ARG_STRING, &pred, "Predicted labels: obs column or CSV", "COL|CSV" },
    { "rep", 'r', 0, G_OPTION_ARG_STRING, &rep, "obsm representation for silhouette/CHI/DBI (e.g. X_pca)", "X" },
    { "geometry-labels", 0, 0, G_OPTION_ARG_STRING, &geo, "Labels scored on --rep: pred (default) or truth", "L" },
    { "max-cells", 0, 0, G_OPTION_ARG_INT64, &max_cells, "Silhouette on a seeded subsample of N cells (default 10000; 0 = all)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Subsample seed (default 0)", "S" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("FILE - clustering metrics");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("metrics", "expected exactly one dataset file");
  if (!truth || !pred)
    return scm_cli_usage ("metrics", "--truth and --pred are required");
  gboolean geo_truth = FALSE;
  if (geo && strcmp (geo, "truth") == 0)
    geo_truth = TRUE;
  else if (geo && strcmp (geo, "pred") != 0)
    return scm_cli_usage ("metrics", "unknown --geometry-labels '%s' (pred, truth)", geo);
  if (max_cells < 0)
    return scm_cli_usage ("metrics", "--max-cells must be >= 0");

  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], NULL, &error);
  if (!ds)
    return scm_cli_fail ("metrics", error);
  g_autofree gint32 *t = label_codes (ds, truth, "__truth", &error);
  if (!t)
    return scm_cli_fail ("metrics", error);
  g_autofree gint32 *p = label_codes (ds, pred, "__pred", &error);
  if (!p)
    return scm_cli_fail ("metrics", error);
  ScmPartitionScores s;
  if (!scm_metrics_partition (t, p, ds->n_cells, &s, &error))
    return scm_cli_fail ("metrics", error);
  ScmGeometryScores g = { 0 };
  if (rep)
    {
      const ScmMatrix *m = scm_dataset_get_obsm (ds, rep);
      if (!m)
        {
          g_set_error (&error, SCM_ERROR, SCM_ERROR_NOT_FOUND, "%s: no obsm entry '%s'", argv[1], rep);
          return scm_cli_fail ("metrics", error);
        }
      if (!scm_metrics_geometry (m->data, m->n_rows, m->n_cols, geo_truth ? t : p, max_cells,
                                 (guint64) seed, &g, &error))
        return scm_cli_fail ("metrics", error);
    }

  struct { const char *name; double v; } rows[] = {
    { "ari", s.ari }, { "nmi", s.nmi }, { "ami", s.ami }, { "fmi", s.fmi },
    { "jaccard", s.jaccard }, { "fmeasure", s.fmeasure }, { "purity", s.purity },
    { "silhouette", g.silhouette }, { "calinski_harabasz", g.calinski_harabasz },
    { "davies_bouldin", g.davies_bouldin }, { "asw_norm", g.asw_norm },
    { "chi_norm", g.chi_norm }, { "dbi_norm", g.dbi_norm },
  };
  gsize n_rows = rep ? G_N_ELEMENTS (rows) : 7;
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "n_cells");
      json_builder_add_int_value (b, s.n_used);
      json_builder_set_member_name (b, "n_truth");
      json_builder_add_int_value (b, s.n_truth);
      json_builder_set_member_name (b, "n_pred");
      json_builder_add_int_value (b, s.n_pred);
      for (gsize i = 0; i < n_rows; i++)
        {
          json_builder_set_member_name (b, rows[i].name);
          json_builder_add_double_value (b, rows[i].v);
        }
      if (rep)
        {
          json_builder_set_member_name (b, "rep");
          json_builder_add_string_value (b, rep);
          json_builder_set_member_name (b, "geometry_labels");
          json_builder_add_string_value (b, geo_truth ? "truth" : "pred");
        }
      json_builder_end_object (b);
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autoptr (JsonNode) root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      json_generator_set_pretty (gen, TRUE);
      g_autofree char *text = json_generator_to_data (gen, NULL);
      g_print ("%s\n", text);
    }
  else
    {
      g_print ("cells %" G_GINT64_FORMAT ", truth classes %d, predicted clusters %d\n", s.n_used,
               s.n_truth, s.n_pred);
      for (gsize i = 0; i < n_rows; i++)
        g_print ("%-18s %.6f\n", rows[i].name, rows[i].v);
    }
  return SCM_EXIT_OK;
}
