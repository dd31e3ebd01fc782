/* scm-scatter-index.c: grid bucketing + ring search. */
#include "scm-scatter-index.h"

#include <math.h>

struct _ScmScatterIndex
{
  gint64  n;           /* indexed points */
  int     gw, gh;      /* grid cells per axis */
  float   x0, y0;      /* grid origin */
  float   cell;        /* cell size (square) */
  gint64 *start;       /* (gw*gh + 1) offsets into items */
  gint64 *items;       /* (n) original point index, bucketed */
  float  *pts;         /* (n, 2) bucketed coordinates (cache-friendly scans) */
};

void
scm_scatter_index_free (ScmScatterIndex *idx)
{
  if (!idx)
    return;
  g_free (idx->start);
  g_free (idx->items);
  g_free (idx->pts);
  g_free (idx);
}

static inline gboolean
usable (const float *xy, const guint8 *visible, gint64 i)
{
  return (!visible || visible[i]) && isfinite (xy[2 * i]) && isfinite (xy[2 * i + 1]);
}

ScmScatterIndex *
scm_scatter_index_new (const float *xy, gint64 n, const guint8 *visible)
{
  ScmScatterIndex *idx = g_new0 (ScmScatterIndex, 1);
  float xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  gint64 m = 0;
  for (gint64 i = 0; i < n; i++)
    if (usable (xy, visible, i))
      {
        xmin = MIN (xmin, xy[2 * i]);
        xmax = MAX (xmax, xy[2 * i]);
        ymin = MIN (ymin, xy[2 * i + 1]);
        ymax = MAX (ymax, xy[2 * i + 1]);
        m++;
      }
  if (m == 0)
    {
      xmin = ymin = 0.f;
      xmax = ymax = 1.f;
    }
  float w = MAX (xmax - xmin, 1e-6f), h = MAX (ymax - ymin, 1e-6f);
  /* About two points per cell on average. */
  double cells = MAX (1.0, m / 2.0);
  float cell = (float) sqrt ((double) w * h / cells);
  cell = MAX (cell, MAX (w, h) / 4096.f);
  idx->cell = cell;
  idx->gw = (int) MIN (4096, floorf (w / cell) + 1);
  idx->gh = (int) MIN (4096, floorf (h / cell) + 1);
  idx->x0 = xmin;
  idx->y0 = ymin;
  idx->n = m;
  gint64 nc = (gint64) idx->gw * idx->gh;
  idx->start = g_try_new0 (gint64, nc + 1);
  idx->items = g_try_new (gint64, MAX (m, 1));
  idx->pts = g_try_new (float, 2 * MAX (m, 1));
  gint64 *fill = g_try_new0 (gint64, nc);
  if (!idx->start || !idx->items || !idx->pts || !fill)
    {
      g_free (fill);
      scm_scatter_index_free (idx);
      return NULL;
    }
  /* Counting sort by cell. */
  for (gint64 i = 0; i < n; i++)
    if (usable (xy, visible, i))
      {
        int cx = MIN (idx->gw - 1, (int) ((xy[2 * i] - xmin) / cell));
        int cy = MIN (idx->gh - 1, (int) ((xy[2 * i + 1] - ymin) / cell));
        idx->start[(gint64) cy * idx->gw + cx + 1]++;
      }
  for (gint64 c = 0; c < nc; c++)
    idx->start[c + 1] += idx->start[c];
  for (gint64 i = 0; i < n; i++)
    if (usable (xy, visible, i))
      {
        int cx = MIN (idx->gw - 1, (int) ((xy[2 * i] - xmin) / cell));
        int cy = MIN (idx->gh - 1, (int) ((xy[2 * i + 1] - ymin) / cell));
        gint64 c = (gint64) cy * idx->gw + cx;
        gint64 at = idx->start[c] + fill[c]++;
        idx->items[at] = i;
        idx->pts[2 * at] = xy[2 * i];
        idx->pts[2 * at + 1] = xy[2 * i + 1];
      }
  g_free (fill);
  return idx;
}

gint64
scm_scatter_index_nearest (const ScmScatterIndex *idx, float x, float y, float max_dist)
{
  if (!idx || idx->n == 0 || !isfinite (x) || !isfinite (y) || !(max_dist > 0))
    return -1;
  int cx0 = (int) floorf ((x - max_dist - idx->x0) / idx->cell);
  int cx1 = (int) floorf ((x + max_dist - idx->x0) / idx->cell);
  int cy0 = (int) floorf ((y - max_dist - idx->y0) / idx->cell);
  int cy1 = (int) floorf ((y + max_dist - idx->y0) / idx->cell);
  cx0 = MAX (cx0, 0);
  cy0 = MAX (cy0, 0);
  cx1 = MIN (cx1, idx->gw - 1);
  cy1 = MIN (cy1, idx->gh - 1);
  float best = max_dist * max_dist;
  gint64 best_i = -1;
  for (int cy = cy0; cy <= cy1; cy++)
    for (int cx = cx0; cx <= cx1; cx++)
      {
        gint64 c = (gint64) cy * idx->gw + cx;
        for (gint64 k = idx->start[c]; k < idx->start[c + 1]; k++)
          {
            float dx = idx->pts[2 * k] - x, dy = idx->pts[2 * k + 1] - y;
            float d = dx * dx + dy * dy;
            /* Ties go to the lower original index, as in the naive scan. */
            if (d < best || (d == best && best_i >= 0 && idx->items[k] < best_i) ||
                (d == best && best_i < 0))
              {
                best = d;
                best_i = idx->items[k];
              }
          }
      }
  return best_i;
}

gint64
scm_scatter_nearest_naive (const float *xy, gint64 n, const guint8 *visible, float x, float y,
                           float max_dist)
{
  float best = max_dist * max_dist;
  gint64 best_i = -1;
  for (gint64 i = 0; i < n; i++)
    {
      if (!usable (xy, visible, i))
        continue;
      float dx = xy[2 * i] - x, dy = xy[2 * i + 1] - y;
      float d = dx * dx + dy * dy;
      if (d < best || (d == best && best_i < 0))
        {
          best = d;
          best_i = i;
        }
    }
  return best_i;
}
