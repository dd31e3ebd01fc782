/* scm-leiden.c: the Leiden algorithm (Traag, Waltman & van Eck 2019).
 *
 * Layout of one iteration (scm_leiden_iterate), as leidenalg's
 * Optimiser::optimise_partition with refinement:
 *   level 0 = the input graph with the input partition P
 *   repeat: move_nodes_fast (queue, random order)        -> P improves
 *           refine (singletons merged within each P-community,
 *                   random choice ~ exp(dH / theta))       -> R
 *           aggregate the level graph by R; the aggregate nodes start in
 *           their P community; node weights carry the summed degrees
 *   while the level graph shrinks and is not already one node per community.
 *
 * All moves are scored in the unnormalised form used by igraph's Leiden:
 *   dH(v -> C) = w(v, C) - gamma' K_v K_C,  gamma' = resolution / (2m)
 * (modularity is the RB configuration model at resolution 1 scaled by
 * 1/(2m), so it has the same maximisers; theta applies in these units).
 * Moves in the local-moving phase need dH > 0, so the quality never drops.
 */
#include "scm-leiden.h"
#include "scm-analysis-private.h"
#include "util/scm-rng.h"

#include <string.h>

void
scm_leiden_options_init (ScmLeidenOptions *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->quality = SCM_LEIDEN_RB_CONFIGURATION;
  opts->resolution = 1.0;
  opts->n_iterations = -1;
  opts->theta = 0.01;
  opts->seed = 0;
}

double
scm_leiden_quality (const ScmGraph *g, const gint32 *membership, ScmLeidenQuality quality,
                    double resolution)
{
  gint64 n = g->n;
  double *K = g_new0 (double, n), *in = g_new0 (double, n);
  double two_m = 0;
  for (gint64 u = 0; u < n; u++)
    for (gint64 p = g->indptr[u]; p < g->indptr[u + 1]; p++)
      {
        double w = g->weights[p];
        two_m += w;
        K[membership[u]] += w;
        if (membership[g->indices[p]] == membership[u])
          in[membership[u]] += w;   /* each internal edge twice = 2 e_c */
      }
  double gamma = quality == SCM_LEIDEN_MODULARITY ? 1.0 : resolution;
  double q = 0;
  for (gint64 c = 0; c < n; c++)
    q += in[c] - gamma * K[c] * K[c] / two_m;
  g_free (K);
  g_free (in);
  if (two_m == 0)
    return 0;
  return quality == SCM_LEIDEN_MODULARITY ? q / two_m : q;
}

gint32
scm_leiden_renumber (gint32 *membership, gint64 n)
{
  gint64 *size = g_new0 (gint64, n), *first = g_new (gint64, n);
  for (gint64 c = 0; c < n; c++)
    first[c] = G_MAXINT64;
  for (gint64 i = 0; i < n; i++)
    {
      size[membership[i]]++;
      first[membership[i]] = MIN (first[membership[i]], i);
    }
  gint32 *order = g_new (gint32, n);
  gint32 nc = 0;
  for (gint64 c = 0; c < n; c++)
    if (size[c] > 0)
      order[nc++] = (gint32) c;
  /* insertion sort would be O(nc^2); nc can be large on the first level */
  gint64 *keys = g_new (gint64, nc);
  for (gint32 i = 0; i < nc; i++)
    keys[i] = order[i];
  /* sort by (-size, first) with a simple merge sort on indices */
  gint32 *tmp = g_new (gint32, nc);
  for (gint32 width = 1; width < nc; width *= 2)
    {
      for (gint32 lo = 0; lo < nc; lo += 2 * width)
        {
          gint32 mid = MIN (lo + width, nc), hi = MIN (lo + 2 * width, nc);
          gint32 a = lo, b = mid, o = lo;
          while (a < mid || b < hi)
            {
              gboolean take_a;
              if (a >= mid)
                take_a = FALSE;
              else if (b >= hi)
                take_a = TRUE;
              else
                {
                  gint32 ca = order[a], cb = order[b];
                  take_a = size[ca] > size[cb] || (size[ca] == size[cb] && first[ca] <= first[cb]);
                }
              tmp[o++] = take_a ? order[a++] : order[b++];
            }
        }
      memcpy (order, tmp, nc * sizeof (gint32));
    }
  gint32 *newid = g_new (gint32, n);
  for (gint32 i = 0; i < nc; i++)
    newid[order[i]] = i;
  for (gint64 i = 0; i < n; i++)
    membership[i] = newid[membership[i]];
  g_free (newid);
  g_free (tmp);
  g_free (keys);
  g_free (order);
  g_free (size);
  g_free (first);
  return nc;
}

