/* test-interop.c: files written by scm_h5ad_write() open in anndata.
 *
 * Each test writes a file with our writer, then runs Debian's
 * /usr/bin/python3 on tests/interop/check_h5ad.py, which reads it with
 * anndata.read_h5ad and checks shapes, names, column kinds, categories,
 * obsm, uns and sums given on its command line.  Tests skip (TAP "ok #
 * SKIP") when /usr/bin/python3 or anndata is missing.
 */
#include "io/scm-io.h"
#include "preprocess/scm-preprocess.h"
#include "scm-error.h"
#include "scm-test-synth.h"
#include "scm-test-util.h"

#include <string.h>

#define PYTHON "/usr/bin/python3"

static gboolean
have_anndata (void)
{
  static int cached = -1;
  if (cached < 0)
    {
      int status = 1;
      const char *argv[] = { PYTHON, "-c", "import anndata", NULL };
      cached = g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE)
               && g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                NULL, NULL, &status, NULL)
               && g_spawn_check_wait_status (status, NULL);
    }
  if (!cached)
    g_test_skip ("/usr/bin/python3 with anndata is not available");
  return cached;
}

/* Runs check_h5ad.py FILE checks...; asserts it exits 0. */
static void
check_with_anndata (const char *file, const char *const *checks)
{
  g_autofree char *script = g_build_filename (SCM_TEST_SRCDIR, "check_h5ad.py", NULL);
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) PYTHON);
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, (gpointer) file);
  for (int i = 0; checks[i]; i++)
    g_ptr_array_add (argv, (gpointer) checks[i]);
  g_ptr_array_add (argv, NULL);
  g_autofree char *out = NULL, *err_text = NULL;
  int status = -1;
  g_autoptr (GError) err = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err_text, &status, &err));
  g_assert_no_error (err);
  g_ptr_array_unref (argv);
  g_test_message ("anndata: %s", out);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("stderr: %s", err_text);
      g_test_fail_printf ("anndata check failed on %s: %s", file, out);
    }
}

static double
csr_sum (const ScmCsr *m)
{
  double s = 0;
  for (gint64 k = 0; k < scm_csr_nnz (m); k++)
    s += m->data[k];
  return s;
}

static void
test_synthetic (void)
{
  if (!have_anndata ())
    return;
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "synth.h5ad", NULL);
  g_autoptr (ScmDataset) ds = scm_test_synth_dataset (40, 25, 3);
  g_autoptr (GError) err = NULL;
  g_assert_true (scm_h5ad_write (ds, path, &err));
  g_assert_no_error (err);
  double adt_sum = csr_sum (&ds->adt->X);
  g_autofree char *xsum = g_strdup_printf ("xsum=%.17g", csr_sum (&ds->rna->X));
  g_autofree char *psum = g_strdup_printf ("obsmsum=protein_expression:%.17g", adt_sum);
  const char *checks[] = {
    "shape=40x25", "var0=GENE0", "obs0=CELL0000-1",
    "obs=cell_type:category,cluster300:category,score:float,is_doublet:bool,donor:str",
    "cats=cell_type:B|NK|T", "codes=cell_type:3:B", "codes=cell_type:1:nan",
    "codes=donor:1:donor-B", "codes=is_doublet:4:True", "codes=cluster300:5:c035",
    "codes=cluster300:39:c273",
    "obsm=X_umap:40x2,protein_expression:40x3",
    "uns=notes,params,protein_names", "unsstr=notes:synthetic dataset, µ-test ✓",
    "protein_names=CD4|CD8|CD12", xsum, psum, NULL,
  };
  check_with_anndata (path, checks);
  scm_test_rmdir (dir);
}

static void
test_protein_only (void)
{
  if (!have_anndata ())
    return;
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "adt.h5ad", NULL);
  g_autoptr (ScmDataset) ds = scm_test_synth_dataset (12, 4, 5);
  g_clear_pointer (&ds->rna, scm_modality_free);
  g_autoptr (GError) err = NULL;
  g_assert_true (scm_h5ad_write (ds, path, &err));
  const char *checks[] = { "shape=12x5", "var0=CD4", "protein_names=CD4|CD8|CD12|CD16|CD20", NULL };
  check_with_anndata (path, checks);
  scm_test_rmdir (dir);
}

static void
test_preprocessed_pbmc3k (void)
{
  if (!have_anndata ())
    return;
  g_autofree char *in = scm_test_shared_path ("pbmc3k/pbmc3k.h5ad");
  if (in == NULL)
    return;
  g_autoptr (GError) err = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (in, NULL, &err);
  g_assert_no_error (err);
  ScmPreprocessOptions o;
  scm_preprocess_options_init (&o);
  o.hvg.n_top = 2000;
  g_autoptr (ScmDataset) pp = scm_preprocess_run (ds, &o, NULL, &err);
  g_assert_no_error (err);
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "pbmc3k-pp.h5ad", NULL);
  g_assert_true (scm_h5ad_write (pp, path, &err));
  g_assert_no_error (err);
  g_autofree char *shape = g_strdup_printf ("shape=%" G_GINT64_FORMAT "x2000", pp->n_cells);
  g_autofree char *var0 = g_strdup_printf ("var0=%s", pp->rna->names[0]);
  g_autofree char *xsum = g_strdup_printf ("xsum=%.17g", csr_sum (&pp->rna->X));
  const char *checks[] = {
    shape, var0, "obs0=AAACATACAACCAC",
    "obs=cell_type:category,total_counts:float,n_genes_by_counts:float,pct_counts_mt:float",
    "obsm=X_umap:2638x2", "uns=preprocess", "unsstr=preprocess/hvg_flavor:seurat_v3", xsum, NULL,
  };
  check_with_anndata (path, checks);
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/interop/h5ad/synthetic", test_synthetic);
  g_test_add_func ("/interop/h5ad/protein-only", test_protein_only);
  g_test_add_func ("/interop/h5ad/preprocessed-pbmc3k", test_preprocessed_pbmc3k);
  return g_test_run ();
}
