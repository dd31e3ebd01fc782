/* stats-fixture.c: text fixture readers for the stats tests. */
#include "stats-fixture.h"

#include "scm-test-util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

char **
stats_fixture_lines (const char *rel)
{
  g_autofree char *path = scm_test_fixture_path (rel);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  char **lines = g_strsplit (text, "\n", -1);
  /* drop a trailing empty line */
  guint n = g_strv_length (lines);
  if (n > 0 && lines[n - 1][0] == '\0')
    {
      g_free (lines[n - 1]);
      lines[n - 1] = NULL;
    }
  return lines;
}

double *
stats_parse_doubles (const char *line, gint64 *n)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (double));
  const char *p = line;
  while (*p)
    {
      char *end;
      double v = g_ascii_strtod (p, &end);
      if (end == p)
        {
          p++;
          continue;
        }
      g_array_append_val (a, v);
      p = end;
    }
  *n = a->len;
  return (double *) g_array_free (a, FALSE);
}

float *
stats_fixture_floats (const char *rel, gint64 *n_rows, gint64 *n_cols)
{
  g_auto (GStrv) lines = stats_fixture_lines (rel);
  gint64 rows = g_strv_length (lines), cols = -1;
  float *out = NULL;
  for (gint64 r = 0; r < rows; r++)
    {
      gint64 n;
      g_autofree double *v = stats_parse_doubles (lines[r], &n);
      if (cols < 0)
        {
          cols = n;
          out = g_new (float, rows * cols);
        }
      g_assert_cmpint (n, ==, cols);
      for (gint64 c = 0; c < cols; c++)
        out[r * cols + c] = (float) v[c];
    }
  *n_rows = rows;
  *n_cols = cols;
  return out;
}

double
stats_expected (char **lines, const char *name, const char *kase)
{
  for (char **l = lines; *l; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, "\t", 3);
      if (g_strv_length (f) == 3 && strcmp (f[0], name) == 0 && strcmp (f[1], kase) == 0)
        return g_ascii_strtod (f[2], NULL);
    }
  g_error ("fixture has no value for %s / %s", name, kase);
  return NAN;
}

void
stats_assert_close (const char *what, double a, double b, double rel, double abs_tol)
{
  double diff = fabs (a - b);
  if (!(diff <= rel * fabs (b) + abs_tol))
    g_error ("%s: got %.17g, expected %.17g (diff %.3g)", what, a, b, diff);
}
