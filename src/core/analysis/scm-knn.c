/* scm-knn.c: exact (naive and BLAS-blocked) and NN-descent kNN search.
 *
 * All searches work on squared Euclidean distances internally; cosine is
 * Euclidean on unit-normalised rows (|x - y|^2 = 2 - 2 cos), reported as
 * 1 - cos.  Heaps hold the k - 1 nearest others; self is prepended at the
 * end, as Scanpy stores it.  Zero rows under cosine stay zero (distance
 * 0.5 to every unit vector instead of sklearn's 1; documented, rare).
 *
 * NN-descent follows Dong, Moses & Li (WWW 2011) with pynndescent's
 * choices: random-projection-tree leaves for the initial graph, new/old
 * candidate flags, at most max(k, 60) sampled candidates per side (as umap-learn asks) with
 * random priorities (here a hash of (seed, iteration, u, v), so the sample
 * does not depend on thread timing), stop when updates < 0.001 n k.
 * Every parallel phase writes only to heaps its thread owns (node % T), so
 * the output is a pure function of (X, seed, n_threads).
 */
#include "scm-knn.h"
#include "scm-analysis-private.h"
#include "util/scm-blas.h"
#include "util/scm-rng.h"

#include <stdlib.h>
#include <string.h>

void
scm_knn_options_init (ScmKnnOptions *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->k = 15;
  opts->metric = SCM_METRIC_EUCLIDEAN;
  opts->method = SCM_KNN_AUTO;
}

const char *
scm_metric_name (ScmMetric metric)
{
  return metric == SCM_METRIC_COSINE ? "cosine" : "euclidean";
}

gboolean
scm_metric_from_name (const char *name, ScmMetric *metric)
{
  if (g_ascii_strcasecmp (name, "euclidean") == 0)
    *metric = SCM_METRIC_EUCLIDEAN;
  else if (g_ascii_strcasecmp (name, "cosine") == 0)
    *metric = SCM_METRIC_COSINE;
  else
    return FALSE;
  return TRUE;
}

gboolean
scm_knn_method_from_name (const char *name, ScmKnnMethod *method)
{
  if (g_ascii_strcasecmp (name, "auto") == 0)
    *method = SCM_KNN_AUTO;
  else if (g_ascii_strcasecmp (name, "exact") == 0)
    *method = SCM_KNN_EXACT;
  else if (g_ascii_strcasecmp (name, "nndescent") == 0)
    *method = SCM_KNN_NNDESCENT;
  else
    return FALSE;
  return TRUE;
}

const char *
scm_knn_method_name (ScmKnnMethod method)
{
  switch (method)
    {
    case SCM_KNN_EXACT:
      return "exact";
    case SCM_KNN_NNDESCENT:
      return "nndescent";
    default:
      return "auto";
    }
}

gboolean
scm_knn_alloc (ScmKnn *out, gint64 n, int k, GError **error)
{
  memset (out, 0, sizeof *out);
  out->indices = _scm_try_alloc ((gsize) n * k, sizeof (gint32), "kNN indices", error);
  if (!out->indices)
    return FALSE;
  out->distances = _scm_try_alloc ((gsize) n * k, sizeof (float), "kNN distances", error);
  if (!out->distances)
    {
      g_clear_pointer (&out->indices, g_free);
      return FALSE;
    }
  out->n = n;
  out->k = k;
  return TRUE;
}

void
scm_knn_clear (ScmKnn *knn)
{
  g_clear_pointer (&knn->indices, g_free);
  g_clear_pointer (&knn->distances, g_free);
  knn->n = 0;
  knn->k = 0;
}

ScmKnnMethod
scm_knn_resolve_method (ScmKnnMethod method, gint64 n)
{
  if (method != SCM_KNN_AUTO)
    return method;
  return n <= SCM_KNN_EXACT_MAX_CELLS ? SCM_KNN_EXACT : SCM_KNN_NNDESCENT;
}

gboolean
scm_knn_prefix (const ScmKnn *src, int k, ScmKnn *dst, GError **error)
{
  if (k < 1 || k > src->k)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "cannot take %d columns of a %d-neighbour table", k, src->k);
      return FALSE;
    }
  if (!scm_knn_alloc (dst, src->n, k, error))
    return FALSE;
  for (gint64 i = 0; i < src->n; i++)
    {
      memcpy (dst->indices + i * k, src->indices + i * src->k, sizeof (gint32) * k);
      memcpy (dst->distances + i * k, src->distances + i * src->k, sizeof (float) * k);
    }
  return TRUE;
}

