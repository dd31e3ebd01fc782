/* scm-loess.c: direct LOESS in one dimension (see scm-loess.h).
 *
 * In 1-D the q nearest neighbours of a point are a contiguous run of the
 * sorted x, and the run only moves right as x0 grows, so finding every
 * neighbourhood costs O(n) after one sort.  Each local weighted least
 * squares problem then reduces to five moment sums of u = (x - x0) / h,
 * u in [-1, 1], and a 3x3 solve; rescaling by h plays the role of dloess's
 * column equilibration and keeps the normal equations well conditioned.
 * Points at exactly distance h get weight 0, so ties at the boundary of a
 * neighbourhood do not change the fit.
 *
 * surface="interpolate" (skmisc's default) is reproduced for one predictor:
 * the k-d tree degenerates to splitting sorted x at medians, each vertex gets
 * a local fit's value and slope, and cells blend them by cubic Hermite
 * interpolation, as dloess's ehg128 does when d = 1.  Checked against skmisc
 * to ~1e-14 by the fixture script.
 */
#include "preprocess/scm-loess.h"
#include "scm-error.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static gint64
loess_q (gint64 n, double span)
{
  /* dloess: q = floor(n * span), at least 1, at most n.  The tiny epsilon
   * keeps 0.3 * 1000 from becoming 299. */
  gint64 q = (gint64) floor ((double) n * span + 1e-5);
  return CLAMP (q, 1, n);
}

static double
tricube (double d, double h)
{
  if (!(d < h))
    return 0.0;
  double t = d / h;
  double a = 1.0 - t * t * t;
  return a * a * a;
}

/* Solves the (k x k, k <= 3) symmetric system A c = b by Gaussian elimination
 * with partial pivoting.  A pivot below 1e-12 of the largest entry drops the
 * trailing terms (lowers the local degree), standing in for dloess's
 * pseudo-inverse; coefficients of dropped terms are 0. */
static void
solve (double A[3][3], const double b[3], int k, double c[3])
{
  c[0] = c[1] = c[2] = 0.0;
  for (; k > 0; k--)
    {
      double M[3][4];
      double scale = 0.0;
      for (int i = 0; i < k; i++)
        {
          for (int j = 0; j < k; j++)
            {
              M[i][j] = A[i][j];
              scale = MAX (scale, fabs (A[i][j]));
            }
          M[i][k] = b[i];
        }
      gboolean ok = scale > 0;
      for (int col = 0; col < k && ok; col++)
        {
          int p = col;
          for (int r = col + 1; r < k; r++)
            if (fabs (M[r][col]) > fabs (M[p][col]))
              p = r;
          if (fabs (M[p][col]) <= 1e-12 * scale)
            {
              ok = FALSE;
              break;
            }
          if (p != col)
            for (int j = 0; j <= k; j++)
              {
                double t = M[col][j];
                M[col][j] = M[p][j];
                M[p][j] = t;
              }
          for (int r = col + 1; r < k; r++)
            {
              double f = M[r][col] / M[col][col];
              for (int j = col; j <= k; j++)
                M[r][j] -= f * M[col][j];
            }
        }
      if (!ok)
        continue;
      for (int i = k - 1; i >= 0; i--)
        {
          double sum = M[i][k];
          for (int j = i + 1; j < k; j++)
            sum -= M[i][j] * c[j];
          c[i] = sum / M[i][i];
        }
      return;
    }
}

typedef struct { double x; gint64 i; } XI;

static int
xi_cmp (const void *a, const void *b)
{
  const XI *p = a, *q = b;
  if (p->x != q->x)
    return p->x < q->x ? -1 : 1;
  return (p->i > q->i) - (p->i < q->i);
}

static gboolean
check_args (const double *x, const double *y, gint64 n, double span, int degree, GError **error)
{
  if (n < 1 || !(span > 0) || degree < 0 || degree > 2)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "loess: invalid arguments (n=%" G_GINT64_FORMAT ", span=%g, degree=%d)",
                   n, span, degree);
      return FALSE;
    }
  for (gint64 i = 0; i < n; i++)
    if (!isfinite (x[i]) || !isfinite (y[i]))
      {
        g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                     "loess: non-finite value at point %" G_GINT64_FORMAT, i);
        return FALSE;
      }
  return TRUE;
}

