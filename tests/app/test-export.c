/* test-export.c: labels CSV + log, images, and the annotated h5ad, each read
 * back (suite app, no display). */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "analysis/scm-graph.h"
#include "analysis/scm-knn.h"
#include "io/scm-io.h"
#include "scm-error.h"
#include "scm-export.h"
#include "scm-test-util.h"

enum { N = 40, G = 6 };

/* A small dataset with raw counts: cluster c cells express gene c strongly. */
static ScmDataset *
make_dataset (const char *path)
{
  ScmDataset *ds = scm_dataset_new ();
  ds->path = g_strdup (path);
  ds->n_cells = N;
  ds->barcodes = g_new0 (char *, N + 1);
  for (int i = 0; i < N; i++)
    ds->barcodes[i] = g_strdup_printf ("AAAC%02d-1", i);
  ds->rna = scm_modality_new (SCM_MODALITY_RNA);
  g_assert_true (scm_csr_alloc (&ds->rna->X, N, G, N * G, NULL));
  gint64 k = 0;
  for (int i = 0; i < N; i++)
    {
      for (int j = 0; j < G; j++)
        {
          ds->rna->X.indices[k] = j;
          ds->rna->X.data[k] = (float) (1 + (j == i % 4 ? 20 : 0) + (i * 7 + j) % 3);
          k++;
        }
      ds->rna->X.indptr[i + 1] = k;
    }
  ds->rna->is_counts = TRUE;
  ds->rna->names = g_new0 (char *, G + 1);
  ds->rna->ids = g_new0 (char *, G + 1);
  for (int j = 0; j < G; j++)
    {
      ds->rna->names[j] = g_strdup_printf ("GENE%d", j);
      ds->rna->ids[j] = g_strdup_printf ("ENSG%d", j);
    }
  return ds;
}

static ScmAnnotations *
make_annotations (gint32 *clusters)
{
  for (int i = 0; i < N; i++)
    clusters[i] = i % 4;
  ScmAnnotations *a = scm_annotations_new (N, clusters, 4, NULL);
  scm_annotations_rename_cluster (a, 0, "CD4 T, naive", NULL, NULL);
  const gint32 m[] = { 1, 2 };
  scm_annotations_merge_clusters (a, m, 2, "Mono", NULL, NULL);
  return a;
}

static void
test_labels_csv (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "labels.csv", NULL);
  gint32 clusters[N];
  ScmAnnotations *a = make_annotations (clusters);
  g_autoptr (ScmDataset) ds = make_dataset ("/nonexistent/in.h5ad");
  GError *error = NULL;
  g_assert_true (scm_export_labels_csv (a, ds->barcodes, path, &error));
  g_assert_no_error (error);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "barcode,label,cluster");
  g_assert_cmpstr (lines[1], ==, "AAAC00-1,\"CD4 T, naive\",0");
  g_assert_cmpstr (lines[2], ==, "AAAC01-1,Mono,1");
  g_assert_cmpstr (lines[3], ==, "AAAC02-1,Mono,1");   /* merged: cluster 2 -> 1 */
  g_assert_cmpstr (lines[4], ==, "AAAC03-1,3,3");
  g_assert_cmpuint (g_strv_length (lines), ==, N + 2);
  /* The log is beside it. */
  g_autofree char *log_path = scm_export_log_path (path);
  g_assert_true (g_str_has_suffix (log_path, "labels-log.csv"));
  g_autofree char *log = NULL;
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_true (g_str_has_prefix (log, "index,time,operation,source,description,cells\n"));
  g_assert_nonnull (strstr (log, ",merge,user,"));
  /* Read the export back: the engine's CSV join labels every cell. */
  ScmLabelsReport report = { 0 };
  g_assert_true (scm_labels_join_csv (ds, path, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report.n_matched, ==, N);
  g_assert_cmpint (report.n_cells_unlabelled, ==, 0);
  const ScmColumn *col = scm_dataset_get_obs (ds, "label");
  g_assert_nonnull (col);
  for (int i = 0; i < N; i++)
    {
      g_autofree char *v = scm_column_value_string (col, i);
      g_assert_cmpstr (v, ==, scm_annotations_get_label (a, i));
    }
  scm_labels_report_clear (&report);
  g_assert_finalize_object (a);
  scm_test_rmdir (dir);
}