/* Unit-normalised copy for cosine; NULL + error if out of memory. */
static float *
normalised_copy (const float *X, gint64 n, gint64 d, GError **error)
{
  float *Y = _scm_try_alloc ((gsize) n * d, sizeof (float), "normalised embedding", error);
  if (!Y)
    return NULL;
  for (gint64 i = 0; i < n; i++)
    {
      double s = 0;
      for (gint64 j = 0; j < d; j++)
        s += (double) X[i * d + j] * X[i * d + j];
      float inv = s > 0 ? (float) (1.0 / sqrt (s)) : 0.0f;
      for (gint64 j = 0; j < d; j++)
        Y[i * d + j] = X[i * d + j] * inv;
    }
  return Y;
}

/* Heaps (n, K) of squared distances -> output table with self first. */
static void
finish_table (gint32 *hidx, float *hdist, gint64 n, int K, ScmMetric metric, ScmKnn *out)
{
  for (gint64 i = 0; i < n; i++)
    {
      gint32 *hi = hidx + i * K;
      float *hd = hdist + i * K;
      _scm_heap_sort (hi, hd, K);
      gint32 *oi = out->indices + i * out->k;
      float *od = out->distances + i * out->k;
      oi[0] = (gint32) i;
      od[0] = 0.0f;
      for (int j = 0; j < K; j++)
        {
          float d2 = MAX (hd[j], 0.0f);
          oi[j + 1] = hi[j];
          od[j + 1] = metric == SCM_METRIC_COSINE ? 0.5f * d2 : sqrtf (d2);
        }
    }
}

/* ---- naive reference ------------------------------------------------- */

void
scm_knn_exact_naive (const float *X, gint64 n, gint64 d, ScmMetric metric, ScmKnn *out)
{
  const float *Y = X;
  float *tmp = NULL;
  if (metric == SCM_METRIC_COSINE)
    Y = tmp = normalised_copy (X, n, d, NULL);
  int K = out->k - 1;
  gint32 *hidx = g_new (gint32, (gsize) n * K);
  float *hdist = g_new (float, (gsize) n * K);
  for (gint64 i = 0; i < n; i++)
    {
      _scm_heap_init (hidx + i * K, hdist + i * K, NULL, K);
      for (gint64 j = 0; j < n; j++)
        {
          if (j == i)
            continue;
          double s = 0;
          for (gint64 c = 0; c < d; c++)
            {
              double t = (double) Y[i * d + c] - Y[j * d + c];
              s += t * t;
            }
          _scm_heap_push (hidx + i * K, hdist + i * K, NULL, K, (float) s, (gint32) j, 0);
        }
    }
  finish_table (hidx, hdist, n, K, metric, out);
  g_free (hidx);
  g_free (hdist);
  g_free (tmp);
}

/* ---- exact, blocked over sgemm --------------------------------------- */

enum { ROW_BLOCK = 256, COL_BLOCK = 2048 };

typedef struct {
  const float  *Y;       /* (n, d) possibly normalised */
  const float  *norms;   /* (n) squared norms */
  gint64        n, d;
  int           K;
  gint32       *hidx;
  float        *hdist;
  float       **gbuf;    /* per thread (ROW_BLOCK, COL_BLOCK) */
  GCancellable *cancellable;
} ExactJob;

static void
exact_worker (int t, int T, gpointer data)
{
  ExactJob *J = data;
  gint64 n = J->n, d = J->d;
  int K = J->K;
  float *G = J->gbuf[t];
  gint64 n_blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
  for (gint64 b = t; b < n_blocks; b += T)
    {
      if (J->cancellable && g_cancellable_is_cancelled (J->cancellable))
        return;
      gint64 r0 = b * ROW_BLOCK, rn = MIN (ROW_BLOCK, n - r0);
      for (gint64 r = 0; r < rn; r++)
        _scm_heap_init (J->hidx + (r0 + r) * K, J->hdist + (r0 + r) * K, NULL, K);
      for (gint64 c0 = 0; c0 < n; c0 += COL_BLOCK)
        {
          gint64 cn = MIN (COL_BLOCK, n - c0);
          /* G (rn, cn) = Y[r0:] Y[c0:]^T */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rn, (int) cn, (int) d,
                       1.0f, J->Y + r0 * d, (int) d, J->Y + c0 * d, (int) d, 0.0f, G, (int) cn);
          for (gint64 r = 0; r < rn; r++)
            {
              gint64 i = r0 + r;
              gint32 *hi = J->hidx + i * K;
              float *hd = J->hdist + i * K;
              const float *g = G + r * cn;
              float ni = J->norms[i];
              for (gint64 c = 0; c < cn; c++)
                {
                  float d2 = ni + J->norms[c0 + c] - 2.0f * g[c];
                  if (d2 < hd[0] && c0 + c != i)
                    _scm_heap_push (hi, hd, NULL, K, MAX (d2, 0.0f), (gint32) (c0 + c), 0);
                }
            }
        }
    }
}

