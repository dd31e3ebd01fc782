/* test-job.c: the threaded training job: progress snapshots, pause, save
 * while paused, cancel, and continuing a cancelled run (from memory and
 * from a checkpoint) to the same final weights as one uninterrupted run. */
#include "io/scm-io.h"
#include "model/scm-job.h"
#include "scm-error.h"
#include "scm-test-util.h"

#include <math.h>
#include <string.h>

static ScmDataset *
load_subset (void)
{
  g_autofree char *path = scm_test_shared_path ("pbmc10k/pbmc10k.h5ad");
  if (path == NULL)
    return NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (path, NULL, &error);
  g_assert_no_error (error);
  g_autofree guint8 *keep = g_new0 (guint8, ds->n_cells);
  for (gint64 i = 0; i < ds->n_cells; i += 30)
    keep[i] = 1;
  ScmDataset *sub = scm_dataset_subset_cells (ds, keep, &error);
  g_assert_no_error (error);
  return sub;
}

static ScmTrainer *
make_trainer (const ScmDataset *ds)
{
  ScmTrainDataOptions o = { 0 };
  o.need_rna = o.need_adt = TRUE;
  o.n_genes = 64;
  o.tok_dim = 8;
  g_autoptr (GError) error = NULL;
  ScmTrainData *d = scm_train_data_from_dataset (ds, &o, NULL, NULL, &error);
  g_assert_no_error (error);
  ScmTrainPreset p;
  scm_preset_lookup ("tiny", &p, NULL);
  ScmTrainOptions to;
  scm_train_options_init (&to, SCM_STAGE_PRETRAIN, &p);
  to.max_epochs = 3;
  to.seed = 5;
  to.early_stopping = FALSE;
  ScmTrainer *t = scm_trainer_new (&to, d, NULL, &error);
  g_assert_no_error (error);
  return t;
}

static void
assert_same_params (ScmTrainer *a, ScmTrainer *b)
{
  ScmModel *ma = scm_trainer_get_model (a), *mb = scm_trainer_get_model (b);
  gsize n = scm_model_n_params (ma);
  g_assert_cmpmem (scm_model_family (ma, SCM_TENSOR_PARAM), n * 4,
                   scm_model_family (mb, SCM_TENSOR_PARAM), n * 4);
  g_assert_cmpmem (scm_model_family (ma, SCM_TENSOR_ADAM_V), n * 4,
                   scm_model_family (mb, SCM_TENSOR_ADAM_V), n * 4);
}

static void
count_notify (ScmJob *job, gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

static void
test_run_sync_matches_trainer (void)
{
  g_autoptr (ScmDataset) ds = load_subset ();
  if (ds == NULL)
    return;
  g_autoptr (ScmTrainer) ref = make_trainer (ds);
  g_assert_true (scm_trainer_run (ref, -1, NULL));

  ScmJob *job = scm_job_new (make_trainer (ds));
  gint calls = 0;
  scm_job_set_notify (job, count_notify, &calls);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_job_run_sync (job, NULL, &error));
  g_assert_no_error (error);
  ScmJobProgress p;
  scm_job_get_progress (job, &p);
  g_assert_cmpint (p.state, ==, SCM_JOB_FINISHED);
  g_assert_cmpint (p.epochs_done, ==, 3);
  g_assert_cmpint (p.step, ==, scm_trainer_get_step (ref));
  g_assert_cmpint (p.last_epoch.epoch, ==, 3);
  g_assert_cmpint (calls, >=, p.step);
  GArray *epochs = NULL, *steps = NULL;
  scm_job_copy_history (job, &epochs, &steps);
  g_assert_cmpuint (epochs->len, ==, 3);
  g_assert_cmpuint (steps->len, ==, (guint) p.step);
  g_array_unref (epochs);
  g_array_unref (steps);
  ScmTrainer *t = scm_job_steal_trainer (job);
  assert_same_params (ref, t);
  scm_trainer_free (t);
  scm_job_free (job);
}

