/* scm-umap.c: UMAP layout as umap-learn 0.5 (see scm-umap.h), and the
 * trustworthiness metric used to check it.
 *
 * Disconnected graphs: each component gets its own spectral layout, the
 * components sit on a grid (umap-learn places them by a meta-embedding of
 * data centroids, which a graph-only API does not have).  densMAP and
 * non-Euclidean output spaces are not done.
 */
#include "scm-umap.h"
#include "scm-analysis-private.h"
#include "util/scm-blas.h"
#include "util/scm-rng.h"

#include <lapacke.h>
#include <string.h>

void
scm_umap_options_init (ScmUmapOptions *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->n_components = 2;
  opts->min_dist = 0.1;
  opts->spread = 1.0;
  opts->n_epochs = 0;
  opts->learning_rate = 1.0;
  opts->repulsion = 1.0;
  opts->negative_sample_rate = 5;
  opts->init = SCM_UMAP_INIT_SPECTRAL;
}

/* ---- a, b ------------------------------------------------------------- */

/* Least squares fit of 1 / (1 + a x^(2b)) on 300 points of [0, 3 spread]
 * by Levenberg-Marquardt from (1, 1), as scipy's curve_fit. */
void
scm_umap_find_ab (double spread, double min_dist, double *a_out, double *b_out)
{
  enum { N = 300 };
  double x[N], y[N];
  for (int i = 0; i < N; i++)
    {
      x[i] = spread * 3.0 * i / (N - 1);
      y[i] = x[i] < min_dist ? 1.0 : exp (-(x[i] - min_dist) / spread);
    }
  double a = 1, b = 1, lambda = 1e-3;
  double cost = 0;
  for (int i = 0; i < N; i++)
    {
      double u = x[i] > 0 ? pow (x[i], 2 * b) : 0;
      double r = 1.0 / (1.0 + a * u) - y[i];
      cost += r * r;
    }
  for (int it = 0; it < 1000; it++)
    {
      double JtJ[3] = { 0, 0, 0 }, Jtr[2] = { 0, 0 };
      for (int i = 0; i < N; i++)
        {
          if (x[i] <= 0)
            continue;
          double u = pow (x[i], 2 * b);
          double f = 1.0 / (1.0 + a * u);
          double r = f - y[i];
          double ja = -u * f * f, jb = -a * u * 2 * log (x[i]) * f * f;
          JtJ[0] += ja * ja;
          JtJ[1] += ja * jb;
          JtJ[2] += jb * jb;
          Jtr[0] += ja * r;
          Jtr[1] += jb * r;
        }
      gboolean improved = FALSE;
      for (int tries = 0; tries < 50 && !improved; tries++)
        {
          double A00 = JtJ[0] * (1 + lambda), A11 = JtJ[2] * (1 + lambda), A01 = JtJ[1];
          double det = A00 * A11 - A01 * A01;
          if (det == 0)
            break;
          double da = -(A11 * Jtr[0] - A01 * Jtr[1]) / det;
          double db = -(A00 * Jtr[1] - A01 * Jtr[0]) / det;
          double na = a + da, nb = b + db, nc = 0;
          for (int i = 0; i < N; i++)
            {
              double u = x[i] > 0 ? pow (x[i], 2 * nb) : 0;
              double r = 1.0 / (1.0 + na * u) - y[i];
              nc += r * r;
            }
          if (isfinite (nc) && nc <= cost)
            {
              double rel = (cost - nc) / MAX (cost, 1e-300);
              a = na;
              b = nb;
              cost = nc;
              lambda = MAX (lambda / 10, 1e-12);
              improved = TRUE;
              if (rel < 1e-15 && fabs (da) < 1e-12 && fabs (db) < 1e-12)
                it = 1000;
            }
          else
            lambda *= 10;
        }
      if (!improved)
        break;
    }
  *a_out = a;
  *b_out = b;
}

/* ---- spectral initialisation ----------------------------------------- */

typedef struct {
  const ScmGraph *g;
  const double   *dinv;   /* 1 / sqrt(degree) */
  const double   *x;
  double         *y;
} SpmvJob;

static void
spmv_worker (int t, int T, gpointer data)
{
  SpmvJob *J = data;
  gint64 n = J->g->n, a = n * t / T, b = n * (t + 1) / T;
  for (gint64 i = a; i < b; i++)
    {
      double s = 0;
      for (gint64 p = J->g->indptr[i]; p < J->g->indptr[i + 1]; p++)
        s += J->g->weights[p] * J->dinv[J->g->indices[p]] * J->x[J->g->indices[p]];
      J->y[i] = s * J->dinv[i];
    }
}

