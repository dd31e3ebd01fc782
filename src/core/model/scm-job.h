/* scm-job.h: a training run on a worker thread, for the app.
 *
 * The job owns an ScmTrainer and steps it on its own GThread (or inside a
 * GTask thread via scm_job_run_sync).  Progress goes into a mutex-protected
 * snapshot that the UI pulls at frame rate (scm_job_get_progress), plus the
 * full loss history (scm_job_copy_history); the optional notify callback
 * runs on the worker after every step and only says "something changed":
 * it may be coalesced freely (the app schedules at most one idle from it).
 *
 * pause / resume / cancel are requests checked between steps, so they take
 * effect within one step.  While paused (or after the run ends) the trainer
 * is idle and scm_job_save_checkpoint() can write it.  A cancelled job ends
 * with SCM_ERROR_CANCELLED; its trainer stays valid, so the run can be
 * continued by a new job (from memory: scm_job_steal_trainer) or from a
 * checkpoint saved earlier.  A job is as deterministic as its trainer.
 * No GTK here.
 */
#pragma once

#include <gio/gio.h>

#include "model/scm-train.h"

G_BEGIN_DECLS

typedef enum {
  SCM_JOB_READY,      /* created, not started */
  SCM_JOB_RUNNING,
  SCM_JOB_PAUSED,
  SCM_JOB_FINISHED,   /* trained to the end (max epochs or early stopping) */
  SCM_JOB_CANCELLED,
  SCM_JOB_FAILED,
} ScmJobState;

typedef struct {
  ScmJobState state;
  int      stage;
  guint64  generation;       /* +1 on every change; compare to skip redraws */
  gint64   step;             /* AdamW steps so far */
  int      epoch;            /* epoch in progress, 1-based (= completed + 1 while running) */
  int      epochs_done;
  int      max_epochs;
  int      batch;            /* batches done in the current epoch */
  int      n_batches;
  double   last_loss;        /* loss of the last step */
  ScmEpochRecord last_epoch; /* the last finished epoch (epoch = 0 before the first) */
  double   elapsed_s;        /* running time (pauses excluded) */
  double   eta_s;            /* estimate for the remaining max epochs; NaN before a step */
} ScmJobProgress;

typedef struct _ScmJob ScmJob;

/* Called on the worker thread after each step and at state changes. */
typedef void (*ScmJobNotify) (ScmJob *job, gpointer user_data);

/* Takes ownership of trainer. */
ScmJob     *scm_job_new   (ScmTrainer *trainer);
/* Cancels and joins a running job first. */
void        scm_job_free  (ScmJob *job);

void        scm_job_set_notify (ScmJob *job, ScmJobNotify func, gpointer user_data);
/* Stop after this many steps in total (a test hook; < 0 = no limit).  The
 * job then ends PAUSED-like: state FINISHED is not set, state is PAUSED. */
void        scm_job_set_step_limit (ScmJob *job, gint64 max_step);

/* Starts the worker thread.  FALSE if already started. */
gboolean    scm_job_start     (ScmJob *job, GError **error);
/* Runs the loop in the calling thread (e.g. a GTask thread function);
 * returns when finished, cancelled or failed.  cancellable may be NULL;
 * cancelling it has the effect of scm_job_cancel. */
gboolean    scm_job_run_sync  (ScmJob *job, GCancellable *cancellable, GError **error);
void        scm_job_pause     (ScmJob *job);
void        scm_job_resume    (ScmJob *job);
void        scm_job_cancel    (ScmJob *job);
/* Waits for the worker started by scm_job_start; returns the final state
 * and the error of a failed or cancelled run. */
ScmJobState scm_job_wait      (ScmJob *job, GError **error);
/* Blocks until the worker is paused (or ended); returns the state. */
ScmJobState scm_job_wait_paused (ScmJob *job);

void        scm_job_get_progress (ScmJob *job, ScmJobProgress *out);
/* Copies of the histories (free with g_array_unref): ScmEpochRecord and
 * float step losses. */
void        scm_job_copy_history (ScmJob *job, GArray **epochs, GArray **step_losses);

/* Only while PAUSED, READY or ended (else SCM_ERROR_INVALID). */
gboolean    scm_job_save_checkpoint (ScmJob *job, const char *path, GError **error);
/* The trainer, once the job is not running (paused jobs must be cancelled
 * first); the job gives it up. NULL while running. */
ScmTrainer *scm_job_steal_trainer (ScmJob *job);

const char *scm_job_state_name (ScmJobState state);

G_END_DECLS
