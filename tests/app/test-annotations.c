/* test-annotations.c: the annotation engine: rename/merge/label semantics,
 * undo/redo, the log, session save/restore (with gates), crash-safe writes, autosave
 * (suite app, no display). */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "scm-error.h"
#include "scm-test-util.h"
#include "session/scm-annotations.h"

/* 12 cells in 4 clusters: 0 0 0 1 1 1 2 2 2 3 3 -1 */
static const gint32 base[12] = { 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, -1 };

static ScmAnnotations *
make (void)
{
  GError *error = NULL;
  ScmAnnotations *a = scm_annotations_new (12, base, 4, &error);
  g_assert_no_error (error);
  return a;
}

static void
test_initial (void)
{
  ScmAnnotations *a = make ();
  g_assert_cmpstr (scm_annotations_get_label (a, 0), ==, "0");
  g_assert_cmpstr (scm_annotations_get_label (a, 10), ==, "3");
  g_assert_cmpstr (scm_annotations_get_label (a, 11), ==, "unassigned");
  g_assert_cmpint (scm_annotations_get_cluster_size (a, 1), ==, 3);
  g_assert_false (scm_annotations_can_undo (a));
  g_assert_false (scm_annotations_can_redo (a));
  /* Bad base clustering is refused, not crashed on. */
  GError *error = NULL;
  const gint32 bad[2] = { 0, 9 };
  g_assert_null (scm_annotations_new (2, bad, 4, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_finalize_object (a);
}

static void
test_rename_merge (void)
{
  ScmAnnotations *a = make ();
  GError *error = NULL;
  g_assert_true (scm_annotations_rename_cluster (a, 0, "  CD4 T  ", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (scm_annotations_get_label (a, 1), ==, "CD4 T");  /* stripped */
  g_assert_cmpstr (scm_annotations_get_cluster_name (a, 0), ==, "CD4 T");
  g_assert_cmpstr (scm_annotations_get_label (a, 3), ==, "1");

  /* Merge 2 and 3 into 1 with a new name: all their cells follow. */
  const gint32 m[] = { 1, 2, 3 };
  g_assert_true (scm_annotations_merge_clusters (a, m, 3, "Monocytes", "user", &error));
  g_assert_no_error (error);
  for (int i = 3; i <= 10; i++)
    {
      g_assert_cmpstr (scm_annotations_get_label (a, i), ==, "Monocytes");
      g_assert_cmpint (scm_annotations_get_cluster (a, i), ==, 1);
    }
  g_assert_cmpint (scm_annotations_get_cluster_size (a, 1), ==, 8);
  g_assert_cmpint (scm_annotations_get_cluster_size (a, 2), ==, 0);
  g_assert_cmpint (scm_annotations_get_merged_into (a, 3), ==, 1);
  g_assert_cmpstr (scm_annotations_get_label (a, 11), ==, "unassigned");

  /* A merged-away cluster cannot be renamed or merged again. */
  g_assert_false (scm_annotations_rename_cluster (a, 2, "x", NULL, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "merged into cluster 1"));
  g_clear_error (&error);
  /* Merging one cluster with itself, unknown clusters, empty names: refused. */
  const gint32 same[] = { 0, 0 };
  g_assert_false (scm_annotations_merge_clusters (a, same, 2, NULL, NULL, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (scm_annotations_rename_cluster (a, 7, "x", NULL, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (scm_annotations_rename_cluster (a, 0, "   ", NULL, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (scm_annotations_get_n_ops (a), ==, 2);

  /* Renaming the merged cluster renames all its cells; a merge without a
   * name keeps the target's name. */
  g_assert_true (scm_annotations_rename_cluster (a, 1, "Myeloid", NULL, &error));
  g_assert_cmpstr (scm_annotations_get_label (a, 9), ==, "Myeloid");
  const gint32 m2[] = { 0, 1 };
  g_assert_true (scm_annotations_merge_clusters (a, m2, 2, NULL, NULL, &error));
  g_assert_cmpstr (scm_annotations_get_label (a, 9), ==, "CD4 T");
  g_assert_cmpint (scm_annotations_get_merged_into (a, 3), ==, 0);  /* chain resolved */

  ScmColumn *col = scm_annotations_to_label_column (a, "annotation");
  g_assert_cmpuint (col->n_categories, ==, 2);
  g_assert_cmpstr (col->categories[0], ==, "CD4 T");
  g_assert_cmpstr (col->categories[1], ==, "unassigned");
  scm_column_free (col);
  g_assert_finalize_object (a);
}

static void
test_label_cells_last_wins (void)
{
  ScmAnnotations *a = make ();
  GError *error = NULL;
  guint8 mask[12] = { 0 };
  mask[2] = mask[3] = 1;
  g_assert_true (scm_annotations_label_cells (a, mask, "Doublets", "lasso", &error));
  g_assert_cmpstr (scm_annotations_get_label (a, 2), ==, "Doublets");
  g_assert_cmpstr (scm_annotations_get_label (a, 3), ==, "Doublets");
  g_assert_cmpstr (scm_annotations_get_label (a, 1), ==, "0");
  g_assert_cmpint (scm_annotations_get_label_op (a, 2), ==, 0);
  g_assert_cmpint (scm_annotations_get_label_op (a, 1), ==, -1);
  /* A later rename of cluster 0 relabels all its cells, including 2. */
  g_assert_true (scm_annotations_rename_cluster (a, 0, "B", NULL, &error));
  g_assert_cmpstr (scm_annotations_get_label (a, 2), ==, "B");
  g_assert_cmpstr (scm_annotations_get_label (a, 3), ==, "Doublets");
  g_assert_cmpint (scm_annotations_get_label_op (a, 2), ==, 1);
  /* Empty selection refused. */
  guint8 none[12] = { 0 };
  g_assert_false (scm_annotations_label_cells (a, none, "x", NULL, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);

  /* Predictions: NULL keeps the label. */
  const char *pred[12] = { "T", NULL, "T", "Mono", NULL, NULL, NULL, NULL, NULL, NULL, NULL, "NK" };
  g_assert_true (scm_annotations_apply_predictions (a, pred, "scMMAE", &error));
  g_assert_cmpstr (scm_annotations_get_label (a, 0), ==, "T");
  g_assert_cmpstr (scm_annotations_get_label (a, 1), ==, "B");
  g_assert_cmpstr (scm_annotations_get_label (a, 3), ==, "Mono");
  g_assert_cmpstr (scm_annotations_get_label (a, 11), ==, "NK");
  const ScmAnnotOp *op = scm_annotations_get_op (a, 2);
  g_assert_cmpint (op->n_affected, ==, 4);
  g_assert_cmpstr (op->source, ==, "scMMAE");

  /* Notes do not change labels. */
  g_assert_true (scm_annotations_set_note (a, 2, "IFN response?", NULL, &error));
  g_assert_cmpstr (scm_annotations_get_note (a, 2), ==, "IFN response?");
  g_assert_cmpstr (scm_annotations_get_label (a, 6), ==, "2");
  g_assert_finalize_object (a);
}

static void
count_changed (ScmAnnotations *a, int *n)
{
  (*n)++;
}

static void
test_undo_redo (void)
{
  ScmAnnotations *a = make ();
  int changes = 0;
  g_signal_connect (a, "changed", G_CALLBACK (count_changed), &changes);
  scm_annotations_rename_cluster (a, 0, "T", NULL, NULL);
  const gint32 m[] = { 1, 2 };
  scm_annotations_merge_clusters (a, m, 2, "Mono", NULL, NULL);
  scm_annotations_set_note (a, 3, "small", NULL, NULL);
  g_assert_cmpint (changes, ==, 3);
  g_assert_cmpstr (scm_annotations_get_label (a, 6), ==, "Mono");

  g_assert_true (scm_annotations_undo (a));  /* note */
  g_assert_null (scm_annotations_get_note (a, 3));
  g_assert_true (scm_annotations_undo (a));  /* merge */
  g_assert_cmpstr (scm_annotations_get_label (a, 6), ==, "2");
  g_assert_cmpint (scm_annotations_get_cluster (a, 6), ==, 2);
  g_assert_cmpint (scm_annotations_get_merged_into (a, 2), ==, -1);
  g_assert_cmpstr (scm_annotations_get_cluster_name (a, 1), ==, "1");
  g_assert_true (scm_annotations_can_redo (a));
  g_assert_true (scm_annotations_redo (a));
  g_assert_cmpstr (scm_annotations_get_label (a, 6), ==, "Mono");
  g_assert_true (scm_annotations_undo (a));
  g_assert_true (scm_annotations_undo (a));
  g_assert_false (scm_annotations_undo (a));
  g_assert_cmpstr (scm_annotations_get_label (a, 0), ==, "0");
  g_assert_true (scm_annotations_redo (a));
  g_assert_cmpstr (scm_annotations_get_label (a, 0), ==, "T");
  /* A new operation drops the redo branch. */
  scm_annotations_rename_cluster (a, 3, "NK", NULL, NULL);
  g_assert_false (scm_annotations_can_redo (a));
  g_assert_cmpuint (scm_annotations_get_n_ops (a), ==, 2);
  g_assert_cmpstr (scm_annotations_get_label (a, 6), ==, "2");
  g_assert_cmpint (changes, ==, 3 + 6 + 1);
  g_assert_finalize_object (a);
}

static void
test_log (void)
{
  ScmAnnotations *a = make ();
  gint64 before = g_get_real_time ();
  scm_annotations_rename_cluster (a, 0, "CD4, naive", "user", NULL);
  guint8 mask[12] = { 0 };
  mask[5] = 1;
  scm_annotations_label_cells (a, mask, "Platelet", "gate CD61 vs CD41", NULL);
  const ScmAnnotOp *op = scm_annotations_get_op (a, 1);
  g_assert_cmpint (op->kind, ==, SCM_ANNOT_OP_LABEL_CELLS);
  g_assert_cmpint (op->time_us, >=, before);
  g_assert_cmpstr (op->source, ==, "gate CD61 vs CD41");
  g_autofree char *d0 = scm_annotations_describe_op (a, 0);
  g_assert_cmpstr (d0, ==, "Renamed cluster 0 to “CD4, naive”");
  g_autofree char *csv = scm_annotations_log_to_csv (a);
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "index,time,operation,source,description,cells");
  g_assert_true (g_str_has_prefix (lines[1], "1,"));
  /* The comma in the name is quoted; the count is cells affected. */
  g_assert_nonnull (strstr (lines[1], ",rename,user,\"Renamed cluster 0 to “CD4, naive”\",3"));
  g_assert_nonnull (strstr (lines[2], ",label,gate CD61 vs CD41,Labelled 1 cells “Platelet”,1"));
  /* Undone operations are not in the exported log. */
  scm_annotations_undo (a);
  g_autofree char *csv2 = scm_annotations_log_to_csv (a);
  g_assert_null (strstr (csv2, "Platelet"));
  g_assert_finalize_object (a);
}

static void
assert_same_state (ScmAnnotations *a, ScmAnnotations *b)
{
  g_assert_cmpint (scm_annotations_get_n_cells (a), ==, scm_annotations_get_n_cells (b));
  g_assert_cmpuint (scm_annotations_get_n_ops (a), ==, scm_annotations_get_n_ops (b));
  g_assert_cmpuint (scm_annotations_get_n_applied (a), ==, scm_annotations_get_n_applied (b));
  for (gint64 i = 0; i < scm_annotations_get_n_cells (a); i++)
    {
      g_assert_cmpstr (scm_annotations_get_label (a, i), ==, scm_annotations_get_label (b, i));
      g_assert_cmpint (scm_annotations_get_cluster (a, i), ==, scm_annotations_get_cluster (b, i));
      g_assert_cmpint (scm_annotations_get_label_op (a, i), ==, scm_annotations_get_label_op (b, i));
    }
  for (guint c = 0; c < scm_annotations_get_n_clusters (a); c++)
    {
      g_assert_cmpstr (scm_annotations_get_note (a, c), ==, scm_annotations_get_note (b, c));
      g_assert_cmpstr (scm_annotations_get_cluster_name (a, c), ==,
                       scm_annotations_get_cluster_name (b, c));
    }
  for (guint j = 0; j < scm_annotations_get_n_ops (a); j++)
    {
      const ScmAnnotOp *x = scm_annotations_get_op (a, j), *y = scm_annotations_get_op (b, j);
      g_assert_cmpint (x->kind, ==, y->kind);
      g_assert_cmpint (x->time_us, ==, y->time_us);
      g_assert_cmpstr (x->source, ==, y->source);
    }
  g_assert_cmpuint (scm_annotations_get_n_gates (a), ==, scm_annotations_get_n_gates (b));
  for (guint j = 0; j < scm_annotations_get_n_gates (a); j++)
    {
      const ScmGate *x = scm_annotations_get_gate (a, j), *y = scm_annotations_get_gate (b, j);
      g_assert_cmpstr (x->x, ==, y->x);
      g_assert_cmpstr (x->y, ==, y->y);
      g_assert_cmpint (x->n_vertices, ==, y->n_vertices);
      /* Exact: the JSON doubles must read back the same floats. */
      for (int v = 0; v < 2 * x->n_vertices; v++)
        g_assert_cmpfloat (x->polygon[v], ==, y->polygon[v]);
    }
}

static void
test_save_restore (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "sessions", "s.json", NULL);
  ScmAnnotations *a = make ();
  GError *error = NULL;
  scm_annotations_rename_cluster (a, 0, "CD4 T \"naïve\"", NULL, NULL);
  const gint32 m[] = { 2, 3 };
  scm_annotations_merge_clusters (a, m, 2, NULL, NULL, NULL);
  guint8 mask[12] = { 0 };
  mask[0] = mask[11] = 1;
  scm_annotations_label_cells (a, mask, "odd\nones", "lasso", NULL);
  const char *pred[12] = { NULL, "x", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
  scm_annotations_apply_predictions (a, pred, "scMMAE", NULL);
  scm_annotations_set_note (a, 1, "check 🧪", NULL, NULL);
  scm_annotations_undo (a);  /* the redo tail is kept too */
  const float tri[] = { 0.1f, 0.2f, 3.0f, 0.25f, 1.0f / 3.0f, 2.5f };
  g_assert_true (scm_annotations_set_gate (a, "CD3 (protein)", "CD19 (protein)", tri, 3, NULL));
  g_assert_true (scm_annotations_save (a, path, "/data/pbmc.h5ad", &error));
  g_assert_no_error (error);

  ScmAnnotations *b = scm_annotations_load (path, 12, &error);
  g_assert_no_error (error);
  assert_same_state (a, b);
  g_assert_true (scm_annotations_redo (b));
  g_assert_cmpstr (scm_annotations_get_note (b, 1), ==, "check 🧪");

  /* Another dataset (cell count) is refused with a clear message. */
  g_assert_null (scm_annotations_load (path, 13, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "12 cells"));
  g_clear_error (&error);
  /* Missing file: NOT_FOUND. */
  g_autofree char *missing = g_build_filename (dir, "nope.json", NULL);
  g_assert_null (scm_annotations_load (missing, 0, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Session path: per input path, in the user data dir, stable. */
  g_autofree char *p1 = scm_annotations_session_path ("/data/pbmc.h5ad");
  g_autofree char *p2 = scm_annotations_session_path ("/data/pbmc.h5ad");
  g_autofree char *p3 = scm_annotations_session_path ("/data/other.h5ad");
  g_assert_cmpstr (p1, ==, p2);
  g_assert_cmpstr (p1, !=, p3);
  g_assert_true (g_str_has_prefix (p1, g_get_user_data_dir ()));
  g_assert_nonnull (strstr (p1, "scmmae-studio/sessions/"));

  g_assert_finalize_object (a);
  g_assert_finalize_object (b);
  scm_test_rmdir (dir);
}

/* Gates: one per feature pair, kept in the session, outside undo. */
static void
test_gates (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "s.json", NULL);
  ScmAnnotations *a = make ();
  GError *error = NULL;
  const float sq[] = { 0, 0, 2, 0, 2, 2, 0, 2 };
  const float tri[] = { -1.5f, 0, 1, 1e-3f, 0.5f, 7.25f };
  const float nan_tri[] = { 0, 0, NAN, 1, 1, 1 };

  scm_annotations_set_autosave (a, path, "in.h5ad", 60000);
  g_assert_true (scm_annotations_set_gate (a, "CD3", "CD19", sq, 4, &error));
  g_assert_no_error (error);
  g_assert_true (scm_annotations_set_gate (a, "CD4", "CD8a", tri, 3, &error));
  /* A new gate on the same pair replaces the old one and becomes newest. */
  g_assert_true (scm_annotations_set_gate (a, "CD3", "CD19", tri, 3, &error));
  g_assert_cmpuint (scm_annotations_get_n_gates (a), ==, 2);
  g_assert_cmpstr (scm_annotations_get_gate (a, 1)->x, ==, "CD3");
  g_assert_cmpint (scm_annotations_find_gate (a, "CD3", "CD19")->n_vertices, ==, 3);
  g_assert_null (scm_annotations_find_gate (a, "CD19", "CD3"));   /* axes are ordered */
  /* Gates are not operations: nothing to undo, labels unchanged. */
  g_assert_cmpuint (scm_annotations_get_n_ops (a), ==, 0);
  g_assert_false (scm_annotations_can_undo (a));

  /* Bad gates are refused with a message and change nothing. */
  g_assert_false (scm_annotations_set_gate (a, "CD3", "CD19", sq, 2, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (scm_annotations_set_gate (a, "", "CD19", sq, 4, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (scm_annotations_set_gate (a, "CD3", "CD19", nan_tri, 3, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (scm_annotations_find_gate (a, "CD3", "CD19")->n_vertices, ==, 3);

  /* A gate alone schedules the autosave: flushing writes it. */
  g_assert_true (scm_annotations_flush_autosave (a, &error));
  g_assert_no_error (error);
  ScmAnnotations *b = scm_annotations_load (path, 12, &error);
  g_assert_no_error (error);
  assert_same_state (a, b);
  g_object_unref (b);

  /* Removing one is saved too. */
  g_assert_true (scm_annotations_remove_gate (a, "CD4", "CD8a"));
  g_assert_false (scm_annotations_remove_gate (a, "CD4", "CD8a"));
  g_assert_true (scm_annotations_flush_autosave (a, &error));
  b = scm_annotations_load (path, 12, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scm_annotations_get_n_gates (b), ==, 1);
  g_object_unref (b);

  /* Sessions written before gates were kept still load, with none. */
  b = scm_annotations_new_from_json ("{\"format\":\"scmmae-studio-session\",\"version\":1,\"n_cells\":2,"
                                     "\"n_clusters\":1,\"applied\":0,\"clusters\":[0,0],\"ops\":[]}",
                                     -1, "old", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scm_annotations_get_n_gates (b), ==, 0);
  g_object_unref (b);

  g_assert_finalize_object (a);
  scm_test_rmdir (dir);
}

static void
test_corrupt_files (void)
{
  /* Truncated or tampered session files give SCM_ERROR_CORRUPT, never a crash. */
  ScmAnnotations *a = make ();
  scm_annotations_rename_cluster (a, 0, "T", NULL, NULL);
  guint8 mask[12] = { 0 };
  mask[4] = 1;
  scm_annotations_label_cells (a, mask, "L", NULL, NULL);
  g_autofree char *json = scm_annotations_to_json (a, "in.h5ad");
  gsize len = strlen (json);
  for (gsize cut = 0; cut < len; cut += 7)
    {
      GError *error = NULL;
      ScmAnnotations *b = scm_annotations_new_from_json (json, (gssize) cut, "cut", &error);
      g_assert_null (b);
      g_assert_error (error, SCM_ERROR, SCM_ERROR_CORRUPT);
      g_clear_error (&error);
    }
  const char *bad[] = {
    "[]",
    "{\"format\":\"scmmae-studio-session\",\"version\":1,\"n_cells\":2,\"n_clusters\":1,"
    "\"applied\":0,\"clusters\":[0,5],\"ops\":[]}",
    "{\"format\":\"scmmae-studio-session\",\"version\":1,\"n_cells\":2,\"n_clusters\":1,"
    "\"applied\":1,\"clusters\":[0,0],\"ops\":[{\"op\":\"label\",\"text\":\"x\",\"cells\":[9]}]}",
    "{\"format\":\"scmmae-studio-session\",\"version\":1,\"n_cells\":2,\"n_clusters\":1,"
    "\"applied\":4,\"clusters\":[0,0],\"ops\":[]}",
    "{\"format\":\"scmmae-studio-session\",\"version\":1,\"n_cells\":2,\"n_clusters\":1,"
    "\"applied\":1,\"clusters\":[0,0],\"ops\":[{\"op\":\"rename\",\"cluster\":3,\"text\":\"x\"}]}",
    "{\"format\":\"other\",\"version\":1}",
    /* Gates: not a list, a missing axis, too few vertices, a string vertex. */
    "{\"format\":\"scmmae-studio-session\",\"version\":1,\"n_cells\":2,\"n_clusters\":1,"
    "\"applied\":0,\"clusters\":[0,0],\"ops\":[],\"gates\":{}}",
    "{\"format\":\"scmmae-studio-session\",\"version\":1,\"n_cells\":2,\"n_clusters\":1,"
    "\"applied\":0,\"clusters\":[0,0],\"ops\":[],\"gates\":[{\"x\":\"a\",\"polygon\":[0,0,1,0,1,1]}]}",
    "{\"format\":\"scmmae-studio-session\",\"version\":1,\"n_cells\":2,\"n_clusters\":1,"
    "\"applied\":0,\"clusters\":[0,0],\"ops\":[],\"gates\":[{\"x\":\"a\",\"y\":\"b\",\"polygon\":[0,0,1,0]}]}",
    "{\"format\":\"scmmae-studio-session\",\"version\":1,\"n_cells\":2,\"n_clusters\":1,"
    "\"applied\":0,\"clusters\":[0,0],\"ops\":[],\"gates\":[{\"x\":\"a\",\"y\":\"b\",\"polygon\":[0,0,1,0,1,\"1\"]}]}",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GError *error = NULL;
      g_assert_null (scm_annotations_new_from_json (bad[i], -1, "bad", &error));
      g_assert_error (error, SCM_ERROR, SCM_ERROR_CORRUPT);
      g_clear_error (&error);
    }
  g_assert_finalize_object (a);
}

static void
test_crash_safe_write (void)
{
  /* A crash during a save leaves at most a stray temporary file; the
   * session file itself always holds the last complete save. */
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "s.json", NULL);
  ScmAnnotations *a = make ();
  GError *error = NULL;
  scm_annotations_rename_cluster (a, 0, "first", NULL, NULL);
  g_assert_true (scm_annotations_save (a, path, "in", &error));
  /* Simulate a crash mid-write: a half-written temp file beside it. */
  g_autofree char *stray = g_build_filename (dir, ".s.json.ABC123", NULL);
  g_autofree char *json = scm_annotations_to_json (a, "in");
  g_assert_true (g_file_set_contents (stray, json, (gssize) strlen (json) / 2, NULL));
  ScmAnnotations *b = scm_annotations_load (path, 12, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (scm_annotations_get_label (b, 0), ==, "first");
  g_object_unref (b);
  /* A second save replaces the file whole and leaves no temp file of its own. */
  scm_annotations_rename_cluster (a, 0, "second", NULL, NULL);
  g_assert_true (scm_annotations_save (a, path, "in", &error));
  GDir *d = g_dir_open (dir, 0, NULL);
  int n_files = 0;
  for (const char *name; (name = g_dir_read_name (d));)
    n_files++;
  g_dir_close (d);
  g_assert_cmpint (n_files, ==, 2);  /* s.json + our simulated stray */
  b = scm_annotations_load (path, 12, &error);
  g_assert_cmpstr (scm_annotations_get_label (b, 0), ==, "second");
  g_object_unref (b);
  /* An unwritable target reports an error and leaves the old file intact. */
  g_autofree char *blocker = g_build_filename (dir, "blocked", NULL);
  g_autofree char *blocked = g_build_filename (dir, "blocked", "s.json", NULL);
  /* "blocked" is a file, so no folder can be made there. */
  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
  g_assert_false (scm_annotations_save (a, blocked, "in", &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_IO);
  g_clear_error (&error);
  g_assert_finalize_object (a);
  scm_test_rmdir (dir);
}

static void
on_saved (ScmAnnotations *a, const char *err, int *n)
{
  g_assert_null (err);
  (*n)++;
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
test_autosave_debounced (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "auto", "s.json", NULL);
  ScmAnnotations *a = make ();
  int saves = 0;
  g_signal_connect (a, "saved", G_CALLBACK (on_saved), &saves);
  scm_annotations_set_autosave (a, path, "in.h5ad", 50);
  /* Three quick changes: one save after the burst. */
  scm_annotations_rename_cluster (a, 0, "a", NULL, NULL);
  scm_annotations_rename_cluster (a, 1, "b", NULL, NULL);
  scm_annotations_rename_cluster (a, 2, "c", NULL, NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  GMainLoop *loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add (400, quit_loop, loop);
  g_main_loop_run (loop);
  g_assert_cmpint (saves, ==, 1);
  /* "Restart": a new object restores exactly what was there. */
  GError *error = NULL;
  ScmAnnotations *b = scm_annotations_load (path, 12, &error);
  g_assert_no_error (error);
  assert_same_state (a, b);
  g_object_unref (b);
  /* flush writes a pending change immediately (used on window close). */
  scm_annotations_rename_cluster (a, 3, "d", NULL, NULL);
  g_assert_true (scm_annotations_flush_autosave (a, &error));
  b = scm_annotations_load (path, 12, &error);
  g_assert_cmpstr (scm_annotations_get_label (b, 9), ==, "d");
  g_object_unref (b);
  g_main_loop_unref (loop);
  g_assert_finalize_object (a);
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/annotations/initial", test_initial);
  g_test_add_func ("/app/annotations/rename-merge", test_rename_merge);
  g_test_add_func ("/app/annotations/label-cells-last-wins", test_label_cells_last_wins);
  g_test_add_func ("/app/annotations/undo-redo", test_undo_redo);
  g_test_add_func ("/app/annotations/log", test_log);
  g_test_add_func ("/app/annotations/save-restore", test_save_restore);
  g_test_add_func ("/app/annotations/gates", test_gates);
  g_test_add_func ("/app/annotations/corrupt-files", test_corrupt_files);
  g_test_add_func ("/app/annotations/crash-safe-write", test_crash_safe_write);
  g_test_add_func ("/app/annotations/autosave-debounced", test_autosave_debounced);
  return g_test_run ();
}
