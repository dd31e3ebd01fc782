/* scm-job.c: a trainer stepped on a worker thread.  See scm-job.h.
 *
 * One mutex guards everything shared with the worker: the requests
 * (pause, cancel, step limit), the state and the progress snapshot with
 * its history copies.  The trainer itself is touched only by the thread
 * running the loop, or by others while the loop is provably idle (paused,
 * not started, or ended).
 */
#include "scm-job.h"
#include "scm-error.h"

#include <math.h>

struct _ScmJob {
  GMutex        lock;
  GCond         cond;
  ScmTrainer   *trainer;
  GThread      *thread;
  gboolean      started;
  gboolean      in_loop;
  ScmJobState   state;
  gboolean      pause_req;
  gboolean      cancel_req;
  gint64        step_limit;
  ScmJobProgress prog;
  GArray       *epochs;
  GArray       *steps;
  GError       *error;
  ScmJobNotify  notify;
  gpointer      notify_data;
  double        run_seconds;   /* accumulated, pauses excluded */
  gint64        steps_timed;
};

const char *
scm_job_state_name (ScmJobState s)
{
  switch (s)
    {
    case SCM_JOB_READY: return "ready";
    case SCM_JOB_RUNNING: return "running";
    case SCM_JOB_PAUSED: return "paused";
    case SCM_JOB_FINISHED: return "finished";
    case SCM_JOB_CANCELLED: return "cancelled";
    case SCM_JOB_FAILED: return "failed";
    default: return "unknown";
    }
}

static gboolean
state_ended (ScmJobState s)
{
  return s == SCM_JOB_FINISHED || s == SCM_JOB_CANCELLED || s == SCM_JOB_FAILED;
}

/* Snapshot fields that come from the trainer; caller holds the lock and
 * the trainer is not being stepped concurrently. */
static void
sync_from_trainer (ScmJob *job)
{
  ScmTrainer *t = job->trainer;
  ScmJobProgress *p = &job->prog;
  p->stage = scm_trainer_get_options (t)->stage;
  p->step = scm_trainer_get_step (t);
  p->epochs_done = scm_trainer_get_epoch (t);
  p->max_epochs = scm_trainer_get_max_epochs (t);
  p->n_batches = scm_trainer_get_batches_per_epoch (t);
  p->epoch = MIN (p->epochs_done + 1, p->max_epochs);
  guint ne = 0, ns = 0;
  const ScmEpochRecord *e = scm_trainer_get_epochs (t, &ne);
  const float *s = scm_trainer_get_step_losses (t, &ns);
  g_array_set_size (job->epochs, 0);
  g_array_append_vals (job->epochs, e, ne);
  g_array_set_size (job->steps, 0);
  g_array_append_vals (job->steps, s, ns);
  if (ne > 0)
    p->last_epoch = e[ne - 1];
  if (ns > 0)
    p->last_loss = s[ns - 1];
  p->generation++;
}

ScmJob *
scm_job_new (ScmTrainer *trainer)
{
  ScmJob *job = g_new0 (ScmJob, 1);
  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);
  job->trainer = trainer;
  job->state = SCM_JOB_READY;
  job->step_limit = -1;
  job->epochs = g_array_new (FALSE, TRUE, sizeof (ScmEpochRecord));
  job->steps = g_array_new (FALSE, TRUE, sizeof (float));
  job->prog.last_loss = NAN;
  job->prog.eta_s = NAN;
  sync_from_trainer (job);
  job->prog.state = SCM_JOB_READY;
  return job;
}

void
scm_job_free (ScmJob *job)
{
  if (job == NULL)
    return;
  if (job->thread)
    {
      scm_job_cancel (job);
      g_thread_join (job->thread);
      job->thread = NULL;
    }
  scm_trainer_free (job->trainer);
  g_array_unref (job->epochs);
  g_array_unref (job->steps);
  g_clear_error (&job->error);
  g_cond_clear (&job->cond);
  g_mutex_clear (&job->lock);
  g_free (job);
}

void
scm_job_set_notify (ScmJob *job, ScmJobNotify func, gpointer user_data)
{
  g_mutex_lock (&job->lock);
  job->notify = func;
  job->notify_data = user_data;
  g_mutex_unlock (&job->lock);
}

void
scm_job_set_step_limit (ScmJob *job, gint64 max_step)
{
  g_mutex_lock (&job->lock);
  job->step_limit = max_step;
  g_mutex_unlock (&job->lock);
}

static void
emit (ScmJob *job)
{
  g_mutex_lock (&job->lock);
  ScmJobNotify f = job->notify;
  gpointer d = job->notify_data;
  g_mutex_unlock (&job->lock);
  if (f)
    f (job, d);
}