/* One level: a graph (CSR, no self loops needed) and node weights. */
typedef struct {
  gint64  n;
  gint64 *indptr;
  gint32 *indices;
  double *weights;
  double *node_w;    /* (n) summed degrees of the original nodes */
} Level;

static void
level_free (Level *L)
{
  g_free (L->indptr);
  g_free (L->indices);
  g_free (L->weights);
  g_free (L->node_w);
  memset (L, 0, sizeof *L);
}

/* Scratch reused across phases: neighbour-community accumulator. */
typedef struct {
  double *acc;      /* (n) weight to community, 0 when untouched */
  gint32 *touched;  /* (n) list of touched communities */
  gint64  n_touched;
} Scratch;

static inline void
scratch_add (Scratch *s, gint32 c, double w)
{
  if (s->acc[c] == 0)
    s->touched[s->n_touched++] = c;
  s->acc[c] += w;
  if (s->acc[c] == 0)   /* keep "touched" consistent for exact cancellation */
    s->acc[c] = 1e-300;
}

static inline void
scratch_reset (Scratch *s)
{
  for (gint64 i = 0; i < s->n_touched; i++)
    s->acc[s->touched[i]] = 0;
  s->n_touched = 0;
}

/* Fast local moving (Traag et al. Alg. A.2 MoveNodesFast).  comm in/out
 * with labels in [0, L->n).  Returns number of moves. */
static gint64
move_nodes_fast (const Level *L, gint32 *comm, double gamma, ScmRng *rng, Scratch *s,
                 GCancellable *cancellable)
{
  gint64 n = L->n, moves = 0;
  double *K = g_new0 (double, n);
  gint64 *csize = g_new0 (gint64, n);
  gint32 *empty = g_new (gint32, n);
  gint64 n_empty = 0;
  gint32 *queue = g_new (gint32, n);
  guint8 *inq = g_new (guint8, n);
  for (gint64 v = 0; v < n; v++)
    {
      K[comm[v]] += L->node_w[v];
      csize[comm[v]]++;
      queue[v] = (gint32) v;
      inq[v] = 1;
    }
  for (gint64 c = n - 1; c >= 0; c--)
    if (csize[c] == 0)
      empty[n_empty++] = (gint32) c;
  scm_rng_shuffle_i32 (rng, queue, n);
  /* circular queue of capacity n: each node is in it at most once */
  gint64 head = 0, count = n;
  gint64 steps = 0;
  while (count > 0)
    {
      if ((++steps & 0xffff) == 0 && cancellable && g_cancellable_is_cancelled (cancellable))
        break;
      gint32 v = queue[head];
      head = (head + 1) % n;
      count--;
      inq[v] = 0;
      gint32 cur = comm[v];
      double kv = L->node_w[v];
      for (gint64 p = L->indptr[v]; p < L->indptr[v + 1]; p++)
        if (L->indices[p] != v)
          scratch_add (s, comm[L->indices[p]], L->weights[p]);
      /* take v out of its community */
      K[cur] -= kv;
      csize[cur]--;
      double w_cur = s->acc[cur] > 1e-300 ? s->acc[cur] : 0;
      gint32 best = cur;
      double best_diff = w_cur - gamma * kv * K[cur];
      for (gint64 i = 0; i < s->n_touched; i++)
        {
          gint32 c = s->touched[i];
          if (c == cur)
            continue;
          double diff = s->acc[c] - gamma * kv * K[c];
          if (diff > best_diff)
            {
              best_diff = diff;
              best = c;
            }
        }
      /* an empty community: dH = 0 */
      if (best_diff < 0 && (csize[cur] == 0 || n_empty > 0))
        {
          best = csize[cur] == 0 ? cur : empty[n_empty - 1];
          best_diff = 0;
        }
      scratch_reset (s);
      if (best != cur)
        {
          if (best != cur && csize[best] == 0)
            n_empty--;   /* best was the top of the empty stack */
          if (csize[cur] == 0)
            empty[n_empty++] = cur;
          moves++;
          for (gint64 p = L->indptr[v]; p < L->indptr[v + 1]; p++)
            {
              gint32 u = L->indices[p];
              if (!inq[u] && comm[u] != best && u != v)
                {
                  queue[(head + count) % n] = u;
                  count++;
                  inq[u] = 1;
                }
            }
        }
      comm[v] = best;
      K[best] += kv;
      csize[best]++;
    }
  g_free (K);
  g_free (csize);
  g_free (empty);
  g_free (queue);
  g_free (inq);
  return moves;
}