static void
test_pause_cancel_continue (void)
{
  g_autoptr (ScmDataset) ds = load_subset ();
  if (ds == NULL)
    return;
  g_autoptr (ScmTrainer) ref = make_trainer (ds);
  g_assert_true (scm_trainer_run (ref, -1, NULL));
  gint64 total = scm_trainer_get_step (ref);

  ScmJob *job = scm_job_new (make_trainer (ds));
  scm_job_set_step_limit (job, 3);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_job_start (job, &error));
  g_assert_false (scm_job_start (job, NULL));       /* only once */
  g_assert_cmpint (scm_job_wait_paused (job), ==, SCM_JOB_PAUSED);
  ScmJobProgress p;
  scm_job_get_progress (job, &p);
  g_assert_cmpint (p.state, ==, SCM_JOB_PAUSED);
  g_assert_cmpint (p.step, ==, 3);

  /* a checkpoint while paused */
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "paused.h5", NULL);
  g_assert_true (scm_job_save_checkpoint (job, path, &error));
  g_assert_no_error (error);

  /* resume to step 5, then cancel while paused there */
  scm_job_set_step_limit (job, 5);
  scm_job_resume (job);
  g_assert_cmpint (scm_job_wait_paused (job), ==, SCM_JOB_PAUSED);
  scm_job_get_progress (job, &p);
  g_assert_cmpint (p.step, ==, 5);
  scm_job_cancel (job);
  g_assert_cmpint (scm_job_wait (job, &error), ==, SCM_JOB_CANCELLED);
  g_assert_error (error, SCM_ERROR, SCM_ERROR_CANCELLED);
  g_clear_error (&error);

  /* continue from memory in a new job */
  ScmTrainer *t = scm_job_steal_trainer (job);
  g_assert_nonnull (t);
  g_assert_cmpint (scm_trainer_get_step (t), ==, 5);
  scm_job_free (job);
  job = scm_job_new (t);
  g_assert_true (scm_job_start (job, &error));
  g_assert_cmpint (scm_job_wait (job, &error), ==, SCM_JOB_FINISHED);
  g_assert_no_error (error);
  t = scm_job_steal_trainer (job);
  g_assert_cmpint (scm_trainer_get_step (t), ==, total);
  assert_same_params (ref, t);
  scm_trainer_free (t);
  scm_job_free (job);

  /* continue from the checkpoint saved at step 3 */
  g_autoptr (ScmCheckpoint) ck = scm_checkpoint_load (path, TRUE, &error);
  g_assert_no_error (error);
  ScmTrainDataOptions o;
  scm_train_data_options_for_checkpoint (ck, &o);
  ScmTrainData *d = scm_train_data_from_dataset (ds, &o, NULL, NULL, &error);
  g_assert_no_error (error);
  ScmTrainer *r = scm_trainer_resume (ck, d, 1, &error);
  g_assert_no_error (error);
  job = scm_job_new (r);
  g_assert_true (scm_job_run_sync (job, NULL, &error));
  t = scm_job_steal_trainer (job);
  assert_same_params (ref, t);
  scm_trainer_free (t);
  scm_job_free (job);
  scm_test_rmdir (dir);
}

static void
test_cancellable_and_free_running (void)
{
  g_autoptr (ScmDataset) ds = load_subset ();
  if (ds == NULL)
    return;
  /* a cancelled GCancellable stops run_sync before the first step */
  ScmJob *job = scm_job_new (make_trainer (ds));
  g_autoptr (GCancellable) c = g_cancellable_new ();
  g_cancellable_cancel (c);
  g_autoptr (GError) error = NULL;
  g_assert_false (scm_job_run_sync (job, c, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_CANCELLED);
  ScmJobProgress p;
  scm_job_get_progress (job, &p);
  g_assert_cmpint (p.step, ==, 0);
  scm_job_free (job);

  /* freeing a running job cancels and joins it; saving while running is refused */
  job = scm_job_new (make_trainer (ds));
  g_assert_true (scm_job_start (job, NULL));
  g_clear_error (&error);
  gboolean saved = scm_job_save_checkpoint (job, "/nonexistent/x.h5", &error);
  g_assert_false (saved);
  scm_job_free (job);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/job/run-sync-matches-trainer", test_run_sync_matches_trainer);
  g_test_add_func ("/model/job/pause-cancel-continue", test_pause_cancel_continue);
  g_test_add_func ("/model/job/cancellable-and-free", test_cancellable_and_free_running);
  return g_test_run ();
}
