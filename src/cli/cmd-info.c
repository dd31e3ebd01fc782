/* cmd-info.c: `scmmae info FILE [--json] [--genome NAME] [--use-x]`.
 *
 * Reads any supported file with scm_dataset_read() and prints what the app
 * would load: format, cells, genes, proteins, where the counts came from,
 * obs columns, obsm and obsp entries and the reader's layout notes.  --json prints
 * one JSON object for scripts and tests (json-glib).
 */
#include "cli-common.h"
#include "io/scm-io.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

static const char *
kind_name (ScmColumnKind k)
{
  switch (k)
    {
    case SCM_COLUMN_CATEGORICAL: return "categorical";
    case SCM_COLUMN_NUMERIC: return "numeric";
    case SCM_COLUMN_STRING: return "string";
    case SCM_COLUMN_BOOL: return "bool";
    default: return "unknown";
    }
}

static void
print_json (const ScmDataset *ds)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, ds->path);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, ds->format);
  json_builder_set_member_name (b, "n_cells");
  json_builder_add_int_value (b, ds->n_cells);
  json_builder_set_member_name (b, "n_genes");
  json_builder_add_int_value (b, ds->rna ? ds->rna->X.n_cols : 0);
  json_builder_set_member_name (b, "n_proteins");
  json_builder_add_int_value (b, ds->adt ? ds->adt->X.n_cols : 0);
  json_builder_set_member_name (b, "nnz_rna");
  json_builder_add_int_value (b, ds->rna ? scm_csr_nnz (&ds->rna->X) : 0);
  json_builder_set_member_name (b, "rna_source");
  if (ds->rna)
    json_builder_add_string_value (b, ds->rna->source);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "adt_source");
  if (ds->adt)
    json_builder_add_string_value (b, ds->adt->source);
  else
    json_builder_add_null_value (b);
  /* is_counts: of the RNA matrix (of the proteins for protein-only data) */
  const ScmModality *main_mod = ds->rna ? ds->rna : ds->adt;
  json_builder_set_member_name (b, "is_counts");
  json_builder_add_boolean_value (b, main_mod ? main_mod->is_counts : FALSE);
  json_builder_set_member_name (b, "adt_is_counts");
  json_builder_add_boolean_value (b, ds->adt ? ds->adt->is_counts : FALSE);
  json_builder_set_member_name (b, "obs_columns");
  json_builder_begin_array (b);
  for (guint i = 0; i < ds->obs->len; i++)
    {
      const ScmColumn *c = ds->obs->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, c->name);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, kind_name (c->kind));
      json_builder_set_member_name (b, "n_categories");
      json_builder_add_int_value (b, c->kind == SCM_COLUMN_CATEGORICAL ? c->n_categories : 0);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "obsm");
  json_builder_begin_array (b);
  for (guint i = 0; i < ds->obsm->len; i++)
    json_builder_add_string_value (b, ((ScmMatrix *) ds->obsm->pdata[i])->name);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "obsp");
  json_builder_begin_array (b);
  for (guint i = 0; i < ds->obsp->len; i++)
    json_builder_add_string_value (b, ((ScmPairwise *) ds->obsp->pdata[i])->name);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "layout_notes");
  json_builder_begin_array (b);
  for (guint i = 0; i < ds->notes->len; i++)
    json_builder_add_string_value (b, ds->notes->pdata[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

static void
print_modality (const char *label, const ScmModality *m, const char *unit)
{
  if (m == NULL)
    {
      printf ("%-10s none\n", label);
      return;
    }
  printf ("%-10s %" G_GINT64_FORMAT " %s, %" G_GINT64_FORMAT " non-zeros, from %s (%s)\n", label,
          m->X.n_cols, unit, scm_csr_nnz (&m->X), m->source ? m->source : "?",
          m->is_counts ? "raw counts" : "not raw counts");
}

static void
print_human (const ScmDataset *ds)
{
  printf ("%-10s %s\n", "File:", ds->path);
  printf ("%-10s %s\n", "Format:", ds->format);
  printf ("%-10s %" G_GINT64_FORMAT "\n", "Cells:", ds->n_cells);
  print_modality ("RNA:", ds->rna, "genes");
  print_modality ("Proteins:", ds->adt, "proteins");
  if (ds->obs->len)
    {
      printf ("obs columns:\n");
      for (guint i = 0; i < ds->obs->len; i++)
        {
          const ScmColumn *c = ds->obs->pdata[i];
          if (c->kind == SCM_COLUMN_CATEGORICAL)
            printf ("  %-24s categorical, %u categories\n", c->name, c->n_categories);
          else
            printf ("  %-24s %s\n", c->name, kind_name (c->kind));
        }
    }
  if (ds->obsm->len)
    {
      printf ("obsm:\n");
      for (guint i = 0; i < ds->obsm->len; i++)
        {
          const ScmMatrix *m = ds->obsm->pdata[i];
          printf ("  %-24s %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT "\n", m->name, m->n_rows,
                  m->n_cols);
        }
    }
  if (ds->obsp->len)
    {
      printf ("obsp:\n");
      for (guint i = 0; i < ds->obsp->len; i++)
        {
          const ScmPairwise *p = ds->obsp->pdata[i];
          printf ("  %-24s %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                  " stored values\n", p->name, p->X.n_rows, p->X.n_cols, scm_csr_nnz (&p->X));
        }
    }
  if (ds->notes->len)
    {
      printf ("Notes:\n");
      for (guint i = 0; i < ds->notes->len; i++)
        printf ("  - %s\n", (const char *) ds->notes->pdata[i]);
    }
}

int
scm_cmd_info (int argc, char **argv)
{
  gboolean json = FALSE, use_x = FALSE;
  g_autofree char *genome = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { "genome", 0, 0, G_OPTION_ARG_STRING, &genome, "10x files: keep only this genome", "NAME" },
    { "use-x", 0, 0, G_OPTION_ARG_NONE, &use_x, "h5ad: use X even if it looks normalised", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("FILE - summarise a dataset file");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_summary (ctx, "Reads a 10x .h5, .h5ad or .h5mu file (layout detected by "
                                     "content) and prints what would be loaded.");
  if (!scm_cli_parse (ctx, &argc, &argv))
    return SCM_EXIT_USAGE;
  if (argc != 2)
    return scm_cli_usage ("info", argc < 2 ? "missing FILE" : "expected one FILE, got %d", argc - 1);
  ScmReadOptions opts = { .genome = genome, .use_x = use_x };
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (argv[1], &opts, &error);
  if (ds == NULL)
    return scm_cli_fail ("info", error);
  if (json)
    print_json (ds);
  else
    print_human (ds);
  return SCM_EXIT_OK;
}
