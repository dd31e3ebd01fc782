/* scm-graph.c: symmetric CSR graphs and umap-learn's fuzzy simplicial set.
 *
 * Arithmetic follows umap-learn 0.5 so that connectivities match it to
 * float32 rounding: distances and rho in float32, the bandwidth search in
 * double, membership strengths and the fuzzy union in float32 (widened
 * to double only when stored).
 */
#include "scm-graph.h"
#include "scm-analysis-private.h"

#include <stdlib.h>
#include <string.h>

void
scm_graph_clear (ScmGraph *g)
{
  g_clear_pointer (&g->indptr, g_free);
  g_clear_pointer (&g->indices, g_free);
  g_clear_pointer (&g->weights, g_free);
  g->n = 0;
}

static gboolean
graph_alloc (ScmGraph *g, gint64 n, gint64 nnz, GError **error)
{
  memset (g, 0, sizeof *g);
  g->indptr = _scm_try_alloc (n + 1, sizeof (gint64), "graph row pointers", error);
  g->indices = g->indptr ? _scm_try_alloc (nnz, sizeof (gint32), "graph edges", error) : NULL;
  g->weights = g->indices ? _scm_try_alloc (nnz, sizeof (double), "graph weights", error) : NULL;
  if (!g->weights)
    {
      scm_graph_clear (g);
      return FALSE;
    }
  g->n = n;
  memset (g->indptr, 0, (n + 1) * sizeof (gint64));
  return TRUE;
}

gboolean
scm_graph_copy (ScmGraph *dst, const ScmGraph *src, GError **error)
{
  gint64 nnz = scm_graph_nnz (src);
  if (!graph_alloc (dst, src->n, nnz, error))
    return FALSE;
  memcpy (dst->indptr, src->indptr, (src->n + 1) * sizeof (gint64));
  memcpy (dst->indices, src->indices, nnz * sizeof (gint32));
  memcpy (dst->weights, src->weights, nnz * sizeof (double));
  return TRUE;
}

typedef struct {
  gint32 col;
  float  a;   /* forward (row -> col) */
  float  b;   /* reverse (col -> row) */
  double w;   /* for from_edges */
} Entry;

static int
cmp_entry (const void *x, const void *y)
{
  gint32 a = ((const Entry *) x)->col, b = ((const Entry *) y)->col;
  return (a > b) - (a < b);
}

gboolean
scm_graph_from_edges (ScmGraph *out, gint64 n, gint64 n_edges, const gint32 *src,
                      const gint32 *dst, const double *w, GError **error)
{
  memset (out, 0, sizeof *out);
  gint64 *cnt = _scm_try_alloc (n + 1, sizeof (gint64), "graph row counts", error);
  if (!cnt)
    return FALSE;
  memset (cnt, 0, (n + 1) * sizeof (gint64));
  for (gint64 e = 0; e < n_edges; e++)
    {
      if (src[e] < 0 || src[e] >= n || dst[e] < 0 || dst[e] >= n || !(w[e] >= 0) || !isfinite (w[e]))
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "graph: edge %" G_GINT64_FORMAT " (%d - %d, weight %g) is out of range",
                       e, src[e], dst[e], w[e]);
          g_free (cnt);
          return FALSE;
        }
      if (src[e] != dst[e])
        {
          cnt[src[e] + 1]++;
          cnt[dst[e] + 1]++;
        }
    }
  for (gint64 i = 0; i < n; i++)
    cnt[i + 1] += cnt[i];
  Entry *ent = _scm_try_alloc (cnt[n], sizeof (Entry), "graph edges", error);
  gint64 *pos = ent ? _scm_try_alloc (n, sizeof (gint64), "graph edges", error) : NULL;
  if (!pos)
    {
      g_free (ent);
      g_free (cnt);
      return FALSE;
    }
  memcpy (pos, cnt, n * sizeof (gint64));
  for (gint64 e = 0; e < n_edges; e++)
    if (src[e] != dst[e])
      {
        ent[pos[src[e]]++] = (Entry) { dst[e], 0, 0, w[e] };
        ent[pos[dst[e]]++] = (Entry) { src[e], 0, 0, w[e] };
      }
  gint64 nnz = 0;
  for (gint64 i = 0; i < n; i++)
    {
      qsort (ent + cnt[i], cnt[i + 1] - cnt[i], sizeof (Entry), cmp_entry);
      for (gint64 p = cnt[i]; p < cnt[i + 1]; p++)
        if (p == cnt[i] || ent[p].col != ent[p - 1].col)
          nnz++;
    }
  if (!graph_alloc (out, n, nnz, error))
    {
      g_free (ent);
      g_free (pos);
      g_free (cnt);
      return FALSE;
    }
  gint64 o = 0;
  for (gint64 i = 0; i < n; i++)
    {
      for (gint64 p = cnt[i]; p < cnt[i + 1]; p++)
        {
          if (p > cnt[i] && ent[p].col == ent[p - 1].col)
            out->weights[o - 1] += ent[p].w;
          else
            {
              out->indices[o] = ent[p].col;
              out->weights[o++] = ent[p].w;
            }
        }
      out->indptr[i + 1] = o;
    }
  g_free (ent);
  g_free (pos);
  g_free (cnt);
  return TRUE;
}