static double
dot (const double *a, const double *b, gint64 n)
{
  double s = 0;
  for (gint64 i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

gboolean
scm_umap_spectral_init (const ScmGraph *g, int dim, guint64 seed, float *embedding)
{
  gint64 n = g->n;
  if (n < dim + 2)
    return FALSE;
  gint32 *comp = g_new (gint32, n);
  gint64 nc = scm_graph_components (g, comp);
  g_free (comp);
  if (nc != 1)
    return FALSE;
  int m = (int) MIN (n - 1, n > 200000 ? 48 : 96);
  /* One SpMV is ~nnz flops and _scm_parallel_run starts threads per call:
   * below a few million entries a thread start per Lanczos step costs more
   * than it saves (on a busy machine far more: pbmc10k's init took 5 s of
   * wall clock for 0.2 s of CPU with 2 threads, 0.05-0.15 s serial). */
  int T = scm_graph_nnz (g) >= (1 << 22) ? _scm_analysis_threads (0) : 1;
  double *dinv = g_try_new (double, n), *triv = g_try_new (double, n);
  double *Q = g_try_new (double, (gsize) n * (m + 1));
  double *w = g_try_new (double, n);
  double *alpha = g_new (double, m), *beta = g_new (double, m + 1);
  double *evals = g_new (double, m), *evecs = g_new (double, (gsize) m * m), *e = g_new (double, m);
  double *h = g_new (double, m + 1);
  double *ritz = g_try_new0 (double, (gsize) n * dim);
  gboolean ok = FALSE;
  if (!dinv || !triv || !Q || !w || !ritz)
    goto out;
  double tn = 0;
  for (gint64 i = 0; i < n; i++)
    {
      double d = 0;
      for (gint64 p = g->indptr[i]; p < g->indptr[i + 1]; p++)
        d += g->weights[p];
      dinv[i] = 1.0 / sqrt (d);
      triv[i] = sqrt (d);   /* eigenvector of eigenvalue 1 */
      tn += d;
    }
  for (gint64 i = 0; i < n; i++)
    triv[i] /= sqrt (tn);
  /* start vector: ones (as umap-learn's v0) plus a little seeded noise so a
   * start orthogonal to the wanted vectors is unlikely */
  ScmRng rng;
  scm_rng_seed_stream (&rng, seed, 77);
  double *q0 = Q;
  for (gint64 i = 0; i < n; i++)
    q0[i] = 1.0 + 0.01 * scm_rng_normal (&rng);
  for (int restart = 0; restart < 4; restart++)
    {
      /* deflate the trivial vector, normalise */
      double c = dot (q0, triv, n);
      for (gint64 i = 0; i < n; i++)
        q0[i] -= c * triv[i];
      double nrm = sqrt (dot (q0, q0, n));
      if (!(nrm > 0))
        goto out;
      for (gint64 i = 0; i < n; i++)
        q0[i] /= nrm;
      int steps = 0;
      for (int j = 0; j < m; j++)
        {
          double *qj = Q + (gsize) j * n;
          SpmvJob J = { g, dinv, qj, w };
          _scm_parallel_run (T, spmv_worker, &J);
          /* full reorthogonalisation (twice, DGKS) against the trivial
           * vector and all previous Lanczos vectors, as two dgemv each */
          alpha[j] = 0;
          for (int pass = 0; pass < 2; pass++)
            {
              double ct = dot (w, triv, n);
              for (gint64 i = 0; i < n; i++)
                w[i] -= ct * triv[i];
              cblas_dgemv (CblasRowMajor, CblasNoTrans, j + 1, (int) n, 1.0, Q, (int) n, w, 1,
                           0.0, h, 1);
              cblas_dgemv (CblasRowMajor, CblasTrans, j + 1, (int) n, -1.0, Q, (int) n, h, 1,
                           1.0, w, 1);
              alpha[j] += h[j];
            }
          double b = sqrt (dot (w, w, n));
          beta[j + 1] = b;
          steps = j + 1;
          if (b < 1e-10)
            break;
          double *qn = Q + (gsize) (j + 1) * n;
          for (gint64 i = 0; i < n; i++)
            qn[i] = w[i] / b;
        }
      /* eigen-decomposition of the tridiagonal (steps x steps) */
      memcpy (evals, alpha, steps * sizeof (double));
      for (int j = 0; j + 1 < steps; j++)
        e[j] = beta[j + 1];
      if (LAPACKE_dstev (LAPACK_COL_MAJOR, 'V', steps, evals, e, evecs, steps) != 0)
        goto out;
      if (steps < dim)
        goto out;
      /* evals ascending: the wanted ones are the last dim */
      gboolean converged = TRUE;
      memset (ritz, 0, (gsize) n * dim * sizeof (double));
      for (int c2 = 0; c2 < dim; c2++)
        {
          int col = steps - 1 - c2;
          const double *s = evecs + (gsize) col * steps;
          double resid = fabs (beta[steps] * s[steps - 1]);
          if (resid > 1e-4)
            converged = FALSE;
          for (int j = 0; j < steps; j++)
            {
              const double *qj = Q + (gsize) j * n;
              for (gint64 i = 0; i < n; i++)
                ritz[i * dim + c2] += s[j] * qj[i];
            }
        }
      if (converged || restart == 3)
        break;
      /* explicit restart from the sum of the wanted Ritz vectors */
      for (gint64 i = 0; i < n; i++)
        {
          double s = 0;
          for (int c2 = 0; c2 < dim; c2++)
            s += ritz[i * dim + c2];
          q0[i] = s;
        }
    }
  /* umap-learn: scale to max |x| = 10 (then noise and [0, 10] rescaling
   * happen in the caller) */
  double mx = 0;
  for (gint64 i = 0; i < n * dim; i++)
    mx = MAX (mx, fabs (ritz[i]));
  if (!(mx > 0) || !isfinite (mx))
    goto out;
  for (gint64 i = 0; i < n * dim; i++)
    embedding[i] = (float) (ritz[i] * (10.0 / mx));
  ok = TRUE;
out:
  g_free (dinv);
  g_free (triv);
  g_free (Q);
  g_free (w);
  g_free (alpha);
  g_free (beta);
  g_free (evals);
  g_free (evecs);
  g_free (h);
  g_free (e);
  g_free (ritz);
  return ok;
}

/* Disconnected graphs: each component gets its own spectral layout (random
 * for components too small for it), shrunk into a cell of a grid; the
 * components are placed largest first.  umap-learn places components with
 * a meta-embedding of the data centroids; the graph alone does not have
 * them, so the grid keeps components apart and the SGD does the rest. */
static gboolean
multi_component_init (const ScmGraph *g, const gint32 *comp, gint64 nc, int dim, guint64 seed,
                      float *embedding)
{
  gint64 n = g->n;
  gint64 *size = g_new0 (gint64, nc), *start = g_new0 (gint64, nc + 1);
  gint32 *members = g_try_new (gint32, n), *local = g_try_new (gint32, n);
  gint32 *order = g_new (gint32, nc);
  if (!members || !local)
    {
      g_free (members);
      g_free (local);
      g_free (size);
      g_free (start);
      g_free (order);
      return FALSE;
    }
  for (gint64 i = 0; i < n; i++)
    size[comp[i]]++;
  for (gint64 c = 0; c < nc; c++)
    start[c + 1] = start[c] + size[c];
  gint64 *fill = g_memdup2 (start, nc * sizeof (gint64));
  for (gint64 i = 0; i < n; i++)
    {
      local[i] = (gint32) (fill[comp[i]] - start[comp[i]]);
      members[fill[comp[i]]++] = (gint32) i;
    }
  g_free (fill);
  /* components by decreasing size (stable): counting by size is overkill,
   * nc is small next to n */
  for (gint64 c = 0; c < nc; c++)
    order[c] = (gint32) c;
  for (gint64 i = 1; i < nc; i++)
    {
      gint32 v = order[i];
      gint64 j = i - 1;
      while (j >= 0 && size[order[j]] < size[v])
        {
          order[j + 1] = order[j];
          j--;
        }
      order[j + 1] = v;
      if (i > 4096)   /* many tiny components: the tail order does not matter */
        break;
    }
  gint64 side = (gint64) ceil (pow ((double) nc, 1.0 / dim));
  ScmRng rng;
  scm_rng_seed_stream (&rng, seed, 78);
  gint64 max_size = 0;
  for (gint64 c = 0; c < nc; c++)
    max_size = MAX (max_size, size[c]);
  float *sub = g_try_new (float, (gsize) max_size * dim);
  gboolean ok = sub != NULL;
  for (gint64 r = 0; r < nc && ok; r++)
    {
      gint32 c = order[r];
      gint64 m = size[c];
      const gint32 *mem = members + start[c];
      gboolean done = FALSE;
      if (m >= dim + 8)
        {
          ScmGraph h = { m, g_new0 (gint64, m + 1), NULL, NULL };
          gint64 nnz = 0;
          for (gint64 q = 0; q < m; q++)
            nnz += g->indptr[mem[q] + 1] - g->indptr[mem[q]];
          h.indices = g_new (gint32, MAX (nnz, 1));
          h.weights = g_new (double, MAX (nnz, 1));
          gint64 o = 0;
          for (gint64 q = 0; q < m; q++)
            {
              for (gint64 p = g->indptr[mem[q]]; p < g->indptr[mem[q] + 1]; p++)
                {
                  h.indices[o] = local[g->indices[p]];
                  h.weights[o++] = g->weights[p];
                }
              h.indptr[q + 1] = o;
            }
          done = scm_umap_spectral_init (&h, dim, seed + (guint64) r, sub);
          scm_graph_clear (&h);
        }
      if (!done)
        for (gint64 q = 0; q < m * dim; q++)
          sub[q] = (float) (scm_rng_uniform (&rng) * 20.0 - 10.0);
      /* grid cell r: coordinates of r in base `side`, cell width 1, the
       * component within +-0.4 of the centre */
      gint64 rr = r;
      for (int c2 = 0; c2 < dim; c2++)
        {
          float centre = (float) (rr % side);
          rr /= side;
          for (gint64 q = 0; q < m; q++)
            embedding[(gint64) mem[q] * dim + c2] = centre + 0.04f * sub[q * dim + c2];
        }
    }
  g_free (sub);
  g_free (members);
  g_free (local);
  g_free (size);
  g_free (start);
  g_free (order);
  return ok;
}

/* ---- SGD -------------------------------------------------------------- */

typedef struct {
  const gint32 *head, *tail;
  const double *eps;        /* epochs per sample */
  const double *epns;       /* epochs per negative sample */
  double       *next;       /* epoch of next sample */
  double       *next_neg;   /* epoch of next negative sample */
  const gint64 *part;       /* [T + 1]: thread t owns edges part[t] .. part[t + 1] - 1 */
  const gint64 *cells;      /* [T + 1]: ... and the cells (heads) cells[t] .. cells[t + 1] - 1 */
  float        *emb;
  float        *snap;       /* with T > 1: two copies of the embedding (see sgd_worker) */
  gint64        n;
  int           dim, n_epochs;
  float         a, b, gamma;
  double        learning_rate;
  ScmRng       *rngs;       /* per thread */
  ScmBarrier   *barrier;
  gint          stop_epoch; /* atomic; G_MAXINT, or the epoch after which thread 0 saw a cancel */
  const ScmUmapOptions *opts;
  GError      **error;      /* written by thread 0 only (the caller's thread) */
} SgdJob;

/* Where an epoch stands: its number (as the epoch rule compares it) and
 * its learning rate. */
typedef struct {
  double ep;
  float  alpha;
} SgdEpoch;

static inline float
clip4 (float v)
{
  return v > 4.0f ? 4.0f : (v < -4.0f ? -4.0f : v);
}

/* own ? mine : other, as a mask rather than a branch: which one it is
 * for a random negative sample is a coin toss the predictor loses. */
static inline const float *
pick_rows (const float *mine, const float *other, gboolean own)
{
  uintptr_t m = -(uintptr_t) (own != 0);
  return (const float *) (((uintptr_t) mine & m) | ((uintptr_t) other & ~m));
}

/* One sample of edge e (which is due): the attractive step on both ends,
 * then the edge's negative samples on its head.  `dim` is a literal at
 * the call sites below so the common 2-d case compiles to straight-line
 * code; that needs the function inlined into each, which GCC declines on
 * its own (the body is large), hence always_inline. */
static inline __attribute__ ((always_inline)) void
sgd_edge (const SgdJob *J, ScmRng *rng, SgdEpoch E, gint64 e, const float *neg_emb,
          guint64 own_lo, guint64 own_span, const int dim)
{
  const float a = J->a, b = J->b, alpha = E.alpha, gamma2b = 2.0f * J->gamma * J->b;
  const double ep = E.ep;
  const guint64 n = (guint64) J->n;
  float *emb = J->emb;
  gint32 j = J->head[e], k = J->tail[e];
  float *cur = emb + (gint64) j * dim;
  /* A tail in another thread's slab is read from the snapshot and left
   * alone: its owner moves it through the reverse edge (the graph is
   * symmetric, both directions sampled at the same rate), and the head
   * takes the step of both directions, twice this one's.  Each thread
   * thus writes only its own cells and reads others' only from the
   * snapshot: no races, and the result is a function of the thread
   * count, not of timing. */
  gboolean own_tail = (guint64) k - own_lo < own_span;
  const float *oth = pick_rows (emb, neg_emb, own_tail) + (gint64) k * dim;
  const float pull = own_tail ? 1.0f : 2.0f;
  int n_neg = (int) ((ep - J->next_neg[e]) / J->epns[e]);
  /* All terms of this sample (the attraction to the tail and up to 8
   * repulsions from random cells) are evaluated at the head's current
   * position and applied together, each clipped as in umap-learn.
   * umap-learn applies them one after another; evaluated at one point
   * they do not wait for each other, which cuts the chain of dependent
   * steps through the head by more than half (pbmc10k's layout took
   * ~15% less time; trustworthiness unchanged, see test-umap). */
  int nb = MIN (n_neg, 8);
  gint64 kk[8];
  const float *o2[8];
  float dn[8];
  for (int q = 0; q < nb; q++)
    {
      kk[q] = (gint64) scm_rng_below_inline (rng, n);
      o2[q] = pick_rows (emb, neg_emb, (guint64) kk[q] - own_lo < own_span) + kk[q] * dim;
      float s = 0;
      for (int c = 0; c < dim; c++)
        s += (cur[c] - o2[q][c]) * (cur[c] - o2[q][c]);
      dn[q] = s;
    }
  float d2 = 0;
  for (int c = 0; c < dim; c++)
    d2 += (cur[c] - oth[c]) * (cur[c] - oth[c]);
  float coeff = 0;
  if (d2 > 0)
    {
      /* -2ab d^(b-1) / (a d^b + 1) with one power */
      float pw = powf (d2, b);
      coeff = (-2.0f * a * b * pw / d2) / (a * pw + 1.0f);
    }
  /* repulsion 2 gamma b / ((0.001 + d) (a d^b + 1)); a cell coincident
   * with the head (not itself) is pushed by 4 in every coordinate */
  float rc[8];
  for (int q = 0; q < nb; q++)
    rc[q] = dn[q] > 0 ? gamma2b / ((0.001f + dn[q]) * (a * powf (dn[q], b) + 1.0f))
                      : (kk[q] == j ? 0.0f : -1.0f);
  for (int c = 0; c < dim; c++)
    {
      float x = cur[c];
      float gd = clip4 (coeff * (x - oth[c]));
      if (own_tail)
        emb[(gint64) k * dim + c] -= gd * alpha;
      float g = gd * pull;
      for (int q = 0; q < nb; q++)
        g += rc[q] > 0 ? clip4 (rc[q] * (x - o2[q][c])) : (rc[q] < 0 ? 4.0f : 0.0f);
      cur[c] = x + g * alpha;
    }
  /* more than 8 negative samples (rare: a late first one): in turn */
  for (int q = 8; q < n_neg; q++)
    {
      gint64 k2 = (gint64) scm_rng_below_inline (rng, n);
      const float *p2 = pick_rows (emb, neg_emb, (guint64) k2 - own_lo < own_span) + k2 * dim;
      float s = 0;
      for (int c = 0; c < dim; c++)
        s += (cur[c] - p2[c]) * (cur[c] - p2[c]);
      float r = s > 0 ? gamma2b / ((0.001f + s) * (a * powf (s, b) + 1.0f)) : (k2 == j ? 0.0f : -1.0f);
      for (int c = 0; c < dim; c++)
        cur[c] += (r > 0 ? clip4 (r * (cur[c] - p2[c])) : (r < 0 ? 4.0f : 0.0f)) * alpha;
    }
  J->next[e] += J->eps[e];
  J->next_neg[e] += n_neg * J->epns[e];
}

/* Indices (relative to s0) of the edges in [s0, s1) due at epoch ep.
 * Which edges are due depends on each edge's weight, so a plain
 * `if (next[e] > ep) continue` mispredicts on a large share of them; the
 * list is built without branches. */
static inline __attribute__ ((always_inline)) int
due_edges (const SgdJob *J, double ep, gint64 s0, gint64 s1, gint32 *due)
{
  int n_due = 0;
  for (gint64 e = s0; e < s1; e++)
    {
      due[n_due] = (gint32) (e - s0);
      n_due += J->next[e] <= ep;
    }
  return n_due;
}

/* Epoch step over edges [lo, hi).  The edges are sorted by head, and all
 * samples of one head form a chain of dependent floating point steps
 * through its position (before the change in sgd_edge, ~250 cycles per
 * positive sample with its negatives, mostly latency).  So two halves of
 * the range are walked in lockstep: their chains are independent and
 * the core overlaps them.
 * The order of updates is a fixed interleaving of the edge list
 * (deterministic, and as valid an order as the list's own). */
static inline __attribute__ ((always_inline)) void
sgd_edges (const SgdJob *J_in, ScmRng *rng_in, SgdEpoch E, gint64 lo, gint64 hi,
           const float *neg_emb, guint64 own_lo, guint64 own_span, const int dim)
{
  /* Local copies: a float store into the layout may alias any field of
   * *J_in or *rng_in as far as the compiler knows, so it would reload
   * them after every store; locals whose address stays here do not. */
  const SgdJob Jl = *J_in, *J = &Jl;
  ScmRng rl = *rng_in, *rng = &rl;
  enum { STRETCH = 1024 };
  gint32 due_a[STRETCH], due_b[STRETCH];
  gint64 mid = lo + (hi - lo) / 2;
  for (gint64 a0 = lo, b0 = mid; a0 < mid || b0 < hi; a0 += STRETCH, b0 += STRETCH)
    {
      int na = a0 < mid ? due_edges (J, E.ep, a0, MIN (mid, a0 + STRETCH), due_a) : 0;
      int nb = b0 < hi ? due_edges (J, E.ep, b0, MIN (hi, b0 + STRETCH), due_b) : 0;
      int both = MIN (na, nb);
      for (int u = 0; u < both; u++)
        {
          sgd_edge (J, rng, E, a0 + due_a[u], neg_emb, own_lo, own_span, dim);
          sgd_edge (J, rng, E, b0 + due_b[u], neg_emb, own_lo, own_span, dim);
        }
      for (int u = both; u < na; u++)
        sgd_edge (J, rng, E, a0 + due_a[u], neg_emb, own_lo, own_span, dim);
      for (int u = both; u < nb; u++)
        sgd_edge (J, rng, E, b0 + due_b[u], neg_emb, own_lo, own_span, dim);
    }
  *rng_in = rl;
}

/* Slab t's share of epoch ep.  With several slabs each owns the edges
 * whose head lies in its slab of cells (see partition_cells), the cells
 * renumbered so that each slab is contiguous in memory; it writes only
 * its own cells and reads the others' from a snapshot of the layout taken
 * at the epoch's start (reading rows another core keeps writing would
 * move a cache line between the cores each time: why plain Hogwild lost
 * to one thread on two cores).  Two snapshots: epoch ep reads
 * snap[ep % 2] while slabs that are done write theirs into the other.
 * So a slab's epoch depends on nothing another slab does during the same
 * epoch: run on threads or one after another, the result is the same. */
static void
sgd_slab_epoch (const SgdJob *J, int t, int T, int ep)
{
  gint64 c0 = J->cells[t] * J->dim, c1 = J->cells[t + 1] * J->dim, size = J->n * J->dim;
  guint64 own_lo = J->cells[t], own_span = J->cells[t + 1] - J->cells[t];
  const float *neg_emb = T > 1 ? J->snap + (ep % 2) * size : J->emb;
  SgdEpoch E = { ep, (float) (J->learning_rate * (1.0 - (double) ep / J->n_epochs)) };
  if (J->dim == 2)
    sgd_edges (J, &J->rngs[t], E, J->part[t], J->part[t + 1], neg_emb, own_lo, own_span, 2);
  else
    sgd_edges (J, &J->rngs[t], E, J->part[t], J->part[t + 1], neg_emb, own_lo, own_span, J->dim);
  if (T > 1)
    memcpy (J->snap + ((ep + 1) % 2) * size + c0, J->emb + c0, (c1 - c0) * sizeof (float));
}

/* Slab t's part of the first snapshot. */
static void
sgd_slab_start (const SgdJob *J, int t, int T)
{
  gint64 c0 = J->cells[t] * J->dim, c1 = J->cells[t + 1] * J->dim;
  if (T > 1)
    memcpy (J->snap + c0, J->emb + c0, (c1 - c0) * sizeof (float));
}

/* After epoch ep (by the caller's thread): progress, or a cancel recorded
 * as the epoch to stop after. */
static void
sgd_epoch_done (SgdJob *J, int ep)
{
  if (g_cancellable_set_error_if_cancelled (J->opts->cancellable, J->error))
    g_atomic_int_set (&J->stop_epoch, ep);
  else if (J->opts->progress)
    J->opts->progress (ep + 1, J->n_epochs, J->opts->progress_data);
}

/* Thread t of T: slab t, all epochs, a barrier after each. */
static void
sgd_worker (int t, int T, gpointer data)
{
  SgdJob *J = data;
  sgd_slab_start (J, t, T);
  if (T > 1)
    _scm_barrier_wait (J->barrier);
  for (int ep = 0; ep < J->n_epochs; ep++)
    {
      sgd_slab_epoch (J, t, T, ep);
      /* Decided before the barrier, read after it, and naming its epoch:
       * a thread slow to read it after this barrier may already see the
       * value thread 0 sets in the next epoch, and must not stop early. */
      if (t == 0)
        sgd_epoch_done (J, ep);
      if (T > 1)
        _scm_barrier_wait (J->barrier);
      if (ep >= g_atomic_int_get (&J->stop_epoch))
        break;
    }
}

/* All slabs on the caller's thread, one after another each epoch: the
 * same result as sgd_worker on T threads (used when threads cannot be
 * started, and by the test that checks the threads do not race). */
static void
sgd_slabs_in_turn (SgdJob *J, int T)
{
  for (int t = 0; t < T; t++)
    sgd_slab_start (J, t, T);
  for (int ep = 0; ep < J->n_epochs; ep++)
    {
      for (int t = 0; t < T; t++)
        sgd_slab_epoch (J, t, T, ep);
      sgd_epoch_done (J, ep);
      if (ep >= J->stop_epoch)
        break;
    }
}

static gboolean slabs_in_turn_for_tests = FALSE;

void
_scm_umap_run_slabs_in_turn (gboolean in_turn)
{
  slabs_in_turn_for_tests = in_turn;
}

/* Thread of each cell for T > 1: slabs along the first coordinate of the
 * initial layout (a spectral layout puts graph neighbours close, so few
 * edges cross a slab boundary), cut where each holds an equal share of
 * the positive samples.  A weighted histogram of 64k bins finds the cuts
 * in O(n). */
static void
partition_cells (const float *emb, int dim, gint64 n, const double *work, int T, guint8 *part)
{
  enum { NB = 1 << 16 };
  float lo = INFINITY, hi = -INFINITY;
  for (gint64 i = 0; i < n; i++)
    {
      lo = MIN (lo, emb[i * dim]);
      hi = MAX (hi, emb[i * dim]);
    }
  double scale = hi > lo ? (NB - 1) / ((double) hi - lo) : 0;
  double *hist = g_new0 (double, NB);
  double total = 0;
  for (gint64 i = 0; i < n; i++)
    {
      hist[(int) ((emb[i * dim] - lo) * scale)] += work[i];
      total += work[i];
    }
  guint8 *bin_part = g_new (guint8, NB);
  double acc = 0;
  for (int k = 0; k < NB; k++)
    {
      bin_part[k] = (guint8) MIN (T - 1, total > 0 ? (int) (acc / total * T) : 0);
      acc += hist[k];
    }
  for (gint64 i = 0; i < n; i++)
    part[i] = bin_part[(int) ((emb[i * dim] - lo) * scale)];
  g_free (hist);
  g_free (bin_part);
}

/* umap-learn drops the edges too light to be sampled once in n_epochs. */
static inline gboolean
edge_kept (double w, double wmax, int n_epochs)
{
  return w >= wmax / n_epochs && w > 0;
}

int
scm_umap_layout_threads (const ScmUmapOptions *opts)
{
  return _scm_analysis_threads (opts ? opts->n_threads : 0);
}

gboolean
scm_umap_layout (const ScmGraph *g, const ScmUmapOptions *opts, float *embedding,
                 GError **error)
{
  ScmUmapOptions def;
  if (opts == NULL)
    {
      scm_umap_options_init (&def);
      opts = &def;
    }
  gint64 n = g->n;
  int dim = opts->n_components;
  if (n < 2 || dim < 1 || dim > 100)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "UMAP: need at least 2 points and 1-100 output dimensions (got %"
                   G_GINT64_FORMAT " points, %d dimensions)", n, dim);
      return FALSE;
    }
  if (!(opts->min_dist >= 0) || !(opts->spread > 0) || opts->min_dist > opts->spread * 3 ||
      opts->negative_sample_rate < 0 || opts->n_epochs < 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "UMAP: invalid parameters (min_dist %g, spread %g, negative samples %d, "
                   "epochs %d)", opts->min_dist, opts->spread, opts->negative_sample_rate,
                   opts->n_epochs);
      return FALSE;
    }
  double a, b;
  scm_umap_find_ab (opts->spread, opts->min_dist, &a, &b);
  int n_epochs = opts->n_epochs > 0 ? opts->n_epochs : (n <= 10000 ? 500 : 200);
  int T = scm_umap_layout_threads (opts);

  /* edges: both directions, weight >= max / n_epochs */
  gint64 nnz = scm_graph_nnz (g);
  double wmax = 0;
  for (gint64 p = 0; p < nnz; p++)
    wmax = MAX (wmax, g->weights[p]);
  gint64 ne = 0;
  for (gint64 p = 0; p < nnz; p++)
    ne += edge_kept (g->weights[p], wmax, n_epochs);
  gboolean ok = FALSE;
  gint32 *head = _scm_try_alloc (ne, sizeof (gint32), "UMAP edges", error);
  gint32 *tail = head ? _scm_try_alloc (ne, sizeof (gint32), "UMAP edges", error) : NULL;
  double *eps = tail ? _scm_try_alloc (ne, sizeof (double), "UMAP edges", error) : NULL;
  double *epns = eps ? _scm_try_alloc (ne, sizeof (double), "UMAP edges", error) : NULL;
  double *next = epns ? _scm_try_alloc (ne, sizeof (double), "UMAP edges", error) : NULL;
  double *next_neg = next ? _scm_try_alloc (ne, sizeof (double), "UMAP edges", error) : NULL;
  ScmRng *rngs = g_new (ScmRng, T);
  if (!next_neg)
    goto out;
  /* initialisation */
  ScmRng rng;
  scm_rng_seed_stream (&rng, opts->seed, 0);
  gboolean spectral = FALSE;
  if (opts->init == SCM_UMAP_INIT_SPECTRAL)
    {
      gint32 *comp = _scm_try_alloc (n, sizeof (gint32), "UMAP components", NULL);
      gint64 nc = comp ? scm_graph_components (g, comp) : 0;
      if (nc == 1)
        spectral = scm_umap_spectral_init (g, dim, opts->seed, embedding);
      else if (nc > 1)
        spectral = multi_component_init (g, comp, nc, dim, opts->seed, embedding);
      g_free (comp);
    }
  if (spectral)
    {
      for (gint64 i = 0; i < n * dim; i++)
        embedding[i] += (float) (1e-4 * scm_rng_normal (&rng));
    }
  else
    for (gint64 i = 0; i < n * dim; i++)
      embedding[i] = (float) (scm_rng_uniform (&rng) * 20.0 - 10.0);
  for (int c = 0; c < dim; c++)
    {
      float lo = INFINITY, hi = -INFINITY;
      for (gint64 i = 0; i < n; i++)
        {
          lo = MIN (lo, embedding[i * dim + c]);
          hi = MAX (hi, embedding[i * dim + c]);
        }
      float span = hi > lo ? hi - lo : 1.0f;
      for (gint64 i = 0; i < n; i++)
        embedding[i * dim + c] = 10.0f * (embedding[i * dim + c] - lo) / span;
    }

  /* With one thread: the edges in CSR order on the caller's embedding.
   * With several: cells renumbered slab by slab (original order within a
   * slab), edges grouped by the slab of their head, the SGD on a permuted
   * copy of the embedding. */
  gint64 *part_start = g_new0 (gint64, T + 1), *cell_start = g_new0 (gint64, T + 1);
  gint32 *new_id = NULL;
  float *work_emb = embedding, *snap = NULL;
  if (T > 1)
    {
      double *work = _scm_try_alloc (n, sizeof (double), "UMAP partition", error);
      guint8 *part = work ? _scm_try_alloc (n, 1, "UMAP partition", error) : NULL;
      new_id = part ? _scm_try_alloc (n, sizeof (gint32), "UMAP partition", error) : NULL;
      work_emb = new_id ? _scm_try_alloc (n * dim, sizeof (float), "UMAP partition", error) : NULL;
      snap = work_emb ? _scm_try_alloc (2 * n * dim, sizeof (float), "UMAP snapshot", error) : NULL;
      if (!snap)
        {
          g_free (work);
          g_free (part);
          g_free (new_id);
          g_free (work_emb);
          g_free (part_start);
          g_free (cell_start);
          goto out;
        }
      for (gint64 i = 0; i < n; i++)
        {
          work[i] = 0;
          for (gint64 p = g->indptr[i]; p < g->indptr[i + 1]; p++)
            if (edge_kept (g->weights[p], wmax, n_epochs))
              work[i] += g->weights[p] / wmax;
        }
      partition_cells (embedding, dim, n, work, T, part);
      g_free (work);
      for (gint64 i = 0; i < n; i++)
        {
          cell_start[part[i] + 1]++;
          for (gint64 p = g->indptr[i]; p < g->indptr[i + 1]; p++)
            part_start[part[i] + 1] += edge_kept (g->weights[p], wmax, n_epochs);
        }
      for (int t = 0; t < T; t++)
        cell_start[t + 1] += cell_start[t];
      gint64 *cfill = g_memdup2 (cell_start, T * sizeof (gint64));
      for (gint64 i = 0; i < n; i++)
        {
          new_id[i] = (gint32) cfill[part[i]]++;
          memcpy (work_emb + (gint64) new_id[i] * dim, embedding + i * dim, dim * sizeof (float));
        }
      g_free (cfill);
      g_free (part);
    }
  else
    {
      part_start[1] = ne;
      cell_start[1] = n;
    }
  for (int t = 0; t < T; t++)
    part_start[t + 1] += part_start[t];
  /* cells in increasing new number, so each group is sorted by head */
  gint64 *fill = g_memdup2 (part_start, T * sizeof (gint64));
  for (gint64 i = 0; i < n; i++)
    {
      gint32 ni = new_id ? new_id[i] : (gint32) i;
      int t = 0;
      while (ni >= cell_start[t + 1])
        t++;
      for (gint64 p = g->indptr[i]; p < g->indptr[i + 1]; p++)
        {
          double w = g->weights[p];
          if (!edge_kept (w, wmax, n_epochs))
            continue;
          gint64 e = fill[t]++;
          head[e] = ni;
          tail[e] = new_id ? new_id[g->indices[p]] : g->indices[p];
          double n_samples = n_epochs * (w / wmax);
          eps[e] = n_epochs / n_samples;
          epns[e] = opts->negative_sample_rate > 0 ? eps[e] / opts->negative_sample_rate : INFINITY;
          next[e] = eps[e];
          next_neg[e] = epns[e];
        }
    }
  g_free (fill);

  for (int t = 0; t < T; t++)
    scm_rng_seed_stream (&rngs[t], opts->seed, 100 + (guint64) t);
  ScmBarrier barrier;
  _scm_barrier_init (&barrier, T);
  SgdJob J = { head, tail, eps, epns, next, next_neg, part_start, cell_start, work_emb, snap, n,
               dim, n_epochs, (float) a, (float) b, (float) opts->repulsion,
               opts->learning_rate, rngs, &barrier, G_MAXINT, opts, error };
  if (!g_cancellable_set_error_if_cancelled (opts->cancellable, error) &&
      (slabs_in_turn_for_tests || !_scm_parallel_run_together (T, sgd_worker, &J)))
    sgd_slabs_in_turn (&J, T);
  _scm_barrier_clear (&barrier);
  if (new_id)
    for (gint64 i = 0; i < n; i++)
      memcpy (embedding + i * dim, work_emb + (gint64) new_id[i] * dim, dim * sizeof (float));
  if (work_emb != embedding)
    g_free (work_emb);
  g_free (new_id);
  g_free (snap);
  g_free (part_start);
  g_free (cell_start);
  if (g_atomic_int_get (&J.stop_epoch) != G_MAXINT || (error && *error))
    goto out;
  ok = TRUE;