/* Refinement (Alg. A.2 RefinePartition / MergeNodesSubset): returns the
 * refined labels in ref (each refined community inside one comm). */
static void
refine (const Level *L, const gint32 *comm, double gamma, double theta, ScmRng *rng,
        Scratch *s, gint32 *ref)
{
  gint64 n = L->n;
  double *Kc = g_new0 (double, n);      /* K of P-communities */
  double *Kr = g_new (double, n);       /* K of refined communities */
  double *Er = g_new0 (double, n);      /* E(R, S - R) */
  gint64 *rsize = g_new (gint64, n);
  gint32 *order = g_new (gint32, n);
  double *cand_w = g_new (double, n);
  gint32 *cand_c = g_new (gint32, n);
  for (gint64 v = 0; v < n; v++)
    {
      ref[v] = (gint32) v;
      Kr[v] = L->node_w[v];
      rsize[v] = 1;
      Kc[comm[v]] += L->node_w[v];
      order[v] = (gint32) v;
      for (gint64 p = L->indptr[v]; p < L->indptr[v + 1]; p++)
        {
          gint32 u = L->indices[p];
          if (u != v && comm[u] == comm[v])
            Er[v] += L->weights[p];
        }
    }
  scm_rng_shuffle_i32 (rng, order, n);
  for (gint64 oi = 0; oi < n; oi++)
    {
      gint32 v = order[oi];
      double kv = L->node_w[v];
      double KS = Kc[comm[v]];
      /* only singletons that are well connected to their community move */
      if (rsize[ref[v]] != 1 || ref[v] != v)
        continue;
      if (Er[v] < gamma * kv * (KS - kv))
        continue;
      for (gint64 p = L->indptr[v]; p < L->indptr[v + 1]; p++)
        {
          gint32 u = L->indices[p];
          if (u != v && comm[u] == comm[v])
            scratch_add (s, ref[u], L->weights[p]);
        }
      gint64 nc = 0;
      double max_diff = 0;
      cand_c[nc] = v;   /* staying alone: dH = 0 */
      cand_w[nc++] = 0;
      for (gint64 i = 0; i < s->n_touched; i++)
        {
          gint32 c = s->touched[i];
          if (c == v)
            continue;
          /* target must itself be well connected within S */
          if (Er[c] < gamma * Kr[c] * (KS - Kr[c]))
            continue;
          double diff = s->acc[c] - gamma * kv * Kr[c];
          if (diff >= 0)
            {
              cand_c[nc] = c;
              cand_w[nc++] = diff;
              max_diff = MAX (max_diff, diff);
            }
        }
      gint32 chosen = v;
      if (nc > 1)
        {
          double total = 0;
          for (gint64 i = 0; i < nc; i++)
            {
              cand_w[i] = exp ((cand_w[i] - max_diff) / theta);
              total += cand_w[i];
            }
          double r = scm_rng_uniform (rng) * total;
          chosen = cand_c[nc - 1];
          for (gint64 i = 0; i < nc; i++)
            {
              if (r < cand_w[i])
                {
                  chosen = cand_c[i];
                  break;
                }
              r -= cand_w[i];
            }
        }
      if (chosen != v)
        {
          double w_vc = s->acc[chosen];
          Er[chosen] = Er[chosen] + Er[v] - 2 * w_vc;
          Kr[chosen] += kv;
          rsize[chosen]++;
          rsize[v] = 0;
          ref[v] = chosen;
        }
      scratch_reset (s);
    }
  g_free (Kc);
  g_free (Kr);
  g_free (Er);
  g_free (rsize);
  g_free (order);
  g_free (cand_w);
  g_free (cand_c);
}