gint64
scm_graph_components (const ScmGraph *g, gint32 *comp)
{
  gint64 n = g->n, nc = 0;
  gint32 *stack = g_new (gint32, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    comp[i] = -1;
  for (gint64 s = 0; s < n; s++)
    {
      if (comp[s] >= 0)
        continue;
      gint64 top = 0;
      stack[top++] = (gint32) s;
      comp[s] = (gint32) nc;
      while (top > 0)
        {
          gint32 u = stack[--top];
          for (gint64 p = g->indptr[u]; p < g->indptr[u + 1]; p++)
            {
              gint32 v = g->indices[p];
              if (comp[v] < 0)
                {
                  comp[v] = (gint32) nc;
                  stack[top++] = v;
                }
            }
        }
      nc++;
    }
  g_free (stack);
  return nc;
}

double
scm_graph_total_weight (const ScmGraph *g)
{
  double s = 0;
  for (gint64 p = 0; p < scm_graph_nnz (g); p++)
    s += g->weights[p];
  return 0.5 * s;
}

/* ---- UMAP fuzzy simplicial set --------------------------------------- */

#define SMOOTH_K_TOLERANCE 1e-5
#define MIN_K_DIST_SCALE   1e-3

void
scm_smooth_knn_dist (const float *dist, gint64 n, int k, double local_connectivity,
                     float *sigmas, float *rhos)
{
  double target = log2 ((double) k);
  double mean_all = 0;
  for (gint64 i = 0; i < n * k; i++)
    mean_all += dist[i];
  mean_all /= (double) (n * k);
  for (gint64 i = 0; i < n; i++)
    {
      const float *di = dist + i * k;
      /* rho: interpolated local_connectivity-th positive distance */
      int n_pos = 0;
      float pos[k];
      for (int j = 0; j < k; j++)
        if (di[j] > 0.0f)
          pos[n_pos++] = di[j];
      float rho = 0.0f;
      if (n_pos >= local_connectivity)
        {
          int index = (int) floor (local_connectivity);
          double interp = local_connectivity - index;
          if (index > 0)
            {
              rho = pos[index - 1];
              if (interp > SMOOTH_K_TOLERANCE)
                rho += (float) (interp * (pos[index] - pos[index - 1]));
            }
          else
            rho = (float) (interp * pos[0]);
        }
      else if (n_pos > 0)
        {
          rho = pos[0];
          for (int j = 1; j < n_pos; j++)
            rho = MAX (rho, pos[j]);
        }
      double lo = 0.0, hi = INFINITY, mid = 1.0;
      for (int it = 0; it < 64; it++)
        {
          double psum = 0.0;
          for (int j = 1; j < k; j++)
            {
              float dd = di[j] - rho;
              psum += dd > 0 ? exp (-((double) dd / mid)) : 1.0;
            }
          if (fabs (psum - target) < SMOOTH_K_TOLERANCE)
            break;
          if (psum > target)
            {
              hi = mid;
              mid = (lo + hi) / 2.0;
            }
          else
            {
              lo = mid;
              mid = isinf (hi) ? mid * 2 : (lo + hi) / 2.0;
            }
        }
      float sigma = (float) mid;
      if (rho > 0.0f)
        {
          double mean_i = 0;
          for (int j = 0; j < k; j++)
            mean_i += di[j];
          mean_i /= k;
          if (sigma < MIN_K_DIST_SCALE * mean_i)
            sigma = (float) (MIN_K_DIST_SCALE * mean_i);
        }
      else if (sigma < MIN_K_DIST_SCALE * mean_all)
        sigma = (float) (MIN_K_DIST_SCALE * mean_all);
      sigmas[i] = sigma;
      rhos[i] = rho;
    }
}

gboolean
scm_graph_umap_connectivities (const ScmKnn *knn, ScmGraph *out, GError **error)
{
  gboolean ok = FALSE;
  gint64 n = knn->n;
  int k = knn->k;
  memset (out, 0, sizeof *out);
  float *sig = _scm_try_alloc (n, sizeof (float), "UMAP sigmas", error);
  float *rho = sig ? _scm_try_alloc (n, sizeof (float), "UMAP rhos", error) : NULL;
  gint64 *cnt = rho ? _scm_try_alloc (n + 1, sizeof (gint64), "graph row counts", error) : NULL;
  gint64 *pos = cnt ? _scm_try_alloc (n, sizeof (gint64), "graph row counts", error) : NULL;
  Entry *ent = NULL;
  if (!pos)
    goto out;
  for (gint64 i = 0; i < n * k; i++)
    if (knn->indices[i] < -1 || knn->indices[i] >= n || !(knn->distances[i] >= 0))
      {
        g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                     "connectivities: kNN entry %" G_GINT64_FORMAT " of point %" G_GINT64_FORMAT
                     " is invalid (index %d, distance %g)", i % k, i / k, knn->indices[i],
                     knn->distances[i]);
        goto out;
      }
  scm_smooth_knn_dist (knn->distances, n, k, 1.0, sig, rho);

  memset (cnt, 0, (n + 1) * sizeof (gint64));
  for (gint64 i = 0; i < n; i++)
    for (int j = 0; j < k; j++)
      {
        gint32 v = knn->indices[i * k + j];
        if (v < 0 || v == i)
          continue;
        cnt[i + 1]++;
        cnt[v + 1]++;
      }
  for (gint64 i = 0; i < n; i++)
    cnt[i + 1] += cnt[i];
  if (!(ent = _scm_try_alloc (cnt[n], sizeof (Entry), "connectivities", error)))
    goto out;
  memcpy (pos, cnt, n * sizeof (gint64));
  for (gint64 i = 0; i < n; i++)
    for (int j = 0; j < k; j++)
      {
        gint32 v = knn->indices[i * k + j];
        if (v < 0 || v == i)
          continue;
        float dd = knn->distances[i * k + j] - rho[i];
        float val = (dd <= 0.0f || sig[i] == 0.0f) ? 1.0f : (float) exp (-((double) dd / sig[i]));
        /* umap-learn computes exp in float64 then stores float32 */
        ent[pos[i]++] = (Entry) { v, val, 0, 0 };
        ent[pos[v]++] = (Entry) { (gint32) i, 0, val, 0 };
      }
  gint64 nnz = 0;
  for (gint64 i = 0; i < n; i++)
    {
      qsort (ent + cnt[i], cnt[i + 1] - cnt[i], sizeof (Entry), cmp_entry);
      for (gint64 p = cnt[i]; p < cnt[i + 1]; p++)
        if (p == cnt[i] || ent[p].col != ent[p - 1].col)
          nnz++;
    }
  if (!graph_alloc (out, n, nnz, error))
    goto out;
  gint64 o = 0;
  for (gint64 i = 0; i < n; i++)
    {
      gint64 p = cnt[i];
      while (p < cnt[i + 1])
        {
          gint32 c = ent[p].col;
          float a = 0, b = 0;
          for (; p < cnt[i + 1] && ent[p].col == c; p++)
            {
              a += ent[p].a;
              b += ent[p].b;
            }
          float w = a + b - a * b;
          if (w > 0)
            {
              out->indices[o] = c;
              out->weights[o++] = w;
            }
        }
      out->indptr[i + 1] = o;
    }
  ok = TRUE;
out:
  g_free (sig);
  g_free (rho);
  g_free (cnt);
  g_free (pos);
  g_free (ent);
  return ok;
}
