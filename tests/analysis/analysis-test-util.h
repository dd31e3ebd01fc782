/* analysis-test-util.h: shared helpers of the analysis tests.
 *
 * The real embedding every parity test uses is the per-protein CLR of
 * pbmc10k's 14 ADT counts (6855 x 14), read straight from the shared 10x
 * file so these tests do not wait on the dataset readers; the fixture
 * script tests/fixtures/analysis/gen_analysis_fixtures.py computes the
 * same matrix in numpy and the reference results from it.
 */
#pragma once

#include <glib.h>

#include "analysis/scm-graph.h"

G_BEGIN_DECLS

/* (n, d) float32 CLR embedding; NULL (test skipped) if the shared data is absent. */
float  *atest_pbmc10k_clr (gint64 *n, gint64 *d);
/* Rows r with r % stride == 0. */
float  *atest_subsample   (const float *X, gint64 n, gint64 d, gint64 stride, gint64 *n_out);
/* A scalar from tests/fixtures/analysis/ref_scalars.txt (asserts it exists). */
double  atest_ref_scalar  (const char *key);
/* Text of tests/fixtures/analysis/<name> (asserts it is readable). */
char   *atest_fixture_text (const char *name);
/* Adjusted Rand index of two labelings with labels in [0, n). */
double  atest_ari         (const gint32 *a, const gint32 *b, gint64 n);
/* Exact kNN (k) + UMAP connectivities of X, asserting success. */
void    atest_graph_of    (const float *X, gint64 n, gint64 d, int k, ScmGraph *g);
/* Uniform random data in [0, 1) from a seed. */
float  *atest_random      (gint64 n, gint64 d, guint64 seed);

G_END_DECLS