out:
  g_free (head);
  g_free (tail);
  g_free (eps);
  g_free (epns);
  g_free (next);
  g_free (next_neg);
  g_free (rngs);
  return ok;
}

/* ---- trustworthiness ------------------------------------------------- */

typedef struct {
  const float *X, *E;
  gint64       d, de, n;
  int          k;
  double      *partial;   /* per thread */
} TrustJob;

static void
trust_worker (int t, int T, gpointer data)
{
  TrustJob *J = data;
  gint64 n = J->n;
  int k = J->k;
  float *dx = g_new (float, n);
  gint32 *hi = g_new (gint32, k);
  float *hd = g_new (float, k);
  double sum = 0;
  for (gint64 i = t; i < n; i += T)
    {
      const float *xi = J->X + i * J->d, *ei = J->E + i * J->de;
      _scm_heap_init (hi, hd, NULL, k);
      for (gint64 j = 0; j < n; j++)
        {
          dx[j] = _scm_sqdist (xi, J->X + j * J->d, J->d);
          if (j != i)
            _scm_heap_push (hi, hd, NULL, k, _scm_sqdist (ei, J->E + j * J->de, J->de),
                            (gint32) j, 0);
        }
      for (int q = 0; q < k; q++)
        {
          gint32 j = hi[q];
          float dj = dx[j];
          gint64 rank = 1;
          for (gint64 l = 0; l < n; l++)
            rank += l != i && (dx[l] < dj || (dx[l] == dj && l < j));
          if (rank > k)
            sum += (double) (rank - k);
        }
    }
  J->partial[t] = sum;
  g_free (dx);
  g_free (hi);
  g_free (hd);
}

double
scm_trustworthiness (const float *X, gint64 d, const float *E, gint64 de, gint64 n, int k)
{
  int T = _scm_analysis_threads (0);
  double *partial = g_new0 (double, T);
  TrustJob J = { X, E, d, de, n, k, partial };
  _scm_parallel_run (T, trust_worker, &J);
  double t = 0;
  for (int i = 0; i < T; i++)
    t += partial[i];
  g_free (partial);
  return 1.0 - t * (2.0 / ((double) n * k * (2.0 * n - 3.0 * k - 1.0)));
}