gboolean
scm_knn_exact_blocked (const float *X, gint64 n, gint64 d, ScmMetric metric, int n_threads,
                       GCancellable *cancellable, ScmKnn *out, GError **error)
{
  gboolean ok = FALSE;
  int T = _scm_analysis_threads (n_threads);
  int K = out->k - 1;
  float *tmp = NULL, *norms = NULL;
  gint32 *hidx = NULL;
  float *hdist = NULL;
  float **gbuf = g_new0 (float *, T);
  const float *Y = X;
  if (metric == SCM_METRIC_COSINE)
    {
      if (!(Y = tmp = normalised_copy (X, n, d, error)))
        goto out;
    }
  if (!(norms = _scm_try_alloc (n, sizeof (float), "kNN norms", error)) ||
      !(hidx = _scm_try_alloc ((gsize) n * K, sizeof (gint32), "kNN heaps", error)) ||
      !(hdist = _scm_try_alloc ((gsize) n * K, sizeof (float), "kNN heaps", error)))
    goto out;
  for (int t = 0; t < T; t++)
    if (!(gbuf[t] = _scm_try_alloc ((gsize) ROW_BLOCK * COL_BLOCK, sizeof (float),
                                    "kNN distance block", error)))
      goto out;
  for (gint64 i = 0; i < n; i++)
    {
      float s = 0;
      for (gint64 c = 0; c < d; c++)
        s += Y[i * d + c] * Y[i * d + c];
      norms[i] = s;
    }
  ExactJob J = { Y, norms, n, d, K, hidx, hdist, gbuf, cancellable };
  _scm_parallel_run (T, exact_worker, &J);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;
  finish_table (hidx, hdist, n, K, metric, out);
  ok = TRUE;
out:
  for (int t = 0; t < T; t++)
    g_free (gbuf[t]);
  g_free (gbuf);
  g_free (tmp);
  g_free (norms);
  g_free (hidx);
  g_free (hdist);
  return ok;
}

/* ---- NN-descent ------------------------------------------------------- */

typedef struct {
  const float  *Y;
  gint64        n, d;
  int           K;          /* heap size (k - 1) */
  int           C;          /* max candidates per list */
  guint64       seed;
  gint32       *hidx;       /* (n, K) */
  float        *hdist;      /* (n, K) squared */
  guint8       *hflag;      /* (n, K) 1 = new */
  /* tree phase */
  gint32      **trees;      /* per tree: permutation of 0..n-1 */
  gint32      **leaf_of;    /* per tree: (n) leaf start offset in trees[t] */
  gint32      **leaf_end;   /* per tree: (n) leaf end offset */
  int           n_trees;
  int           leaf_size;
  /* candidate phase */
  gint32       *new_c;      /* (n, C) */
  gint32       *old_c;      /* (n, C) */
  guint32      *new_p;      /* (n, C) priorities (max-heap) */
  guint32      *old_p;
  int          *n_new, *n_old;
  guint64       iter;
  /* join phase */
  gint64        u0, u1;     /* node block */
  GArray      **updates;    /* per thread: Update */
  gint64       *changes;    /* per thread */
  GCancellable *cancellable;
} NndJob;

typedef struct {
  gint32 p, q;
  float  d;
} Update;