/* First index of the q nearest neighbours of x0 in sorted xs: grow a window
 * from x0's insertion point, taking the closer side each time. */
static gint64
window_start (const double *xs, gint64 n, gint64 q, double x0)
{
  gint64 lo = 0, hi = n;
  while (lo < hi)
    {
      gint64 mid = lo + (hi - lo) / 2;
      if (xs[mid] < x0)
        lo = mid + 1;
      else
        hi = mid;
    }
  gint64 left = lo - 1, right = lo;
  for (gint64 taken = 0; taken < q; taken++)
    {
      if (right >= n || (left >= 0 && x0 - xs[left] <= xs[right] - x0))
        left--;
      else
        right++;
    }
  return left + 1;
}

/* Weighted local fit at x0 over xs[lo .. lo+q): value and slope. */
static void
local_fit (const double *xs, const double *ys, gint64 lo, gint64 q, double x0, double span,
           int degree, double *value, double *slope)
{
  double h = MAX (x0 - xs[lo], xs[lo + q - 1] - x0);
  if (span > 1)
    h *= span;
  if (!(h > 0))
    {
      /* All q neighbours share x0: the local fit is their mean. */
      double sum = 0;
      for (gint64 j = lo; j < lo + q; j++)
        sum += ys[j];
      *value = sum / (double) q;
      *slope = 0.0;
      return;
    }
  double m[5] = { 0 }, r[3] = { 0 };
  for (gint64 j = lo; j < lo + q; j++)
    {
      double u = (xs[j] - x0) / h;
      double w = tricube (fabs (u), 1.0);
      if (w == 0.0)
        continue;
      double wu = w * u, wu2 = wu * u;
      m[0] += w;
      m[1] += wu;
      m[2] += wu2;
      m[3] += wu2 * u;
      m[4] += wu2 * u * u;
      r[0] += w * ys[j];
      r[1] += wu * ys[j];
      r[2] += wu2 * ys[j];
    }
  if (m[0] == 0.0)
    {
      /* Every neighbour sits at exactly distance h (q = 1, or a vertex
       * midway between points): dloess would stop with "span too small";
       * the mean of the neighbourhood is the sensible stand-in. */
      double sum = 0;
      for (gint64 j = lo; j < lo + q; j++)
        sum += ys[j];
      *value = sum / (double) q;
      *slope = 0.0;
      return;
    }
  double A[3][3], c[3];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      A[i][j] = m[i + j];
  solve (A, r, degree + 1, c);
  *value = c[0];
  *slope = c[1] / h;   /* d/dx of c1 * (x - x0) / h */
}

/* Sorted copies of x and y; NULL on allocation failure. */
static gboolean
sort_points (const double *x, const double *y, gint64 n, XI **s_out, double **xs_out,
             double **ys_out, GError **error)
{
  XI *s = g_try_new (XI, n);
  double *xs = g_try_new (double, n), *ys = g_try_new (double, n);
  if (s == NULL || xs == NULL || ys == NULL)
    {
      g_free (s);
      g_free (xs);
      g_free (ys);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                   "loess: cannot allocate %" G_GINT64_FORMAT " points", n);
      return FALSE;
    }
  for (gint64 i = 0; i < n; i++)
    s[i] = (XI) { x[i], i };
  qsort (s, (gsize) n, sizeof *s, xi_cmp);
  for (gint64 i = 0; i < n; i++)
    {
      xs[i] = s[i].x;
      ys[i] = y[s[i].i];
    }
  *s_out = s;
  *xs_out = xs;
  *ys_out = ys;
  return TRUE;
}

gboolean
scm_loess_fit (const double *x, const double *y, gint64 n, double span, int degree,
               double *fitted, GError **error)
{
  if (!check_args (x, y, n, span, degree, error))
    return FALSE;
  gint64 q = loess_q (n, span);
  XI *s;
  double *xs, *ys;
  if (!sort_points (x, y, n, &s, &xs, &ys, error))
    return FALSE;
  gint64 lo = 0;
  for (gint64 t = 0; t < n; t++)
    {
      double x0 = xs[t], slope;
      /* The window only moves right as x0 grows: slide it while the next
       * point past it is strictly closer than its leftmost point. */
      while (lo + q < n && xs[lo + q] - x0 < x0 - xs[lo])
        lo++;
      local_fit (xs, ys, lo, q, x0, span, degree, &fitted[s[t].i], &slope);
    }
  g_free (s);
  g_free (xs);
  g_free (ys);
  return TRUE;
}

