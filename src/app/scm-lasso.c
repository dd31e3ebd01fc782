/* scm-lasso.c: even-odd point-in-polygon (crossing number, W. R. Franklin's
 * PNPOLY formulation) with a bounding-box prefilter. */
#include "scm-lasso.h"

#include <math.h>

gboolean
scm_lasso_contains (const float *poly, int nv, float x, float y)
{
  if (nv < 3 || !isfinite (x) || !isfinite (y))
    return FALSE;
  gboolean inside = FALSE;
  for (int i = 0, j = nv - 1; i < nv; j = i++)
    {
      float xi = poly[2 * i], yi = poly[2 * i + 1];
      float xj = poly[2 * j], yj = poly[2 * j + 1];
      /* Edge straddles the horizontal line through y (half-open, so a
       * vertex exactly on the line is counted once), and the crossing lies
       * to the right of x. */
      if ((yi > y) != (yj > y))
        {
          float xc = xi + (y - yi) * (xj - xi) / (yj - yi);
          if (x < xc)
            inside = !inside;
        }
    }
  return inside;
}

double
scm_lasso_area (const float *poly, int nv)
{
  double a = 0;
  for (int i = 0, j = nv - 1; i < nv; j = i++)
    a += (double) poly[2 * j] * poly[2 * i + 1] - (double) poly[2 * i] * poly[2 * j + 1];
  return fabs (a) * 0.5;
}

gint64
scm_lasso_select (const float *poly, int nv, const float *xy, gint64 n, const guint8 *visible,
                  guint8 *mask)
{
  if (nv < 3)
    {
      for (gint64 i = 0; i < n; i++)
        mask[i] = 0;
      return 0;
    }
  float xmin = poly[0], xmax = poly[0], ymin = poly[1], ymax = poly[1];
  for (int k = 1; k < nv; k++)
    {
      xmin = MIN (xmin, poly[2 * k]);
      xmax = MAX (xmax, poly[2 * k]);
      ymin = MIN (ymin, poly[2 * k + 1]);
      ymax = MAX (ymax, poly[2 * k + 1]);
    }
  gint64 count = 0;
  for (gint64 i = 0; i < n; i++)
    {
      float x = xy[2 * i], y = xy[2 * i + 1];
      guint8 in = 0;
      if ((!visible || visible[i]) && x >= xmin && x <= xmax && y >= ymin && y <= ymax)
        in = scm_lasso_contains (poly, nv, x, y) ? 1 : 0;
      mask[i] = in;
      count += in;
    }
  return count;
}
