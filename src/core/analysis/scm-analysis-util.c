/* scm-analysis-util.c: parallel-for and allocation helpers of the analysis
 * area (see scm-analysis-private.h). */
#include "scm-analysis-private.h"

typedef struct {
  ScmParallelFunc f;
  gpointer        data;
  int             t, T;
} Job;

static gpointer
job_main (gpointer p)
{
  Job *j = p;
  j->f (j->t, j->T, j->data);
  return NULL;
}

void
_scm_parallel_run (int n_threads, ScmParallelFunc f, gpointer data)
{
  if (n_threads <= 1)
    {
      f (0, 1, data);
      return;
    }
  Job *jobs = g_new0 (Job, n_threads);
  GThread **th = g_new0 (GThread *, n_threads);
  for (int t = 0; t < n_threads; t++)
    jobs[t] = (Job) { f, data, t, n_threads };
  for (int t = 1; t < n_threads; t++)
    {
      th[t] = g_thread_try_new ("scm-analysis", job_main, &jobs[t], NULL);
      if (th[t] == NULL)   /* no thread: run its share here, same result */
        job_main (&jobs[t]);
    }
  job_main (&jobs[0]);
  for (int t = 1; t < n_threads; t++)
    if (th[t])
      g_thread_join (th[t]);
  g_free (th);
  g_free (jobs);
}

void
_scm_barrier_init (ScmBarrier *b, int n_threads)
{
  g_mutex_init (&b->mutex);
  g_cond_init (&b->cond);
  b->n_threads = n_threads;
  b->waiting = 0;
  b->round = 0;
}

void
_scm_barrier_clear (ScmBarrier *b)
{
  g_mutex_clear (&b->mutex);
  g_cond_clear (&b->cond);
}

/* Spins a little before sleeping: rounds here are milliseconds apart and
 * the others usually arrive within microseconds, far less than a sleep
 * and wake-up through the kernel costs (~100 us on a VM). */
void
_scm_barrier_wait (ScmBarrier *b)
{
  guint round = (guint) g_atomic_int_get (&b->round);
  if (g_atomic_int_add (&b->waiting, 1) == b->n_threads - 1)
    {
      g_atomic_int_set (&b->waiting, 0);
      g_mutex_lock (&b->mutex);
      g_atomic_int_inc (&b->round);
      g_cond_broadcast (&b->cond);
      g_mutex_unlock (&b->mutex);
      return;
    }
  for (int i = 0; i < 4000; i++)
    {
      if ((guint) g_atomic_int_get (&b->round) != round)
        return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause ();
#endif
    }
  g_mutex_lock (&b->mutex);
  while ((guint) g_atomic_int_get (&b->round) == round)   /* also spurious wake-ups */
    g_cond_wait (&b->cond, &b->mutex);
  g_mutex_unlock (&b->mutex);
}

/* Threads of _scm_parallel_run_together wait at this gate until all have
 * started: 1 = run, -1 = one could not be started, return. */
typedef struct {
  GMutex mutex;
  GCond  cond;
  int    state;
} Gate;

typedef struct {
  Job   job;
  Gate *gate;
} GatedJob;

static gpointer
gated_job_main (gpointer p)
{
  GatedJob *g = p;
  g_mutex_lock (&g->gate->mutex);
  while (g->gate->state == 0)
    g_cond_wait (&g->gate->cond, &g->gate->mutex);
  int go = g->gate->state > 0;
  g_mutex_unlock (&g->gate->mutex);
  if (go)
    job_main (&g->job);
  return NULL;
}

gboolean
_scm_parallel_run_together (int n_threads, ScmParallelFunc f, gpointer data)
{
  if (n_threads <= 1)
    {
      f (0, 1, data);
      return TRUE;
    }
  Gate gate;
  g_mutex_init (&gate.mutex);
  g_cond_init (&gate.cond);
  gate.state = 0;
  GatedJob *jobs = g_new0 (GatedJob, n_threads);
  GThread **th = g_new0 (GThread *, n_threads);
  gboolean all = TRUE;
  for (int t = 0; t < n_threads; t++)
    jobs[t] = (GatedJob) { { f, data, t, n_threads }, &gate };
  for (int t = 1; t < n_threads && all; t++)
    {
      th[t] = g_thread_try_new ("scm-analysis", gated_job_main, &jobs[t], NULL);
      all = th[t] != NULL;
    }
  g_mutex_lock (&gate.mutex);
  gate.state = all ? 1 : -1;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.mutex);
  if (all)
    job_main (&jobs[0].job);
  for (int t = 1; t < n_threads; t++)
    if (th[t])
      g_thread_join (th[t]);
  g_free (th);
  g_free (jobs);
  g_mutex_clear (&gate.mutex);
  g_cond_clear (&gate.cond);
  return all;
}

int
_scm_analysis_threads (int requested)
{
  if (requested > 0)
    return MIN (requested, 256);
  return MAX (1, (int) g_get_num_processors ());
}

gpointer
_scm_try_alloc (gsize n, gsize size, const char *what, GError **error)
{
  if (n == 0)
    return g_malloc0 (1);
  if (n > G_MAXSIZE / size)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                   "%s: %" G_GSIZE_FORMAT " elements do not fit in memory", what, n);
      return NULL;
    }
  gpointer p = g_try_malloc (n * size);
  if (p == NULL)
    g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                 "%s: cannot allocate %" G_GSIZE_FORMAT " MiB", what,
                 (n * size) >> 20);
  return p;
}
