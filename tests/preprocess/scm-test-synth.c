/* scm-test-synth.c: see scm-test-synth.h. */
#include "scm-test-synth.h"

#include <math.h>

ScmDataset *
scm_test_synth_dataset (gint64 n, gint64 g, gint64 p)
{
  ScmDataset *ds = scm_dataset_new ();
  ds->n_cells = n;
  ds->format = g_strdup ("synthetic");
  g_strfreev (ds->barcodes);
  ds->barcodes = g_new0 (char *, n + 1);
  for (gint64 i = 0; i < n; i++)
    ds->barcodes[i] = g_strdup_printf ("CELL%04d-1", (int) i);

  ds->rna = scm_modality_new (SCM_MODALITY_RNA);
  ScmCsr *X = &ds->rna->X;
  gint64 nnz = 0;
  for (gint64 i = 0; i < n; i++)
    for (gint64 j = 0; j < g; j++)
      nnz += (i * 7 + j * 3) % 5 != 0;
  g_assert (scm_csr_alloc (X, n, g, nnz, NULL));
  gint64 k = 0;
  for (gint64 i = 0; i < n; i++)
    {
      for (gint64 j = 0; j < g; j++)
        if ((i * 7 + j * 3) % 5 != 0)
          {
            X->indices[k] = (gint32) j;
            X->data[k++] = (float) (1 + (i * 13 + j * 5) % 9);
          }
      X->indptr[i + 1] = k;
    }
  ds->rna->names = g_new0 (char *, g + 1);
  ds->rna->ids = g_new0 (char *, g + 1);
  for (gint64 j = 0; j < g; j++)
    {
      ds->rna->names[j] = g_strdup_printf ("GENE%d", (int) j);
      ds->rna->ids[j] = g_strdup_printf ("ENSG%011d", (int) j);
    }
  ds->rna->is_counts = TRUE;
  ds->rna->source = g_strdup ("X");

  if (p > 0)
    {
      ds->adt = scm_modality_new (SCM_MODALITY_ADT);
      g_assert (scm_csr_alloc (&ds->adt->X, n, p, n * p, NULL));
      for (gint64 i = 0; i < n; i++)
        {
          for (gint64 j = 0; j < p; j++)
            {
              ds->adt->X.indices[i * p + j] = (gint32) j;
              ds->adt->X.data[i * p + j] = (float) (1 + (i * 3 + j * 11) % 50);
            }
          ds->adt->X.indptr[i + 1] = (i + 1) * p;
        }
      ds->adt->names = g_new0 (char *, p + 1);
      ds->adt->ids = g_new0 (char *, p + 1);
      for (gint64 j = 0; j < p; j++)
        {
          ds->adt->names[j] = g_strdup_printf ("CD%d", (int) (j + 1) * 4);
          ds->adt->ids[j] = g_strdup_printf ("CD%d_TotalSeqB", (int) (j + 1) * 4);
        }
      ds->adt->is_counts = TRUE;
      ds->adt->source = g_strdup ("obsm/protein_expression");
    }

  static const char *types[] = { "B", "NK", "T" };
  const char **lab = g_new (const char *, n);
  for (gint64 i = 0; i < n; i++)
    lab[i] = i == 1 ? NULL : types[i % 3];
  scm_dataset_set_obs (ds, scm_column_new_from_labels ("cell_type", n, lab));
  g_free (lab);
  double *score = g_new (double, n);
  guint8 *flag = g_new (guint8, n);
  char **donor = g_new0 (char *, n + 1);
  for (gint64 i = 0; i < n; i++)
    {
      score[i] = i == 2 ? NAN : 0.5 * (double) i;
      flag[i] = i % 4 == 0;
      donor[i] = g_strdup_printf ("donor-%c", 'A' + (int) (i % 2));
    }
  /* More than 127 categories: codes need int16 on disk. */
  gint32 *many = g_new (gint32, MAX (n, 1));
  char **cats = g_new0 (char *, 301);
  for (int c = 0; c < 300; c++)
    cats[c] = g_strdup_printf ("c%03d", c);
  for (gint64 i = 0; i < n; i++)
    many[i] = (gint32) ((i * 7) % 300);
  scm_dataset_set_obs (ds, scm_column_new_categorical ("cluster300", n, many, cats));
  scm_dataset_set_obs (ds, scm_column_new_numeric ("score", n, score));
  scm_dataset_set_obs (ds, scm_column_new_bool ("is_doublet", n, flag));
  scm_dataset_set_obs (ds, scm_column_new_string ("donor", n, donor));

  ScmMatrix *umap = scm_matrix_new ("X_umap", n, 2, NULL);
  for (gint64 i = 0; i < n * 2; i++)
    umap->data[i] = (float) i * 0.25f - 3.0f;
  scm_dataset_set_obsm (ds, umap);

  scm_uns_set (ds->uns, scm_uns_string_new ("notes", "synthetic dataset, µ-test ✓"));
  ScmUnsNode *params = scm_uns_group_new ("params");
  double *alpha = g_new (double, 2);
  alpha[0] = 0.5;
  alpha[1] = -1.25;
  scm_uns_set (params, scm_uns_floats_new ("alpha", 2, alpha));
  gint64 *kk = g_new (gint64, 3);
  kk[0] = 15;
  kk[1] = 20;
  kk[2] = -1;
  scm_uns_set (params, scm_uns_ints_new ("k", 3, kk));
  char **tags = g_new0 (char *, 3);
  tags[0] = g_strdup ("first");
  tags[1] = g_strdup ("second");
  scm_uns_set (params, scm_uns_strings_new ("tags", tags));
  scm_uns_set (ds->uns, params);
  return ds;
}