/* dloess's k-d tree in one dimension: cells are intervals of the sorted
 * points, split at the lower median (ties moved to one side, probing
 * offsets 0, +1, -1, +2, ...) until a cell holds at most fc points; the
 * split values plus the slightly widened data range are the vertices. */
static void
kd_split (const double *xs, gint64 l, gint64 u, double vlo, double vhi, gint64 fc,
          GArray *verts)
{
  if (u - l + 1 <= fc)
    return;
  gint64 m = (l + u + 2) / 2 - 1;   /* floor of the 1-based midpoint, as 0-based */
  gint64 off = 0;
  while (!(m + off >= u || m + off < l))
    {
      if (xs[m + off] == xs[m + off + 1])
        {
          off = -off;
          if (off >= 0)
            off++;
        }
      else
        {
          m += off;
          break;
        }
    }
  double xi = xs[m];
  if (vlo == xi || vhi == xi)
    return;
  g_array_append_val (verts, xi);
  kd_split (xs, l, m, vlo, xi, fc, verts);
  kd_split (xs, m + 1, u, xi, vhi, fc, verts);
}

static int
double_cmp (const void *a, const void *b)
{
  double p = *(const double *) a, q = *(const double *) b;
  return (p > q) - (p < q);
}

gboolean
scm_loess_fit_interpolate (const double *x, const double *y, gint64 n, double span, int degree,
                           double cell, double *fitted, GError **error)
{
  if (!check_args (x, y, n, span, degree, error))
    return FALSE;
  gint64 q = loess_q (n, span);
  gint64 fc = (gint64) floor ((double) n * span * cell);
  XI *s;
  double *xs, *ys;
  if (!sort_points (x, y, n, &s, &xs, &ys, error))
    return FALSE;
  double a = xs[0], b = xs[n - 1];
  double margin = 0.005 * MAX (b - a, MAX (fabs (a), fabs (b)) * 1e-10 + 1e-30);
  GArray *verts = g_array_new (FALSE, FALSE, sizeof (double));
  double v0 = a - margin, v1 = b + margin;
  g_array_append_val (verts, v0);
  g_array_append_val (verts, v1);
  kd_split (xs, 0, n - 1, v0, v1, fc, verts);
  qsort (verts->data, verts->len, sizeof (double), double_cmp);
  gint64 nv = verts->len;
  const double *V = (const double *) verts->data;
  double *val = g_new (double, nv), *slo = g_new (double, nv);
  for (gint64 k = 0; k < nv; k++)
    local_fit (xs, ys, window_start (xs, n, q, V[k]), q, V[k], span, degree, &val[k], &slo[k]);
  /* Cubic Hermite blending of vertex values and slopes inside each cell. */
  gint64 k = 0;
  for (gint64 t = 0; t < n; t++)
    {
      double z = xs[t];
      while (k + 2 < nv && V[k + 1] <= z)
        k++;
      double h = V[k + 1] - V[k], u = (z - V[k]) / h;
      double phi0 = (1 - u) * (1 - u) * (1 + 2 * u), phi1 = u * u * (3 - 2 * u);
      double psi0 = u * (1 - u) * (1 - u), psi1 = -u * u * (1 - u);
      fitted[s[t].i] = phi0 * val[k] + phi1 * val[k + 1] + (psi0 * slo[k] + psi1 * slo[k + 1]) * h;
    }
  g_free (val);
  g_free (slo);
  g_array_unref (verts);
  g_free (s);
  g_free (xs);
  g_free (ys);
  return TRUE;
}

/* ------------------------------------------------------------- reference */

typedef struct { double d; gint64 i; } DI;

static int
di_cmp (const void *a, const void *b)
{
  const DI *p = a, *q = b;
  return (p->d > q->d) - (p->d < q->d);
}

