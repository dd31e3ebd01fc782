/* scm-labels-csv.c: joining a `barcode,<label>` CSV into a categorical obs column.
 *
 * The parser follows RFC 4180 as spreadsheets write it: quoted fields with
 * "" escapes and embedded commas/newlines, LF or CRLF line ends, an
 * optional UTF-8 byte-order mark.  A header line is required; its second
 * field names the column.  A tab-separated file (no comma in the header)
 * is accepted too.  Extra columns are ignored.
 *
 * Rules: an empty label means "missing" (code -1); a barcode listed twice
 * is an error naming both lines (which label would win is not ours to
 * guess); barcodes that are not cells are counted and a few are reported,
 * as are cells without a row.  A file none of whose barcodes match is an
 * error: that is almost always the wrong file.
 */
#include "io/scm-io.h"
#include "scm-error.h"

#include <string.h>

void
scm_labels_report_clear (ScmLabelsReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->unmatched_examples, g_strfreev);
  memset (report, 0, sizeof *report);
}

typedef struct {
  const char *p, *end;
  char        sep;
  gint64      line;    /* 1-based line of the cursor */
} Csv;

/* Parses one record into fields (GPtrArray of char*).  Returns FALSE at end
 * of input.  *start_line gets the line the record began on. */
static gboolean
csv_record (Csv *c, GPtrArray *fields, gint64 *start_line, const char *path, GError **error)
{
  g_ptr_array_set_size (fields, 0);
  if (c->p >= c->end)
    return FALSE;
  *start_line = c->line;
  GString *f = g_string_new (NULL);
  gboolean done = FALSE;
  while (!done)
    {
      g_string_truncate (f, 0);
      gboolean quoted = FALSE;
      /* skip leading blanks of an unquoted field */
      while (c->p < c->end && (*c->p == ' ') && c->sep != ' ')
        c->p++;
      if (c->p < c->end && *c->p == '"')
        {
          quoted = TRUE;
          c->p++;
          for (;;)
            {
              if (c->p >= c->end)
                {
                  g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                               "%s: line %" G_GINT64_FORMAT ": unterminated quoted field",
                               path, *start_line);
                  g_string_free (f, TRUE);
                  return FALSE;
                }
              char ch = *c->p++;
              if (ch == '"')
                {
                  if (c->p < c->end && *c->p == '"')
                    {
                      g_string_append_c (f, '"');
                      c->p++;
                      continue;
                    }
                  break;
                }
              if (ch == '\n')
                c->line++;
              g_string_append_c (f, ch);
            }
        }
      /* rest of the field (unquoted text, or junk after a closing quote) */
      while (c->p < c->end && *c->p != c->sep && *c->p != '\n' && *c->p != '\r')
        {
          if (!quoted)
            g_string_append_c (f, *c->p);
          c->p++;
        }
      if (!quoted)
        while (f->len > 0 && (f->str[f->len - 1] == ' ' || f->str[f->len - 1] == '\t'))
          g_string_truncate (f, f->len - 1);
      /* labels end up in the UI and in JSON: never keep invalid UTF-8 */
      g_ptr_array_add (fields, g_utf8_validate (f->str, (gssize) f->len, NULL)
                               ? g_strndup (f->str, f->len)
                               : g_utf8_make_valid (f->str, (gssize) f->len));
      if (c->p < c->end && *c->p == c->sep)
        {
          c->p++;
          continue;
        }
      /* end of record: CRLF, LF, lone CR or end of input */
      if (c->p < c->end && *c->p == '\r')
        c->p++;
      if (c->p < c->end && *c->p == '\n')
        c->p++;
      c->line++;
      done = TRUE;
    }
  g_string_free (f, TRUE);
  return TRUE;
}

static gboolean
blank_record (GPtrArray *fields)
{
  return fields->len == 1 && ((char *) fields->pdata[0])[0] == '\0';
}