static void
set_state_locked (ScmJob *job, ScmJobState s)
{
  job->state = s;
  job->prog.state = s;
  job->prog.generation++;
  g_cond_broadcast (&job->cond);
}

static void
on_cancelled (GCancellable *c, gpointer user_data)
{
  scm_job_cancel (user_data);
}

static gboolean
run_loop (ScmJob *job, GCancellable *cancellable, GError **error)
{
  gulong handler = 0;
  if (cancellable)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), job, NULL);

  g_mutex_lock (&job->lock);
  job->in_loop = TRUE;
  set_state_locked (job, SCM_JOB_RUNNING);
  g_mutex_unlock (&job->lock);
  emit (job);

  gboolean ok = TRUE;
  for (;;)
    {
      g_mutex_lock (&job->lock);
      if (!job->cancel_req && job->step_limit >= 0
          && scm_trainer_get_step (job->trainer) >= job->step_limit)
        job->pause_req = TRUE;
      if (job->pause_req && !job->cancel_req)
        {
          set_state_locked (job, SCM_JOB_PAUSED);
          g_mutex_unlock (&job->lock);
          emit (job);
          g_mutex_lock (&job->lock);
          while (job->pause_req && !job->cancel_req)
            g_cond_wait (&job->cond, &job->lock);
          if (!job->cancel_req)
            set_state_locked (job, SCM_JOB_RUNNING);
        }
      if (job->cancel_req)
        {
          g_set_error (&job->error, SCM_ERROR, SCM_ERROR_CANCELLED,
                       "training was cancelled at step %" G_GINT64_FORMAT,
                       scm_trainer_get_step (job->trainer));
          set_state_locked (job, SCM_JOB_CANCELLED);
          g_mutex_unlock (&job->lock);
          ok = FALSE;
          break;
        }
      if (scm_trainer_is_finished (job->trainer))
        {
          set_state_locked (job, SCM_JOB_FINISHED);
          g_mutex_unlock (&job->lock);
          break;
        }
      g_mutex_unlock (&job->lock);

      GError *err = NULL;
      ScmStepInfo info = { 0 };
      gint64 t0 = g_get_monotonic_time ();
      gboolean step_ok = scm_trainer_step (job->trainer, &info, &err);
      double dt = (g_get_monotonic_time () - t0) / 1e6;

      g_mutex_lock (&job->lock);
      if (!step_ok)
        {
          job->error = err;
          set_state_locked (job, SCM_JOB_FAILED);
          g_mutex_unlock (&job->lock);
          ok = FALSE;
          break;
        }
      job->run_seconds += dt;
      job->steps_timed++;
      ScmJobProgress *p = &job->prog;
      float lf = (float) info.loss;
      g_array_append_val (job->steps, lf);
      p->last_loss = info.loss;
      p->step = info.step;
      p->n_batches = info.n_batches;
      p->batch = info.epoch_done ? 0 : info.batch;
      p->epochs_done = scm_trainer_get_epoch (job->trainer);
      p->epoch = MIN (p->epochs_done + 1, p->max_epochs);
      if (info.epoch_done)
        {
          guint ne = 0;
          const ScmEpochRecord *e = scm_trainer_get_epochs (job->trainer, &ne);
          g_array_set_size (job->epochs, 0);
          g_array_append_vals (job->epochs, e, ne);
          p->last_epoch = e[ne - 1];
        }
      p->elapsed_s = job->run_seconds;
      double per_step = job->run_seconds / (double) job->steps_timed;
      gint64 left = (gint64) (p->max_epochs - p->epochs_done) * p->n_batches - p->batch;
      p->eta_s = info.finished ? 0.0 : per_step * (double) MAX (left, 0);
      p->generation++;
      g_mutex_unlock (&job->lock);
      emit (job);
    }

  g_mutex_lock (&job->lock);
  job->in_loop = FALSE;
  g_cond_broadcast (&job->cond);
  if (!ok && error && job->error)
    *error = g_error_copy (job->error);
  g_mutex_unlock (&job->lock);
  emit (job);
  if (handler)
    g_cancellable_disconnect (cancellable, handler);
  return ok;
}

static gpointer
thread_func (gpointer data)
{
  run_loop (data, NULL, NULL);
  return NULL;
}

static gboolean
claim_start (ScmJob *job, GError **error)
{
  g_mutex_lock (&job->lock);
  gboolean can = !job->in_loop && !job->started && job->trainer != NULL;
  if (can)
    {
      job->started = TRUE;
      job->in_loop = TRUE;  /* reserved until the loop takes over */
      g_clear_error (&job->error);
    }
  g_mutex_unlock (&job->lock);
  if (!can)
    g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "the training job was already started");
  return can;
}