static inline guint32
hash_prio (guint64 seed, guint64 iter, guint64 u, guint64 v)
{
  guint64 z = seed ^ (iter * 0x9e3779b97f4a7c15ULL) ^ (u * 0xbf58476d1ce4e5b9ULL) ^
              (v * 0x94d049bb133111ebULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return (guint32) (z ^ (z >> 31));
}

/* Random-projection tree over idx[0..m): splits by the hyperplane halfway
 * between two random points, recording leaves of <= leaf_size points. */
static void
rp_split (NndJob *J, ScmRng *rng, gint32 *idx, gint64 m, gint64 off, gint32 *leaf_start,
          gint32 *leaf_end, float *normal, guint8 *side)
{
  gint64 d = J->d;
  if (m <= J->leaf_size)
    {
      for (gint64 i = 0; i < m; i++)
        {
          leaf_start[idx[i]] = (gint32) off;
          leaf_end[idx[i]] = (gint32) (off + m);
        }
      return;
    }
  gint64 a = scm_rng_below (rng, m), b = scm_rng_below (rng, m - 1);
  if (b >= a)
    b++;
  const float *xa = J->Y + (gint64) idx[a] * d, *xb = J->Y + (gint64) idx[b] * d;
  float off_h = 0;
  for (gint64 c = 0; c < d; c++)
    {
      normal[c] = xa[c] - xb[c];
      off_h -= normal[c] * 0.5f * (xa[c] + xb[c]);
    }
  gint64 n_left = 0;
  for (gint64 i = 0; i < m; i++)
    {
      const float *x = J->Y + (gint64) idx[i] * d;
      float s = off_h;
      for (gint64 c = 0; c < d; c++)
        s += normal[c] * x[c];
      side[i] = s > 0 ? 0 : (s < 0 ? 1 : (guint8) (scm_rng_next (rng) & 1));
      n_left += side[i] == 0;
    }
  if (n_left == 0 || n_left == m)   /* duplicates: split at random */
    {
      n_left = 0;
      for (gint64 i = 0; i < m; i++)
        {
          side[i] = (guint8) (scm_rng_next (rng) & 1);
          n_left += side[i] == 0;
        }
      if (n_left == 0 || n_left == m)
        {
          for (gint64 i = 0; i < m; i++)
            side[i] = i >= m / 2;
          n_left = m / 2;
        }
    }
  /* stable partition through a scratch copy kept in `side`'s sibling */
  gint32 *tmp = g_new (gint32, m);
  gint64 l = 0, r = n_left;
  for (gint64 i = 0; i < m; i++)
    tmp[side[i] == 0 ? l++ : r++] = idx[i];
  memcpy (idx, tmp, m * sizeof (gint32));
  g_free (tmp);
  rp_split (J, rng, idx, n_left, off, leaf_start, leaf_end, normal, side);
  rp_split (J, rng, idx + n_left, m - n_left, off + n_left, leaf_start, leaf_end, normal,
            side);
}

static void
tree_worker (int t, int T, gpointer data)
{
  NndJob *J = data;
  float *normal = g_new (float, J->d);
  guint8 *side = g_new (guint8, J->n);
  for (int tr = t; tr < J->n_trees; tr += T)
    {
      ScmRng rng;
      scm_rng_seed_stream (&rng, J->seed, 1000 + tr);
      for (gint64 i = 0; i < J->n; i++)
        J->trees[tr][i] = (gint32) i;
      rp_split (J, &rng, J->trees[tr], J->n, 0, J->leaf_of[tr], J->leaf_end[tr], normal, side);
    }
  g_free (normal);
  g_free (side);
}

/* Each thread fills the heaps of the nodes it owns from their leaves. */
static void
leaf_fill_worker (int t, int T, gpointer data)
{
  NndJob *J = data;
  int K = J->K;
  for (gint64 u = t; u < J->n; u += T)
    {
      gint32 *hi = J->hidx + u * K;
      float *hd = J->hdist + u * K;
      guint8 *hf = J->hflag + u * K;
      _scm_heap_init (hi, hd, hf, K);
      const float *xu = J->Y + u * J->d;
      for (int tr = 0; tr < J->n_trees; tr++)
        {
          const gint32 *perm = J->trees[tr];
          for (gint32 o = J->leaf_of[tr][u]; o < J->leaf_end[tr][u]; o++)
            {
              gint32 v = perm[o];
              if (v == u)
                continue;
              float dd = _scm_sqdist (xu, J->Y + (gint64) v * J->d, J->d);
              _scm_heap_push (hi, hd, hf, K, dd, v, 1);
            }
        }
      /* Too few distinct leaf mates (tiny leaves): random fill. */
      ScmRng rng;
      scm_rng_seed_stream (&rng, J->seed, 0x5eed0000ULL + (guint64) u);
      for (int tries = 0; hi[0] < 0 && tries < 4 * K + 16; tries++)
        {
          gint32 v = (gint32) scm_rng_below (&rng, J->n);
          if (v != u)
            _scm_heap_push (hi, hd, hf, K, _scm_sqdist (xu, J->Y + (gint64) v * J->d, J->d), v, 1);
        }
    }
}

/* Inserts v with priority p into a bounded max-priority heap (keeps the C
 * smallest priorities). */
static inline void
cand_push (gint32 *c, guint32 *pr, int *cnt, int C, gint32 v, guint32 p)
{
  for (int i = 0; i < *cnt; i++)
    if (c[i] == v)
      return;
  if (*cnt < C)
    {
      int i = (*cnt)++;
      while (i > 0)
        {
          int par = (i - 1) / 2;
          if (pr[par] >= p)
            break;
          c[i] = c[par];
          pr[i] = pr[par];
          i = par;
        }
      c[i] = v;
      pr[i] = p;
      return;
    }
  if (p >= pr[0])
    return;
  int i = 0;
  for (;;)
    {
      int l = 2 * i + 1, r = l + 1, m = i;
      guint32 pm = p;
      if (l < C && pr[l] > pm)
        m = l, pm = pr[l];
      if (r < C && pr[r] > pm)
        m = r, pm = pr[r];
      if (m == i)
        break;
      c[i] = c[m];
      pr[i] = pr[m];
      i = m;
    }
  c[i] = v;
  pr[i] = p;
}

static void
candidates_worker (int t, int T, gpointer data)
{
  NndJob *J = data;
  int K = J->K, C = J->C;
  for (gint64 u = t; u < J->n; u += T)
    J->n_new[u] = J->n_old[u] = 0;
  /* every thread scans all edges; it only writes lists of nodes it owns */
  for (gint64 u = 0; u < J->n; u++)
    {
      const gint32 *hi = J->hidx + u * K;
      const guint8 *hf = J->hflag + u * K;
      gboolean own_u = u % T == t;
      for (int j = 0; j < K; j++)
        {
          gint32 v = hi[j];
          if (v < 0)
            continue;
          guint32 p = hash_prio (J->seed, J->iter, (guint64) MIN (u, v), (guint64) MAX (u, v));
          if (hf[j])
            {
              if (own_u)
                cand_push (J->new_c + u * C, J->new_p + u * C, &J->n_new[u], C, v, p);
              if (v % T == t)
                cand_push (J->new_c + (gint64) v * C, J->new_p + (gint64) v * C, &J->n_new[v], C, (gint32) u, p);
            }
          else
            {
              if (own_u)
                cand_push (J->old_c + u * C, J->old_p + u * C, &J->n_old[u], C, v, p);
              if (v % T == t)
                cand_push (J->old_c + (gint64) v * C, J->old_p + (gint64) v * C, &J->n_old[v], C, (gint32) u, p);
            }
        }
    }
}

/* Entries sampled as new candidates become old.  A separate pass: the
 * candidate pass reads every node's flags. */
static void
flags_worker (int t, int T, gpointer data)
{
  NndJob *J = data;
  int K = J->K, C = J->C;
  for (gint64 u = t; u < J->n; u += T)
    {
      gint32 *hi = J->hidx + u * K;
      guint8 *hf = J->hflag + u * K;
      const gint32 *nc = J->new_c + u * C;
      for (int j = 0; j < K; j++)
        if (hf[j])
          for (int c = 0; c < J->n_new[u]; c++)
            if (nc[c] == hi[j])
              {
                hf[j] = 0;
                break;
              }
    }
}

static void
join_worker (int t, int T, gpointer data)
{
  NndJob *J = data;
  int K = J->K, C = J->C;
  gint64 d = J->d;
  GArray *ups = J->updates[t];
  g_array_set_size (ups, 0);
  gint64 span = J->u1 - J->u0;
  gint64 a = J->u0 + span * t / T, b = J->u0 + span * (t + 1) / T;
  for (gint64 u = a; u < b; u++)
    {
      const gint32 *nc = J->new_c + u * C, *oc = J->old_c + u * C;
      int nn = J->n_new[u], no = J->n_old[u];
      for (int i = 0; i < nn; i++)
        {
          gint32 p = nc[i];
          const float *xp = J->Y + (gint64) p * d;
          float tp = J->hdist[(gint64) p * K];
          for (int j = i + 1; j < nn + no; j++)
            {
              gint32 q = j < nn ? nc[j] : oc[j - nn];
              if (q == p)
                continue;
              float dd = _scm_sqdist (xp, J->Y + (gint64) q * d, d);
              if (dd < tp || dd < J->hdist[(gint64) q * K])
                {
                  Update up = { p, q, dd };
                  g_array_append_val (ups, up);
                }
            }
        }
    }
}

static void
apply_worker (int t, int T, gpointer data)
{
  NndJob *J = data;
  int K = J->K;
  gint64 c = 0;
  for (int s = 0; s < T; s++)
    {
      const Update *up = (const Update *) (gpointer) J->updates[s]->data;
      guint len = J->updates[s]->len;
      for (guint i = 0; i < len; i++)
        {
          gint32 p = up[i].p, q = up[i].q;
          if (p % T == t)
            c += _scm_heap_push (J->hidx + (gint64) p * K, J->hdist + (gint64) p * K,
                                 J->hflag + (gint64) p * K, K, up[i].d, q, 1);
          if (q % T == t)
            c += _scm_heap_push (J->hidx + (gint64) q * K, J->hdist + (gint64) q * K,
                                 J->hflag + (gint64) q * K, K, up[i].d, p, 1);
        }
    }
  J->changes[t] = c;
}

gboolean
scm_knn_nndescent (const float *X, gint64 n, gint64 d, ScmMetric metric, guint64 seed,
                   int n_threads, GCancellable *cancellable, ScmKnn *out, GError **error)
{
  gboolean ok = FALSE;
  int T = _scm_analysis_threads (n_threads);
  NndJob J = { 0 };
  float *tmp = NULL;
  J.Y = X;
  J.n = n;
  J.d = d;
  J.K = out->k - 1;
  J.C = MAX (out->k, 60);   /* umap-learn passes max_candidates = 60 */
  J.seed = seed;
  J.cancellable = cancellable;
  J.leaf_size = MAX (30, out->k + 5);
  J.n_trees = (int) CLAMP (3 + lround (pow ((double) n, 0.25) / 2.0), 4, 16);
  if (metric == SCM_METRIC_COSINE)
    {
      if (!(J.Y = tmp = normalised_copy (X, n, d, error)))
        return FALSE;
    }
  gsize nK = (gsize) n * J.K, nC = (gsize) n * J.C;
  J.trees = g_new0 (gint32 *, J.n_trees);
  J.leaf_of = g_new0 (gint32 *, J.n_trees);
  J.leaf_end = g_new0 (gint32 *, J.n_trees);
  J.updates = g_new0 (GArray *, T);
  J.changes = g_new0 (gint64, T);
  for (int s = 0; s < T; s++)
    J.updates[s] = g_array_new (FALSE, FALSE, sizeof (Update));
  if (!(J.hidx = _scm_try_alloc (nK, sizeof (gint32), "NN-descent heaps", error)) ||
      !(J.hdist = _scm_try_alloc (nK, sizeof (float), "NN-descent heaps", error)) ||
      !(J.hflag = _scm_try_alloc (nK, 1, "NN-descent heaps", error)))
    goto out;
  for (int tr = 0; tr < J.n_trees; tr++)
    if (!(J.trees[tr] = _scm_try_alloc (n, sizeof (gint32), "RP trees", error)) ||
        !(J.leaf_of[tr] = _scm_try_alloc (n, sizeof (gint32), "RP trees", error)) ||
        !(J.leaf_end[tr] = _scm_try_alloc (n, sizeof (gint32), "RP trees", error)))
      goto out;

  _scm_parallel_run (T, tree_worker, &J);
  _scm_parallel_run (T, leaf_fill_worker, &J);
  for (int tr = 0; tr < J.n_trees; tr++)
    {
      g_clear_pointer (&J.trees[tr], g_free);
      g_clear_pointer (&J.leaf_of[tr], g_free);
      g_clear_pointer (&J.leaf_end[tr], g_free);
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  if (!(J.new_c = _scm_try_alloc (nC, sizeof (gint32), "NN-descent candidates", error)) ||
      !(J.old_c = _scm_try_alloc (nC, sizeof (gint32), "NN-descent candidates", error)) ||
      !(J.new_p = _scm_try_alloc (nC, sizeof (guint32), "NN-descent candidates", error)) ||
      !(J.old_p = _scm_try_alloc (nC, sizeof (guint32), "NN-descent candidates", error)) ||
      !(J.n_new = _scm_try_alloc (n, sizeof (int), "NN-descent candidates", error)) ||
      !(J.n_old = _scm_try_alloc (n, sizeof (int), "NN-descent candidates", error)))
    goto out;

  int max_iter = MAX (5, (int) lround (log2 ((double) n)));
  const gint64 block = 16384;
  for (int it = 0; it < max_iter; it++)
    {
      J.iter = (guint64) it;
      _scm_parallel_run (T, candidates_worker, &J);
      _scm_parallel_run (T, flags_worker, &J);
      gint64 changes = 0;
      for (gint64 u0 = 0; u0 < n; u0 += block)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto out;
          J.u0 = u0;
          J.u1 = MIN (n, u0 + block);
          _scm_parallel_run (T, join_worker, &J);
          _scm_parallel_run (T, apply_worker, &J);
          for (int s = 0; s < T; s++)
            changes += J.changes[s];
        }
      if ((double) changes <= 0.001 * (double) n * J.K)
        break;
    }
  finish_table (J.hidx, J.hdist, n, J.K, metric, out);
  ok = TRUE;
out:
  for (int tr = 0; tr < J.n_trees; tr++)
    {
      g_free (J.trees[tr]);
      g_free (J.leaf_of[tr]);
      g_free (J.leaf_end[tr]);
    }
  g_free (J.trees);
  g_free (J.leaf_of);
  g_free (J.leaf_end);
  for (int s = 0; s < T; s++)
    g_array_unref (J.updates[s]);
  g_free (J.updates);
  g_free (J.changes);
  g_free (J.hidx);
  g_free (J.hdist);
  g_free (J.hflag);
  g_free (J.new_c);
  g_free (J.old_c);
  g_free (J.new_p);
  g_free (J.old_p);
  g_free (J.n_new);
  g_free (J.n_old);
  g_free (tmp);
  return ok;
}

/* ---- entry point ------------------------------------------------------ */

gboolean
scm_knn_compute (const float *X, gint64 n, gint64 d, const ScmKnnOptions *opts, ScmKnn *out,
                 GError **error)
{
  ScmKnnOptions def;
  if (opts == NULL)
    {
      scm_knn_options_init (&def);
      opts = &def;
    }
  memset (out, 0, sizeof *out);
  if (n < 2 || d < 1)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "kNN: need at least 2 points and 1 dimension (got %" G_GINT64_FORMAT
                   " x %" G_GINT64_FORMAT ")", n, d);
      return FALSE;
    }
  if (n > G_MAXINT32)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_UNSUPPORTED,
                   "kNN: %" G_GINT64_FORMAT " points exceed the 2^31 limit", n);
      return FALSE;
    }
  if (opts->k < 2 || opts->k > n)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "kNN: k = %d must be between 2 and the number of points (%" G_GINT64_FORMAT
                   ", self included)", opts->k, n);
      return FALSE;
    }
  for (gint64 i = 0; i < n * d; i++)
    if (!isfinite (X[i]))
      {
        g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                     "kNN: embedding value of point %" G_GINT64_FORMAT ", dimension %"
                     G_GINT64_FORMAT " is not finite", i / d, i % d);
        return FALSE;
      }
  if (!scm_knn_alloc (out, n, opts->k, error))
    return FALSE;
  ScmKnnMethod method = scm_knn_resolve_method (opts->method, n);
  gboolean ok;
  if (method == SCM_KNN_EXACT)
    ok = scm_knn_exact_blocked (X, n, d, opts->metric, opts->n_threads, opts->cancellable, out,
                                error);
  else
    ok = scm_knn_nndescent (X, n, d, opts->metric, opts->seed, opts->n_threads,
                            opts->cancellable, out, error);
  if (!ok)
    scm_knn_clear (out);
  return ok;
}

double
scm_knn_recall (const ScmKnn *approx, const ScmKnn *exact)
{
  int k = MIN (approx->k, exact->k);
  gint64 hits = 0, total = 0;
  for (gint64 i = 0; i < exact->n; i++)
    {
      const gint32 *a = approx->indices + i * approx->k, *e = exact->indices + i * exact->k;
      for (int x = 0; x < k; x++)
        {
          if (e[x] == i)
            continue;
          total++;
          for (int y = 0; y < k; y++)
            if (a[y] == e[x])
              {
                hits++;
                break;
              }
        }
    }
  return total ? (double) hits / (double) total : 1.0;
}
