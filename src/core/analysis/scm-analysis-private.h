/* scm-analysis-private.h: helpers shared by the analysis kernels.
 *
 * A static-schedule parallel-for (thread t of T always gets the same share
 * of work, so results are reproducible for a fixed thread count), the
 * error-reporting allocator, and the bounded max-heap used by both kNN
 * searches.  Not installed, not for other areas.
 */
#pragma once

#include <glib.h>
#include <math.h>

#include "scm-error.h"

typedef void (*ScmParallelFunc) (int thread, int n_threads, gpointer data);

/* Runs f(t, T, data) for t = 0..T-1, t = 0 on the calling thread. */
void     _scm_parallel_run (int n_threads, ScmParallelFunc f, gpointer data);
/* f(t, T, data) on T threads running at the same time, for work that
 * synchronises between its threads (a ScmBarrier): unlike
 * _scm_parallel_run it never runs a share on the calling thread after
 * another (that would wait forever at the first barrier).  Returns FALSE,
 * having run nothing, if not all threads could be started. */
gboolean _scm_parallel_run_together (int n_threads, ScmParallelFunc f, gpointer data);
/* A reusable barrier for the threads of one _scm_parallel_run_together (for work
 * in rounds, e.g. epochs, without starting threads for each round). */
typedef struct {
  GMutex mutex;
  GCond  cond;
  int    n_threads;
  gint   waiting, round;   /* atomic */
} ScmBarrier;

void     _scm_barrier_init  (ScmBarrier *b, int n_threads);
void     _scm_barrier_clear (ScmBarrier *b);
/* Returns once all n_threads threads have called it for this round. */
void     _scm_barrier_wait  (ScmBarrier *b);
/* requested <= 0 -> number of processors; at least 1. */
int      _scm_analysis_threads (int requested);
/* g_try_malloc of n * size with an overflow check; sets SCM_ERROR_NO_MEMORY
 * naming `what`.  n == 0 returns a valid 1-byte block. */
gpointer _scm_try_alloc (gsize n, gsize size, const char *what, GError **error);

/* Bounded max-heap of (distance, index) pairs, size K, root = worst.
 * Empty slots hold index -1 and distance +inf. flags may be NULL. */
static inline void
_scm_heap_init (gint32 *idx, float *dist, guint8 *flags, int K)
{
  for (int i = 0; i < K; i++)
    {
      idx[i] = -1;
      dist[i] = INFINITY;
      if (flags)
        flags[i] = 0;
    }
}

/* Pushes (d, j) if better than the root and not already present.
 * Returns 1 if the heap changed. */
static inline int
_scm_heap_push (gint32 *idx, float *dist, guint8 *flags, int K, float d, gint32 j, guint8 flag)
{
  if (!(d < dist[0]))
    return 0;
  for (int i = 0; i < K; i++)
    if (idx[i] == j)
      return 0;
  int i = 0;
  for (;;)
    {
      int l = 2 * i + 1, r = l + 1, m = i;
      float dm = d;
      if (l < K && dist[l] > dm)
        m = l, dm = dist[l];
      if (r < K && dist[r] > dm)
        m = r, dm = dist[r];
      if (m == i)
        break;
      idx[i] = idx[m];
      dist[i] = dist[m];
      if (flags)
        flags[i] = flags[m];
      i = m;
    }
  idx[i] = j;
  dist[i] = d;
  if (flags)
    flags[i] = flag;
  return 1;
}

/* Sorts a heap ascending by (distance, index) in place (insertion sort:
 * K is small). */
static inline void
_scm_heap_sort (gint32 *idx, float *dist, int K)
{
  for (int i = 1; i < K; i++)
    {
      float d = dist[i];
      gint32 j = idx[i];
      int p = i - 1;
      while (p >= 0 && (dist[p] > d || (dist[p] == d && (guint32) idx[p] > (guint32) j)))
        {
          dist[p + 1] = dist[p];
          idx[p + 1] = idx[p];
          p--;
        }
      dist[p + 1] = d;
      idx[p + 1] = j;
    }
}

/* Squared Euclidean distance with four partial sums (vectorises without
 * -ffast-math). */
static inline float
_scm_sqdist (const float *a, const float *b, gint64 d)
{
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  gint64 i = 0;
  for (; i + 4 <= d; i += 4)
    {
      float t0 = a[i] - b[i], t1 = a[i + 1] - b[i + 1];
      float t2 = a[i + 2] - b[i + 2], t3 = a[i + 3] - b[i + 3];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
  for (; i < d; i++)
    {
      float t = a[i] - b[i];
      s0 += t * t;
    }
  return (s0 + s1) + (s2 + s3);
}

/* Tests only: run a multi-slab UMAP layout's slabs one after another on
 * the calling thread instead of on threads (the same result, if the
 * threads do not race). */
void     _scm_umap_run_slabs_in_turn (gboolean in_turn);