gboolean
scm_loess_fit_naive (const double *x, const double *y, gint64 n, double span, int degree,
                     double *fitted, GError **error)
{
  if (!check_args (x, y, n, span, degree, error))
    return FALSE;
  gint64 q = loess_q (n, span);
  int k = degree + 1;
  DI *d = g_new (DI, n);
  double *B = g_new (double, q * 3), *z = g_new (double, q);
  for (gint64 t = 0; t < n; t++)
    {
      for (gint64 i = 0; i < n; i++)
        d[i] = (DI) { fabs (x[i] - x[t]), i };
      qsort (d, (gsize) n, sizeof *d, di_cmp);
      double h = d[q - 1].d * (span > 1 ? span : 1.0);
      if (!(h > 0))
        {
          double sum = 0;
          for (gint64 j = 0; j < q; j++)
            sum += y[d[j].i];
          fitted[t] = sum / (double) q;
          continue;
        }
      /* Rows sqrt(w) * [1, dx, dx^2], unscaled; Householder QR with column
       * equilibration, then the intercept from back substitution. */
      double colnorm[3] = { 0 };
      for (gint64 j = 0; j < q; j++)
        {
          double sw = sqrt (tricube (d[j].d, h));
          double dx = x[d[j].i] - x[t];
          B[j * 3 + 0] = sw;
          B[j * 3 + 1] = sw * dx;
          B[j * 3 + 2] = sw * dx * dx;
          z[j] = sw * y[d[j].i];
          for (int c = 0; c < k; c++)
            colnorm[c] += B[j * 3 + c] * B[j * 3 + c];
        }
      if (colnorm[0] == 0.0)
        {
          /* All weights zero: same stand-in as the fast path. */
          double sum = 0;
          for (gint64 j = 0; j < q; j++)
            sum += y[d[j].i];
          fitted[t] = sum / (double) q;
          continue;
        }
      for (int c = 0; c < k; c++)
        {
          colnorm[c] = colnorm[c] > 0 ? sqrt (colnorm[c]) : 1.0;
          for (gint64 j = 0; j < q; j++)
            B[j * 3 + c] /= colnorm[c];
        }
      int kk = k;
      double R[3][3] = { { 0 } }, qtz[3] = { 0 };
      for (int c = 0; c < kk; c++)
        {
          double norm = 0;
          for (gint64 j = c; j < q; j++)
            norm += B[j * 3 + c] * B[j * 3 + c];
          norm = sqrt (norm);
          if (norm < 1e-12)
            {
              kk = c;
              break;
            }
          double alpha = B[c * 3 + c] > 0 ? -norm : norm;
          /* v = x - alpha e1, stored in place. */
          B[c * 3 + c] -= alpha;
          double vnorm2 = 0;
          for (gint64 j = c; j < q; j++)
            vnorm2 += B[j * 3 + c] * B[j * 3 + c];
          for (int c2 = c + 1; c2 < kk; c2++)
            {
              double dot = 0;
              for (gint64 j = c; j < q; j++)
                dot += B[j * 3 + c] * B[j * 3 + c2];
              double f = 2 * dot / vnorm2;
              for (gint64 j = c; j < q; j++)
                B[j * 3 + c2] -= f * B[j * 3 + c];
            }
          double dot = 0;
          for (gint64 j = c; j < q; j++)
            dot += B[j * 3 + c] * z[j];
          double f = 2 * dot / vnorm2;
          for (gint64 j = c; j < q; j++)
            z[j] -= f * B[j * 3 + c];
          R[c][c] = alpha;
          for (int c2 = c + 1; c2 < kk; c2++)
            R[c][c2] = B[c * 3 + c2];
          qtz[c] = z[c];
        }
      double coef[3] = { 0 };
      for (int i = kk - 1; i >= 0; i--)
        {
          double sum = qtz[i];
          for (int j = i + 1; j < kk; j++)
            sum -= R[i][j] * coef[j];
          coef[i] = sum / R[i][i];
        }
      fitted[t] = kk > 0 ? coef[0] / colnorm[0] : 0.0;
    }
  g_free (d);
  g_free (B);
  g_free (z);
  return TRUE;
}