static void
test_images (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  ScmScatterModel *m = scm_scatter_model_new ();
  float xy[2 * 500];
  gint32 codes[500];
  for (int i = 0; i < 500; i++)
    {
      xy[2 * i] = (float) cos (i * 0.1) * (1 + i % 3);
      xy[2 * i + 1] = (float) sin (i * 0.1) * (1 + i % 3);
      codes[i] = i % 3;
    }
  const char *cats[] = { "T", "B", "NK" };
  scm_scatter_model_set_positions (m, xy, 500);
  scm_scatter_model_set_categories (m, "cell_type", codes, cats, 3);
  ScmScatterViewport vp;
  scm_scatter_viewport_reset (&vp, scm_scatter_model_get_bounds (m));
  const char *names[] = { "view.png", "view.svg", "view.PDF" };
  const char *magic[] = { "\x89PNG", "<?xml", "%PDF" };
  for (int f = 0; f < 3; f++)
    {
      g_autofree char *path = g_build_filename (dir, names[f], NULL);
      ScmImageFormat fmt;
      g_assert_true (scm_export_image_format_from_path (path, &fmt));
      GError *error = NULL;
      g_assert_true (scm_export_scatter_image (m, &vp, 640, 480, 3.0f, "UMAP", path, fmt, &error));
      g_assert_no_error (error);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      g_assert_cmpuint (len, >, 1000);
      g_assert_true (memcmp (data, magic[f], strlen (magic[f])) == 0);
    }
  /* The PNG reads back at the right size, with the three palette colours. */
  g_autofree char *png = g_build_filename (dir, "view.png", NULL);
  cairo_surface_t *s = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 640);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 480);
  const guint32 *p = (const guint32 *) cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s) / 4, found[3] = { 0 };
  for (int y = 0; y < 480; y++)
    for (int x = 0; x < 450; x++)
      for (int c = 0; c < 3; c++)
        found[c] += p[y * stride + x] == scm_colormap_categorical (c);
  for (int c = 0; c < 3; c++)
    g_assert_cmpint (found[c], >, 100);
  cairo_surface_destroy (s);
  ScmImageFormat fmt;
  g_assert_false (scm_export_image_format_from_path ("x.jpg", &fmt));
  g_assert_finalize_object (m);
  scm_test_rmdir (dir);
}

