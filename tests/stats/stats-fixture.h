/* stats-fixture.h: tiny readers for the text fixtures in tests/fixtures/stats. */
#pragma once

#include <glib.h>

/* Whole file split into lines (GStrv); asserts it exists. */
char  **stats_fixture_lines (const char *rel);
/* Numbers of a whitespace-separated line into a new array (*n set). */
double *stats_parse_doubles (const char *line, gint64 *n);
/* Dense float table (rows of tab-separated numbers). */
float  *stats_fixture_floats (const char *rel, gint64 *n_rows, gint64 *n_cols);
/* Looks up "name<TAB>case<TAB>value" in an expected-values file. */
double  stats_expected (char **lines, const char *name, const char *kase);
/* |a - b| <= rel * |b| + abs_tol, with a message naming the quantity. */
void    stats_assert_close (const char *what, double a, double b, double rel, double abs_tol);
