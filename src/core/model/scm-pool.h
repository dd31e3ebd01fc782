/* scm-pool.h: a tiny fixed-size thread team for the model's per-step work.
 *
 * scm_pool_run() calls fn(ctx, tid, n) once on each of n threads (the
 * caller is thread 0) and returns when all are done.  Work is split by
 * thread id with scm_pool_range(), a fixed contiguous partition, so every
 * result is a deterministic function of the thread count.  Workers sleep
 * on a condition variable between runs (no spinning: the CPU is shared).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ScmPool ScmPool;
typedef void (*ScmPoolFn) (gpointer ctx, int tid, int n_threads);

ScmPool *scm_pool_new       (int n_threads);
void     scm_pool_free      (ScmPool *pool);
int      scm_pool_n_threads (const ScmPool *pool);
void     scm_pool_run       (ScmPool *pool, ScmPoolFn fn, gpointer ctx);

/* [lo, hi) of `total` items for thread tid of n. */
static inline void
scm_pool_range (gsize total, int tid, int n, gsize *lo, gsize *hi)
{
  *lo = total * tid / n;
  *hi = total * (tid + 1) / n;
}

G_END_DECLS
