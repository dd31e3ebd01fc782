/* scm-test-synth.h: a small, fully populated synthetic dataset for writer
 * and interop tests (every column kind, obsm, nested uns, RNA + ADT). */
#pragma once

#include "scm-dataset.h"

/* n cells x g genes of counts, p proteins (0 = none).  Cell i is
 * "CELL%04d-1"; gene j is "GENE%d" with id "ENSG%011d"; obs: cell_type
 * (categorical B/NK/T, cell 1 missing), cluster300 (categorical, 300
 * categories "c000".., cell i = (7 i) % 300), score (numeric, cell 2 NaN),
 * is_doublet (bool), donor (string); obsm X_umap (n x 2); uns: notes
 * (string), params/{alpha (floats), k (ints), tags (strings)}. */
ScmDataset *scm_test_synth_dataset (gint64 n, gint64 g, gint64 p);
