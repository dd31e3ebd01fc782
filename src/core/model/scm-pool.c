/* scm-pool.c: see scm-pool.h. */
#include "scm-pool.h"

struct _ScmPool {
  int n;
  GThread **threads;
  GMutex lock;
  GCond start, done;
  guint64 generation;
  int pending;
  gboolean quit;
  ScmPoolFn fn;
  gpointer ctx;
};

typedef struct {
  ScmPool *pool;
  int tid;
} WorkerArg;

static gpointer
worker (gpointer data)
{
  WorkerArg *arg = data;
  ScmPool *p = arg->pool;
  int tid = arg->tid;
  guint64 seen = 0;
  g_free (arg);
  g_mutex_lock (&p->lock);
  for (;;)
    {
      while (!p->quit && p->generation == seen)
        g_cond_wait (&p->start, &p->lock);
      if (p->quit)
        break;
      seen = p->generation;
      ScmPoolFn fn = p->fn;
      gpointer ctx = p->ctx;
      g_mutex_unlock (&p->lock);
      fn (ctx, tid, p->n);
      g_mutex_lock (&p->lock);
      if (--p->pending == 0)
        g_cond_signal (&p->done);
    }
  g_mutex_unlock (&p->lock);
  return NULL;
}

ScmPool *
scm_pool_new (int n_threads)
{
  ScmPool *p = g_new0 (ScmPool, 1);
  p->n = MAX (1, n_threads);
  g_mutex_init (&p->lock);
  g_cond_init (&p->start);
  g_cond_init (&p->done);
  p->threads = g_new0 (GThread *, p->n);
  for (int t = 1; t < p->n; t++)
    {
      WorkerArg *arg = g_new (WorkerArg, 1);
      arg->pool = p;
      arg->tid = t;
      p->threads[t] = g_thread_new ("scm-model", worker, arg);
    }
  return p;
}

void
scm_pool_free (ScmPool *p)
{
  if (p == NULL)
    return;
  g_mutex_lock (&p->lock);
  p->quit = TRUE;
  g_cond_broadcast (&p->start);
  g_mutex_unlock (&p->lock);
  for (int t = 1; t < p->n; t++)
    g_thread_join (p->threads[t]);
  g_free (p->threads);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->start);
  g_cond_clear (&p->done);
  g_free (p);
}

int
scm_pool_n_threads (const ScmPool *p)
{
  return p->n;
}

void
scm_pool_run (ScmPool *p, ScmPoolFn fn, gpointer ctx)
{
  if (p->n == 1)
    {
      fn (ctx, 0, 1);
      return;
    }
  g_mutex_lock (&p->lock);
  p->fn = fn;
  p->ctx = ctx;
  p->pending = p->n - 1;
  p->generation++;
  g_cond_broadcast (&p->start);
  g_mutex_unlock (&p->lock);
  fn (ctx, 0, p->n);
  g_mutex_lock (&p->lock);
  while (p->pending > 0)
    g_cond_wait (&p->done, &p->lock);
  g_mutex_unlock (&p->lock);
}