gboolean
scm_job_start (ScmJob *job, GError **error)
{
  if (!claim_start (job, error))
    return FALSE;
  job->thread = g_thread_try_new ("scmmae-train", thread_func, job, error);
  if (job->thread == NULL)
    {
      g_mutex_lock (&job->lock);
      job->in_loop = FALSE;
      job->started = FALSE;
      g_mutex_unlock (&job->lock);
      return FALSE;
    }
  return TRUE;
}

gboolean
scm_job_run_sync (ScmJob *job, GCancellable *cancellable, GError **error)
{
  if (!claim_start (job, error))
    return FALSE;
  return run_loop (job, cancellable, error);
}

void
scm_job_pause (ScmJob *job)
{
  g_mutex_lock (&job->lock);
  if (!state_ended (job->state))
    job->pause_req = TRUE;
  g_mutex_unlock (&job->lock);
}

void
scm_job_resume (ScmJob *job)
{
  g_mutex_lock (&job->lock);
  job->pause_req = FALSE;
  /* RUNNING at once, so a wait_paused() right after this waits for the
   * next pause instead of seeing the old one. */
  if (job->state == SCM_JOB_PAUSED)
    set_state_locked (job, SCM_JOB_RUNNING);
  g_cond_broadcast (&job->cond);
  g_mutex_unlock (&job->lock);
}

void
scm_job_cancel (ScmJob *job)
{
  g_mutex_lock (&job->lock);
  job->cancel_req = TRUE;
  if (job->state == SCM_JOB_READY && !job->started)
    {
      g_set_error (&job->error, SCM_ERROR, SCM_ERROR_CANCELLED, "training was cancelled before it started");
      set_state_locked (job, SCM_JOB_CANCELLED);
    }
  g_cond_broadcast (&job->cond);
  g_mutex_unlock (&job->lock);
}

ScmJobState
scm_job_wait (ScmJob *job, GError **error)
{
  if (job->thread)
    {
      g_thread_join (job->thread);
      job->thread = NULL;
    }
  g_mutex_lock (&job->lock);
  ScmJobState s = job->state;
  if (job->error && error)
    *error = g_error_copy (job->error);
  g_mutex_unlock (&job->lock);
  return s;
}

ScmJobState
scm_job_wait_paused (ScmJob *job)
{
  g_mutex_lock (&job->lock);
  while (job->state != SCM_JOB_PAUSED && !state_ended (job->state)
         && (job->in_loop || job->state == SCM_JOB_RUNNING))
    g_cond_wait (&job->cond, &job->lock);
  ScmJobState s = job->state;
  g_mutex_unlock (&job->lock);
  return s;
}

void
scm_job_get_progress (ScmJob *job, ScmJobProgress *out)
{
  g_mutex_lock (&job->lock);
  *out = job->prog;
  g_mutex_unlock (&job->lock);
}

void
scm_job_copy_history (ScmJob *job, GArray **epochs, GArray **step_losses)
{
  g_mutex_lock (&job->lock);
  if (epochs)
    {
      *epochs = g_array_sized_new (FALSE, FALSE, sizeof (ScmEpochRecord), job->epochs->len);
      g_array_append_vals (*epochs, job->epochs->data, job->epochs->len);
    }
  if (step_losses)
    {
      *step_losses = g_array_sized_new (FALSE, FALSE, sizeof (float), job->steps->len);
      g_array_append_vals (*step_losses, job->steps->data, job->steps->len);
    }
  g_mutex_unlock (&job->lock);
}

/* TRUE when no thread is stepping the trainer now. */
static gboolean
idle_locked (ScmJob *job)
{
  return job->trainer != NULL
         && (job->state == SCM_JOB_PAUSED || !job->in_loop || state_ended (job->state));
}

gboolean
scm_job_save_checkpoint (ScmJob *job, const char *path, GError **error)
{
  g_mutex_lock (&job->lock);
  gboolean idle = idle_locked (job) && (job->state != SCM_JOB_RUNNING);
  if (!idle)
    {
      g_mutex_unlock (&job->lock);
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "%s: pause the training job before saving a checkpoint", path);
      return FALSE;
    }
  /* Keep the lock: resume() cannot wake the worker until the file is written. */
  gboolean ok = scm_trainer_save (job->trainer, path, error);
  g_mutex_unlock (&job->lock);
  return ok;
}

ScmTrainer *
scm_job_steal_trainer (ScmJob *job)
{
  g_mutex_lock (&job->lock);
  ScmTrainer *t = NULL;
  if (!job->in_loop)
    t = g_steal_pointer (&job->trainer);
  g_mutex_unlock (&job->lock);
  if (t && job->thread)
    {
      g_thread_join (job->thread);
      job->thread = NULL;
    }
  return t;
}