/* Relabels lab[0..n) to 0..k-1 in order of first appearance; returns k. */
static gint64
compact_labels (gint32 *lab, gint64 n, gint32 *map)
{
  for (gint64 i = 0; i < n; i++)
    map[i] = -1;
  gint64 k = 0;
  for (gint64 i = 0; i < n; i++)
    {
      if (map[lab[i]] < 0)
        map[lab[i]] = (gint32) k++;
      lab[i] = map[lab[i]];
    }
  return k;
}

/* Aggregate L by ref (labels 0..nr-1) into A (self loops dropped). */
static gboolean
aggregate (const Level *L, const gint32 *ref, gint64 nr, Scratch *s, Level *A, GError **error)
{
  gint64 n = L->n;
  gint64 *start = g_new0 (gint64, (gsize) nr + 1);
  gint32 *members = g_new (gint32, n);
  for (gint64 v = 0; v < n; v++)
    start[ref[v] + 1]++;
  for (gint64 r = 0; r < nr; r++)
    start[r + 1] += start[r];
  gint64 *fill = g_new (gint64, (gsize) MAX (nr, 1));
  memcpy (fill, start, nr * sizeof (gint64));
  for (gint64 v = 0; v < n; v++)
    members[fill[ref[v]]++] = (gint32) v;
  g_free (fill);

  memset (A, 0, sizeof *A);
  A->n = nr;
  A->indptr = g_new0 (gint64, (gsize) nr + 1);
  A->node_w = g_new0 (double, (gsize) MAX (nr, 1));
  GArray *idx = g_array_new (FALSE, FALSE, sizeof (gint32));
  GArray *wts = g_array_new (FALSE, FALSE, sizeof (double));
  for (gint64 r = 0; r < nr; r++)
    {
      for (gint64 m = start[r]; m < start[r + 1]; m++)
        {
          gint32 v = members[m];
          A->node_w[r] += L->node_w[v];
          for (gint64 p = L->indptr[v]; p < L->indptr[v + 1]; p++)
            {
              gint32 c = ref[L->indices[p]];
              if (c != r)
                scratch_add (s, c, L->weights[p]);
            }
        }
      for (gint64 i = 0; i < s->n_touched; i++)
        {
          gint32 c = s->touched[i];
          double w = s->acc[c];
          g_array_append_val (idx, c);
          g_array_append_val (wts, w);
        }
      scratch_reset (s);
      A->indptr[r + 1] = idx->len;
    }
  A->indices = (gint32 *) (gpointer) g_array_free (idx, FALSE);
  A->weights = (double *) (gpointer) g_array_free (wts, FALSE);
  g_free (start);
  g_free (members);
  (void) error;
  return TRUE;
}