static void
test_h5ad (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *in_path = g_build_filename (dir, "in.h5ad", NULL);
  g_autofree char *out_path = g_build_filename (dir, "annotated.h5ad", NULL);
  g_autoptr (ScmDataset) ds = make_dataset (in_path);
  gint32 clusters[N];
  ScmAnnotations *a = make_annotations (clusters);
  float umap[2 * N];
  for (int i = 0; i < 2 * N; i++)
    umap[i] = (float) i * 0.5f;
  GError *error = NULL;
  g_autoptr (ScmMatrix) rep = scm_matrix_new ("X_pca", N, 3, &error);
  /* Four groups of cells (as the clusters), each spread a little. */
  for (int i = 0; i < N * 3; i++)
    rep->data[i] = (float) ((i / 3) % 4) * 10.0f + sinf ((float) i * 1.3f);
  /* The clustering graph as the app builds it (k = 20 incl. self). */
  ScmKnnOptions ko;
  scm_knn_options_init (&ko);
  ko.k = 20;
  ScmKnn knn = { 0 };
  ScmGraph graph = { 0 };
  g_assert_true (scm_knn_compute (rep->data, N, 3, &ko, &knn, &error));
  g_assert_true (scm_graph_umap_connectivities (&knn, &graph, &error));
  g_assert_no_error (error);
  ScmNeighborsParams np = { 20, SCM_METRIC_EUCLIDEAN, "X_pca", "exact", 0 };
  ScmUmapRecord ur;
  scm_umap_record_init (&ur, NULL, 15);
  ur.n_threads = 2;
  ScmExportH5adInput in = {
    .ds = ds, .representation = rep, .umap = umap, .umap_record = &ur, .clusters = clusters,
    .n_clusters = 4,
    .annotations = a, .markers = TRUE, .knn = &knn, .graph = &graph, .neighbors = &np,
  };
  /* The input has no graph of its own: whatever obsp the export has, it wrote. */
  g_assert_null (scm_dataset_get_obsp (ds, "connectivities"));
  g_assert_null (scm_uns_get (ds->uns, "neighbors"));
  /* Never over the input. */
  g_assert_false (scm_export_h5ad (&in, in_path, NULL, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (g_file_test (in_path, G_FILE_TEST_EXISTS));

  g_assert_true (scm_export_h5ad (&in, out_path, NULL, &error));
  g_assert_no_error (error);
  /* Read it back with the engine's reader. */
  g_autoptr (ScmDataset) back = scm_dataset_read (out_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->n_cells, ==, N);
  g_assert_cmpstr (back->barcodes[5], ==, "AAAC05-1");
  const ScmColumn *ann = scm_dataset_get_obs (back, "annotation");
  const ScmColumn *leiden = scm_dataset_get_obs (back, "leiden");
  g_assert_nonnull (ann);
  g_assert_nonnull (leiden);
  for (int i = 0; i < N; i++)
    {
      g_autofree char *v = scm_column_value_string (ann, i);
      g_autofree char *c = scm_column_value_string (leiden, i);
      g_assert_cmpstr (v, ==, scm_annotations_get_label (a, i));
      g_assert_cmpint (atoi (c), ==, i % 4);
    }
  const ScmMatrix *u = scm_dataset_get_obsm (back, "X_umap");
  g_assert_nonnull (u);
  g_assert_cmpfloat (u->data[7], ==, 3.5f);
  g_assert_nonnull (scm_dataset_get_obsm (back, "X_pca"));
  /* Markers: cluster 0 cells are high in GENE0. */
  ScmUnsNode *rgg = scm_uns_get (back->uns, "rank_genes_groups");
  g_assert_nonnull (rgg);
  ScmUnsNode *names = scm_uns_get (rgg, "names");
  g_assert_nonnull (names);
  ScmUnsNode *g0 = scm_uns_get (names, "0");
  g_assert_nonnull (g0);
  g_assert_cmpstr (g0->strings[0], ==, "GENE0");
  g_assert_nonnull (scm_uns_get (back->uns, "annotation_log"));

  /* The neighbour graph, as Scanpy's `neighbors` leaves it. */
  const ScmPairwise *conn = scm_dataset_get_obsp (back, "connectivities");
  const ScmPairwise *dist = scm_dataset_get_obsp (back, "distances");
  g_assert_nonnull (conn);
  g_assert_nonnull (dist);
  g_assert_cmpint (conn->X.n_rows, ==, N);
  g_assert_cmpint (conn->X.n_cols, ==, N);
  g_assert_cmpint (dist->X.n_rows, ==, N);
  g_assert_cmpint (dist->X.n_cols, ==, N);
  g_assert_cmpint (conn->X.indptr[N], ==, scm_graph_nnz (&graph));
  g_assert_cmpint (conn->X.indptr[N], >=, (gint64) N * 19);
  for (gint64 i = 0; i < N; i++)
    {
      /* distances: the 19 other neighbours of each cell */
      g_assert_cmpint (dist->X.indptr[i + 1] - dist->X.indptr[i], ==, 19);
      for (gint64 p = conn->X.indptr[i]; p < conn->X.indptr[i + 1]; p++)
        {
          gint32 j = conn->X.indices[p];
          float w = conn->X.data[p];
          g_assert_cmpint (j, !=, i);
          g_assert_cmpfloat (w, >, 0.0f);
          g_assert_cmpfloat (w, <=, 1.0f);
          g_assert_cmpint (j, ==, graph.indices[p]);
          g_assert_cmpfloat (w, ==, (float) graph.weights[p]);
          /* symmetric: (j, i) holds the same weight */
          gboolean found = FALSE;
          for (gint64 q = conn->X.indptr[j]; q < conn->X.indptr[j + 1]; q++)
            if (conn->X.indices[q] == i)
              {
                g_assert_cmpfloat (conn->X.data[q], ==, w);
                found = TRUE;
              }
          g_assert_true (found);
        }
    }
  ScmUnsNode *nb = scm_uns_get (back->uns, "neighbors");
  g_assert_nonnull (nb);
  ScmUnsNode *ck = scm_uns_get (nb, "connectivities_key");
  ScmUnsNode *dk = scm_uns_get (nb, "distances_key");
  ScmUnsNode *params = scm_uns_get (nb, "params");
  g_assert_nonnull (ck);
  g_assert_nonnull (dk);
  g_assert_nonnull (params);
  g_assert_cmpstr (ck->string, ==, "connectivities");
  g_assert_cmpstr (dk->string, ==, "distances");
  ScmUnsNode *nn = scm_uns_get (params, "n_neighbors");
  g_assert_nonnull (nn);
  g_assert_cmpint (nn->ints[0], ==, 20);
  g_assert_cmpstr (scm_uns_get (params, "method")->string, ==, "umap");
  g_assert_cmpstr (scm_uns_get (params, "metric")->string, ==, "euclidean");
  g_assert_cmpstr (scm_uns_get (params, "use_rep")->string, ==, "X_pca");
  ScmUnsNode *up = scm_uns_get (scm_uns_get (back->uns, "umap"), "params");
  g_assert_nonnull (up);
  g_assert_cmpfloat_with_epsilon (scm_uns_get (up, "b")->floats[0], 0.8951, 1e-3);
  g_assert_true (scm_uns_get (up, "b")->scalar);
  g_assert_cmpint (scm_uns_get (up, "n_threads")->ints[0], ==, 2);
  /* The input file was never written. */
  g_assert_false (g_file_test (in_path, G_FILE_TEST_EXISTS));

  /* Without a graph there is none in the file. */
  g_autofree char *bare_path = g_build_filename (dir, "bare.h5ad", NULL);
  in.knn = NULL;
  in.graph = NULL;
  in.neighbors = NULL;
  in.umap_record = NULL;
  g_assert_true (scm_export_h5ad (&in, bare_path, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (ScmDataset) bare = scm_dataset_read (bare_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (scm_dataset_get_obsp (bare, "connectivities"));
  g_assert_null (scm_uns_get (bare->uns, "neighbors"));
  g_assert_null (scm_uns_get (bare->uns, "umap"));

  scm_knn_clear (&knn);
  scm_graph_clear (&graph);
  g_assert_finalize_object (a);
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/export/labels-csv", test_labels_csv);
  g_test_add_func ("/app/export/images", test_images);
  g_test_add_func ("/app/export/h5ad", test_h5ad);
  return g_test_run ();
}