gboolean
scm_labels_join_csv (ScmDataset *ds, const char *csv_path, const char *column,
                     ScmLabelsReport *report, GError **error)
{
  g_return_val_if_fail (ds != NULL && csv_path != NULL, FALSE);
  if (report)
    memset (report, 0, sizeof *report);
  g_autofree char *text = NULL;
  gsize len = 0;
  GError *local = NULL;
  if (!g_file_get_contents (csv_path, &text, &len, &local))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot read: %s", csv_path, local->message);
      g_error_free (local);
      return FALSE;
    }
  Csv c = { text, text + len, ',', 1 };
  if (len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    c.p += 3;
  if (memchr (c.p, '\0', (gsize) (c.end - c.p)) != NULL)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_FORMAT, "%s: not a text file (CSV expected)", csv_path);
      return FALSE;
    }
  /* header: comma-separated unless the first line only has tabs */
  const char *eol = memchr (c.p, '\n', (gsize) (c.end - c.p));
  const char *hend = eol ? eol : c.end;
  if (memchr (c.p, ',', (gsize) (hend - c.p)) == NULL && memchr (c.p, '\t', (gsize) (hend - c.p)))
    c.sep = '\t';
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  gint64 line = 0;
  do
    {
      if (!csv_record (&c, fields, &line, csv_path, error))
        {
          if (error && *error)
            return FALSE;
          g_set_error (error, SCM_ERROR, SCM_ERROR_FORMAT, "%s: the file is empty", csv_path);
          return FALSE;
        }
    }
  while (blank_record (fields));
  if (fields->len < 2)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_FORMAT,
                   "%s: line %" G_GINT64_FORMAT ": the header needs two columns "
                   "(barcode,<label name>)", csv_path, line);
      return FALSE;
    }
  g_autofree char *name = g_strdup (column && column[0] ? column
                                    : ((char *) fields->pdata[1])[0] ? fields->pdata[1] : "labels");

  g_autoptr (GHashTable) cell_of = g_hash_table_new (g_str_hash, g_str_equal);
  for (gint64 i = 0; i < ds->n_cells; i++)
    g_hash_table_insert (cell_of, ds->barcodes[i], GSIZE_TO_POINTER ((gsize) i + 1));
  g_autofree gint64 *row_line = g_new0 (gint64, MAX (ds->n_cells, 1));  /* 0 = no row */
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  const char **labels = g_new0 (const char *, MAX (ds->n_cells, 1));
  g_autoptr (GPtrArray) examples = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) unmatched_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 n_rows = 0, n_matched = 0, n_unmatched = 0, n_labelled = 0;
  gboolean ok = TRUE;
  while (ok && csv_record (&c, fields, &line, csv_path, error))
    {
      if (blank_record (fields))
        continue;
      if (fields->len < 2)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "%s: line %" G_GINT64_FORMAT ": expected barcode%clabel, found one field",
                       csv_path, line, c.sep);
          ok = FALSE;
          break;
        }
      n_rows++;
      const char *bc = fields->pdata[0];
      const char *lab = fields->pdata[1];
      gpointer v = g_hash_table_lookup (cell_of, bc);
      if (v == NULL)
        {
          if (g_hash_table_contains (unmatched_seen, bc))
            {
              g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                           "%s: line %" G_GINT64_FORMAT ": barcode \"%s\" is listed twice",
                           csv_path, line, bc);
              ok = FALSE;
              break;
            }
          g_hash_table_add (unmatched_seen, g_strdup (bc));
          n_unmatched++;
          if (examples->len < 5)
            g_ptr_array_add (examples, g_strdup (bc));
          continue;
        }
      gint64 cell = (gint64) GPOINTER_TO_SIZE (v) - 1;
      if (row_line[cell])
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "%s: line %" G_GINT64_FORMAT ": barcode \"%s\" is listed twice (first on "
                       "line %" G_GINT64_FORMAT ")", csv_path, line, bc, row_line[cell]);
          ok = FALSE;
          break;
        }
      row_line[cell] = line;
      n_matched++;
      if (lab[0] != '\0')
        {
          char *copy = g_strdup (lab);
          g_ptr_array_add (keep, copy);
          labels[cell] = copy;
          n_labelled++;
        }
    }
  if (ok && error && *error)
    ok = FALSE;
  if (ok && n_rows > 0 && n_matched == 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND,
                   "%s: none of the %" G_GINT64_FORMAT " barcodes match a cell of the dataset "
                   "(first: \"%s\"; cells look like \"%s\")", csv_path, n_rows,
                   examples->len ? (char *) examples->pdata[0] : "",
                   ds->n_cells ? ds->barcodes[0] : "");
      ok = FALSE;
    }
  if (ok)
    {
      if (n_labelled > 0)
        scm_dataset_set_obs (ds, scm_column_new_from_labels (name, ds->n_cells, labels));
      else
        {
          /* every matched label is empty: an all-missing column with no
           * categories (built here: sorting zero categories is not needed) */
          gint32 *codes = g_new (gint32, MAX (ds->n_cells, 1));
          for (gint64 i = 0; i < ds->n_cells; i++)
            codes[i] = -1;
          scm_dataset_set_obs (ds, scm_column_new_categorical (name, ds->n_cells, codes, NULL));
        }
      if (report)
        {
          report->n_rows = n_rows;
          report->n_matched = n_matched;
          report->n_unmatched = n_unmatched;
          for (gint64 i = 0; i < ds->n_cells; i++)
            report->n_cells_unlabelled += row_line[i] == 0;
          g_ptr_array_add (examples, NULL);
          report->unmatched_examples = (char **) g_ptr_array_steal (examples, NULL);
        }
    }
  g_free (labels);
  return ok;
}