gboolean
scm_leiden_iterate (const ScmGraph *g, const ScmLeidenOptions *opts, guint64 iteration,
                    gint32 *membership, gboolean *changed, GError **error)
{
  gint64 n = g->n;
  double two_m = 2 * scm_graph_total_weight (g);
  *changed = FALSE;
  if (n == 0 || two_m <= 0)
    return TRUE;
  double res = opts->quality == SCM_LEIDEN_MODULARITY ? 1.0 : opts->resolution;
  double gamma = res / two_m;
  double theta = opts->theta > 0 ? opts->theta : 0.01;
  ScmRng rng;
  scm_rng_seed_stream (&rng, opts->seed, iteration);

  Scratch s = { g_new0 (double, n), g_new (gint32, n), 0 };
  gint32 *orig = g_memdup2 (membership, n * sizeof (gint32));
  gint32 *map = g_new (gint32, n);    /* original node -> level node */
  gint32 *tmp = g_new (gint32, n);
  for (gint64 v = 0; v < n; v++)
    map[v] = (gint32) v;

  /* level 0 borrows the graph; node weights are degrees */
  Level L0 = { n, g->indptr, g->indices, g->weights, g_new0 (double, n) };
  for (gint64 v = 0; v < n; v++)
    for (gint64 p = g->indptr[v]; p < g->indptr[v + 1]; p++)
      L0.node_w[v] += g->weights[p];
  Level cur = L0;
  gboolean owned = FALSE;
  gint32 *comm = g_memdup2 (membership, n * sizeof (gint32));
  compact_labels (comm, n, tmp);
  gint32 *ref = g_new (gint32, n);
  gboolean ok = TRUE;
  for (;;)
    {
      move_nodes_fast (&cur, comm, gamma, &rng, &s, opts->cancellable);
      if (g_cancellable_set_error_if_cancelled (opts->cancellable, error))
        {
          ok = FALSE;
          break;
        }
      gint64 ncomm = compact_labels (comm, cur.n, tmp);
      /* write the current partition back to the original nodes */
      for (gint64 v = 0; v < n; v++)
        membership[v] = comm[map[v]];
      if (ncomm == cur.n)
        break;
      refine (&cur, comm, gamma, theta, &rng, &s, ref);
      gint64 nr = compact_labels (ref, cur.n, tmp);
      if (nr == cur.n)   /* refinement merged nothing: leidenalg stops here too */
        break;
      Level A;
      aggregate (&cur, ref, nr, &s, &A, NULL);
      gint32 *acomm = g_new (gint32, nr);
      for (gint64 v = 0; v < cur.n; v++)
        acomm[ref[v]] = comm[v];
      for (gint64 v = 0; v < n; v++)
        map[v] = ref[map[v]];
      gint64 prev_n = cur.n;
      if (owned)
        level_free (&cur);
      cur = A;
      owned = TRUE;
      memcpy (comm, acomm, nr * sizeof (gint32));
      g_free (acomm);
      if (!(nr < prev_n))
        break;
    }
  if (owned)
    level_free (&cur);
  g_free (L0.node_w);
  for (gint64 v = 0; v < n && ok; v++)
    if (membership[v] != orig[v])
      {
        /* compare as partitions: labels may be renamed */
        *changed = TRUE;
        break;
      }
  if (*changed)
    {
      /* same partition under relabelling? */
      gint32 *fwd = g_new (gint32, n), *bwd = g_new (gint32, n);
      for (gint64 i = 0; i < n; i++)
        fwd[i] = bwd[i] = -1;
      gboolean same = TRUE;
      for (gint64 v = 0; v < n && same; v++)
        {
          gint32 a = orig[v], b = membership[v];
          if (fwd[a] < 0 && bwd[b] < 0)
            {
              fwd[a] = b;
              bwd[b] = a;
            }
          else if (fwd[a] != b || bwd[b] != a)
            same = FALSE;
        }
      *changed = !same;
      g_free (fwd);
      g_free (bwd);
    }
  g_free (s.acc);
  g_free (s.touched);
  g_free (orig);
  g_free (map);
  g_free (tmp);
  g_free (comm);
  g_free (ref);
  return ok;
}

gboolean
scm_leiden (const ScmGraph *g, const ScmLeidenOptions *opts, gint32 *membership,
            gint32 *n_clusters, double *quality, GError **error)
{
  ScmLeidenOptions def;
  if (opts == NULL)
    {
      scm_leiden_options_init (&def);
      opts = &def;
    }
  if (opts->resolution < 0 || !isfinite (opts->resolution))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "Leiden: resolution %g must be a finite number >= 0", opts->resolution);
      return FALSE;
    }
  for (gint64 v = 0; v < g->n; v++)
    membership[v] = (gint32) v;
  int max_iter = opts->n_iterations < 0 ? 1000 : opts->n_iterations;
  double q = scm_leiden_quality (g, membership, opts->quality, opts->resolution);
  for (int it = 0; it < max_iter; it++)
    {
      gboolean changed;
      if (!scm_leiden_iterate (g, opts, (guint64) it, membership, &changed, error))
        return FALSE;
      double q2 = scm_leiden_quality (g, membership, opts->quality, opts->resolution);
      /* leidenalg stops n_iterations = -1 when an iteration gains nothing */
      gboolean gained = q2 > q + 1e-12 * fabs (q);
      q = q2;
      if (opts->n_iterations < 0 && (!changed || !gained))
        break;
    }
  gint32 nc = scm_leiden_renumber (membership, g->n);
  if (n_clusters)
    *n_clusters = nc;
  if (quality)
    *quality = scm_leiden_quality (g, membership, opts->quality, opts->resolution);
  return TRUE;
}
