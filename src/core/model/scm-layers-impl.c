/* scm-layers-impl.c: layer kernels, written once against `real`.
 *
 * Compiled twice through scm-layers-f32.c and scm-layers-f64.c (see
 * scm-real.h).  Each optimised kernel keeps its naive reference here; the
 * naive ones are deliberately plain loops, used only by tests.
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "scm-real.h"

/* The elementwise loops here (dropout hashing, GELU, LayerNorm, softmax)
 * are a large share of a step once the GEMMs run in OpenBLAS: vectorise
 * them, and build AVX2 clones picked at load time (the binary stays
 * generic x86-64).  no-trapping-math only lets the compiler if-convert
 * float selects (it changes no value: we never inspect FP exceptions). */
#pragma GCC optimize ("O3", "no-trapping-math")
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#  define SCM_HOT __attribute__ ((target_clones ("avx2", "default")))
#else
#  define SCM_HOT
#endif

/* Full-width AVX-512 copies of the three elementwise kernels that take
 * most of the non-GEMM time (softmax, GELU, LayerNorm forward: ~30% of an
 * inference pass once OpenBLAS runs its AVX-512 kernels).  target_clones
 * cannot ask GCC for 512-bit vectors (it prefers 256 bits for every
 * generic AVX-512 target), so these are separate functions picked at run
 * time.  Same source, same operation order and no contraction (ISO C
 * mode), so they give the same bits as the narrower copies. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(SCM_REAL_F64)
#  define SCM_WIDE 1
#  define SCM_WIDE_ATTR \
     __attribute__ ((target ("avx512f,avx512dq,avx512bw,avx512vl,prefer-vector-width=512")))
#  define SCM_BODY static inline __attribute__ ((always_inline))
static int wide_allowed = 1;

static gboolean
use_wide (void)
{
  static gsize once = 0;
  static gboolean have = FALSE;
  if (g_once_init_enter (&once))
    {
      __builtin_cpu_init ();
      have = __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512dq")
             && __builtin_cpu_supports ("avx512bw") && __builtin_cpu_supports ("avx512vl");
      g_once_init_leave (&once, 1);
    }
  return have && g_atomic_int_get (&wide_allowed);
}

void
scm_layers_allow_wide (gboolean allow)
{
  g_atomic_int_set (&wide_allowed, allow ? 1 : 0);
}
#elif !defined(SCM_REAL_F64)
#  define SCM_BODY static inline
void
scm_layers_allow_wide (gboolean allow)
{
}
#else
#  define SCM_BODY static inline
#endif

/* Elementwise exp and erf that the compiler can vectorise.  In double (the
 * reference build) these are libm's.  In float, libm calls would keep the
 * softmax and GELU loops scalar (~1e9 calls per paper-size step), so:
 *  - exp: Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, degree-7
 *    Taylor polynomial (truncation < 2e-8 relative), 2^n through the
 *    exponent bits; inputs clamped to the normal range.  ~1 ulp.
 *  - erf: Abramowitz & Stegun 7.1.26 (absolute error <= 1.5e-7, about one
 *    float ulp of 1 + erf, which is what GELU uses), odd extension. */
#ifdef SCM_REAL_F64
#  define VEXP(x) exp (x)
#  define VERF(x) erf (x)
#else
static inline float
vexpf (float x)
{
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  float n = __builtin_rintf (x * 1.44269504088896341f);
  float r = x - n * 0.693145751953125f;     /* ln2 high part (exact product) */
  r = r - n * 1.42860682030941723212e-6f;   /* ln2 low part */
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  gint32 bits = ((gint32) n + 127) << 23;
  float scale;
  memcpy (&scale, &bits, sizeof scale);
  return p * scale;
}

static inline float
verff (float x)
{
  float ax = __builtin_fabsf (x);
  float t = 1.0f / (1.0f + 0.3275911f * ax);
  float y = 1.061405429f;
  y = y * t - 1.453152027f;
  y = y * t + 1.421413741f;
  y = y * t - 0.284496736f;
  y = y * t + 0.254829592f;
  y = 1.0f - y * t * vexpf (-ax * ax);
  return __builtin_copysignf (y, x);
}
#  define VEXP(x) vexpf (x)
#  define VERF(x) verff (x)
#endif
#include "scm-dropout.h"
#include "scm-layers.h"

/* ---- linear ---- */

void
SCM_L (linear_forward) (real *out, const real *inp, const real *w, const real *b,
                        int N, int C, int OC)
{
  /* Bias first, then one GEMM over all N rows with beta = 1. */
  if (b != NULL)
    for (int n = 0; n < N; n++)
      memcpy (out + (gsize) n * OC, b, sizeof (real) * OC);
  SCM_GEMM (CblasRowMajor, CblasNoTrans, CblasTrans, N, OC, C,
            1, inp, C, w, C, b != NULL ? 1 : 0, out, OC);
}

void
SCM_L (linear_forward_add) (real *out, const real *inp, const real *w, const real *b,
                            int N, int C, int OC)
{
  /* Bias into the stream first, then one GEMM with beta = 1: no
   * projection buffer and no separate residual pass. */
  if (b != NULL)
    for (int n = 0; n < N; n++)
      {
        real *o = out + (gsize) n * OC;
        for (int k = 0; k < OC; k++)
          o[k] += b[k];
      }
  SCM_GEMM (CblasRowMajor, CblasNoTrans, CblasTrans, N, OC, C, 1, inp, C, w, C, 1, out, OC);
}

void
SCM_L (linear_forward_naive) (real *out, const real *inp, const real *w, const real *b,
                              int N, int C, int OC)
{
  for (int n = 0; n < N; n++)
    for (int o = 0; o < OC; o++)
      {
        double s = b != NULL ? b[o] : 0.0;
        for (int c = 0; c < C; c++)
          s += (double) inp[(gsize) n * C + c] * w[(gsize) o * C + c];
        out[(gsize) n * OC + o] = (real) s;
      }
}

void
SCM_L (linear_backward) (real *dinp, real *dw, real *db, const real *dout,
                         const real *inp, const real *w, int N, int C, int OC)
{
  if (dinp != NULL)
    SCM_GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, C, OC,
              1, dout, OC, w, C, 1, dinp, C);
  SCM_GEMM (CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, N,
            1, dout, OC, inp, C, 1, dw, C);
  if (db != NULL)
    for (int o = 0; o < OC; o++)
      {
        double s = 0;
        for (int n = 0; n < N; n++)
          s += dout[(gsize) n * OC + o];
        db[o] += (real) s;
      }
}

void
SCM_L (linear_backward_naive) (real *dinp, real *dw, real *db, const real *dout,
                               const real *inp, const real *w, int N, int C, int OC)
{
  for (int n = 0; n < N; n++)
    for (int o = 0; o < OC; o++)
      {
        real d = dout[(gsize) n * OC + o];
        for (int c = 0; c < C; c++)
          {
            if (dinp != NULL)
              dinp[(gsize) n * C + c] += d * w[(gsize) o * C + c];
            dw[(gsize) o * C + c] += d * inp[(gsize) n * C + c];
          }
        if (db != NULL)
          db[o] += d;
      }
}

/* ---- layernorm ---- */

/* Sum of a[j] * b[j] (b may be NULL: plain sum) in double with eight
 * interleaved partial sums, added in a fixed order: the loop vectorises
 * without -ffast-math and the result does not depend on the machine. */
static inline double
dot8 (const real *a, const real *b, int n)
{
  double acc[8] = { 0 };
  int j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; k++)
      acc[k] += (double) a[j + k] * (b != NULL ? b[j + k] : 1);
  for (; j < n; j++)
    acc[j & 7] += (double) a[j] * (b != NULL ? b[j] : 1);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* Sum of (a[j] - m)^2, or of a[j] * b[j] * (c[j] - m) when b, c are
 * given, with the same fixed-order eight partial sums. */
static inline double
centred8 (const real *a, const real *b, const real *c, double m, int n)
{
  double acc[8] = { 0 };
  int j = 0;
  if (b != NULL)
    {
      for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; k++)
          acc[k] += (double) a[j + k] * b[j + k] * (c[j + k] - m);
      for (; j < n; j++)
        acc[j & 7] += (double) a[j] * b[j] * (c[j] - m);
    }
  else
    {
      for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; k++)
          acc[k] += (a[j + k] - m) * (a[j + k] - m);
      for (; j < n; j++)
        acc[j & 7] += (a[j] - m) * (a[j] - m);
    }
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}


SCM_BODY void
layernorm_forward_body (real *out, real *mean, real *rstd, const real *inp,
                        const real *w, const real *b, int N, int C, double eps)
{
  for (int n = 0; n < N; n++)
    {
      const real *x = inp + (gsize) n * C;
      real *y = out + (gsize) n * C;
      double m = dot8 (x, NULL, C) / C;
      double v = centred8 (x, NULL, NULL, m, C) / C;
      double s = 1.0 / sqrt (v + eps);
      for (int c = 0; c < C; c++)
        y[c] = (real) ((x[c] - m) * s * w[c] + b[c]);
      mean[n] = (real) m;
      rstd[n] = (real) s;
    }
}

SCM_HOT static void
layernorm_forward_any (real *out, real *mean, real *rstd, const real *inp,
                       const real *w, const real *b, int N, int C, double eps)
{
  layernorm_forward_body (out, mean, rstd, inp, w, b, N, C, eps);
}

#ifdef SCM_WIDE
SCM_WIDE_ATTR static void
layernorm_forward_wide (real *out, real *mean, real *rstd, const real *inp,
                        const real *w, const real *b, int N, int C, double eps)
{
  layernorm_forward_body (out, mean, rstd, inp, w, b, N, C, eps);
}
#endif

void
SCM_L (layernorm_forward) (real *out, real *mean, real *rstd, const real *inp,
                           const real *w, const real *b, int N, int C, double eps)
{
#ifdef SCM_WIDE
  if (use_wide ())
    {
      layernorm_forward_wide (out, mean, rstd, inp, w, b, N, C, eps);
      return;
    }
#endif
  layernorm_forward_any (out, mean, rstd, inp, w, b, N, C, eps);
}

SCM_HOT void
SCM_L (layernorm_backward) (real *dinp, real *dw, real *db, const real *dout,
                            const real *inp, const real *w, const real *mean,
                            const real *rstd, int N, int C)
{
  for (int n = 0; n < N; n++)
    {
      const real *x = inp + (gsize) n * C;
      const real *dy = dout + (gsize) n * C;
      real *dx = dinp + (gsize) n * C;
      double m = mean[n], s = rstd[n];
      /* dnorm = dy * w; dx = s * (dnorm - mean(dnorm) - xhat * mean(dnorm * xhat)) */
      double a = dot8 (dy, w, C) / C;
      double bsum = centred8 (dy, w, x, m, C) * s / C;
      for (int c = 0; c < C; c++)
        {
          double xh = (x[c] - m) * s;
          double dn = (double) dy[c] * w[c];
          dw[c] += (real) (dy[c] * xh);
          db[c] += dy[c];
          dx[c] += (real) (s * (dn - a - xh * bsum));
        }
    }
}

/* ---- GELU (exact) ---- */

SCM_BODY void
gelu_forward_body (real *out, const real *inp, gsize n)
{
  const real r = (real) M_SQRT1_2;
  for (gsize i = 0; i < n; i++)
    out[i] = (real) 0.5 * inp[i] * (1 + VERF (inp[i] * r));
}

SCM_HOT static void
gelu_forward_any (real *out, const real *inp, gsize n)
{
  gelu_forward_body (out, inp, n);
}

#ifdef SCM_WIDE
SCM_WIDE_ATTR static void
gelu_forward_wide (real *out, const real *inp, gsize n)
{
  gelu_forward_body (out, inp, n);
}
#endif

void
SCM_L (gelu_forward) (real *out, const real *inp, gsize n)
{
#ifdef SCM_WIDE
  if (use_wide ())
    {
      gelu_forward_wide (out, inp, n);
      return;
    }
#endif
  gelu_forward_any (out, inp, n);
}

SCM_HOT void
SCM_L (gelu_backward) (real *dinp, const real *inp, const real *dout, gsize n)
{
  /* d/dx x Phi(x) = Phi(x) + x phi(x) */
  const real r = (real) M_SQRT1_2;
  const real k = (real) (0.5 * M_2_SQRTPI * M_SQRT1_2); /* 1 / sqrt(2 pi) */
  for (gsize i = 0; i < n; i++)
    {
      real x = inp[i];
      real cdf = (real) 0.5 * (1 + VERF (x * r));
      real pdf = k * VEXP ((real) -0.5 * x * x);
      dinp[i] += dout[i] * (cdf + x * pdf);
    }
}

SCM_HOT void
SCM_L (gelu_backward_assign) (real *dinp, const real *inp, const real *dout, gsize n)
{
  const real r = (real) M_SQRT1_2;
  const real k = (real) (0.5 * M_2_SQRTPI * M_SQRT1_2);
  for (gsize i = 0; i < n; i++)
    {
      real x = inp[i];
      real cdf = (real) 0.5 * (1 + VERF (x * r));
      real pdf = k * VEXP ((real) -0.5 * x * x);
      dinp[i] = dout[i] * (cdf + x * pdf);
    }
}

/* ---- dropout ---- */

SCM_HOT void
SCM_L (dropout_forward) (real *out, const real *inp, gsize n, double p,
                         guint64 key, guint64 i0)
{
  if (p <= 0)
    {
      if (out != inp)
        memcpy (out, inp, n * sizeof (real));
      return;
    }
  guint32 th = scm_dropout_thresh (p), hi = (guint32) (key >> 32);
  guint32 c = (guint32) i0 * SCM_DROPOUT_GOLDEN + (guint32) key;
  real scale = (real) (1.0 / (1.0 - p));
  for (gsize i = 0; i < n; i++)
    {
      guint32 h = scm_dropout_hash (c + (guint32) i * SCM_DROPOUT_GOLDEN, hi);
      out[i] = inp[i] * (h >= th ? scale : 0);
    }
}

SCM_HOT void
SCM_L (dropout_backward) (real *dinp, const real *dout, gsize n, double p,
                          guint64 key, guint64 i0)
{
  if (p <= 0)
    {
      for (gsize i = 0; i < n; i++)
        dinp[i] += dout[i];
      return;
    }
  guint32 th = scm_dropout_thresh (p), hi = (guint32) (key >> 32);
  guint32 c = (guint32) i0 * SCM_DROPOUT_GOLDEN + (guint32) key;
  real scale = (real) (1.0 / (1.0 - p));
  for (gsize i = 0; i < n; i++)
    {
      guint32 h = scm_dropout_hash (c + (guint32) i * SCM_DROPOUT_GOLDEN, hi);
      dinp[i] += dout[i] * (h >= th ? scale : 0);
    }
}

SCM_HOT void
SCM_L (dropout_backward_assign) (real *dinp, const real *dout, gsize n, double p,
                                 guint64 key, guint64 i0)
{
  if (p <= 0)
    {
      memcpy (dinp, dout, n * sizeof (real));
      return;
    }
  guint32 th = scm_dropout_thresh (p), hi = (guint32) (key >> 32);
  guint32 c = (guint32) i0 * SCM_DROPOUT_GOLDEN + (guint32) key;
  real scale = (real) (1.0 / (1.0 - p));
  for (gsize i = 0; i < n; i++)
    {
      guint32 h = scm_dropout_hash (c + (guint32) i * SCM_DROPOUT_GOLDEN, hi);
      dinp[i] = dout[i] * (h >= th ? scale : 0);
    }
}

/* ---- attention ---- */

/* Maximum of a[0..n) through 16 independent running maxima, so the loop
 * vectorises (one chain of max cannot, without -ffast-math; it was half
 * of the softmax time).  Exact, hence the value of the plain loop
 * `m = x > m ? x : m` from m = a[0]: a NaN in a[0] stays, later ones are
 * skipped, and only the sign of a zero maximum may differ, which no
 * caller sees (it is subtracted before exp). */
static inline real
max16 (const real *a, int n)
{
  real m[16];
  for (int k = 0; k < 16; k++)
    m[k] = a[0];
  int j = 0;
  for (; j + 16 <= n; j += 16)
    for (int k = 0; k < 16; k++)
      m[k] = a[j + k] > m[k] ? a[j + k] : m[k];
  for (; j < n; j++)
    m[0] = a[j] > m[0] ? a[j] : m[0];
  real mx = m[0];
  for (int k = 1; k < 16; k++)
    mx = m[k] > mx ? m[k] : mx;
  return mx;
}

SCM_BODY void
softmax_rows_body (real *a, int R, int T)
{
  for (int i = 0; i < R; i++)
    {
      real *row = a + (gsize) i * T;
      real mx = max16 (row, T);
      for (int j = 0; j < T; j++)
        row[j] = VEXP (row[j] - mx);
      double s = dot8 (row, NULL, T);
      real inv = (real) (1.0 / s);
      for (int j = 0; j < T; j++)
        row[j] *= inv;
    }
}

SCM_HOT static void
softmax_rows_any (real *a, int R, int T)
{
  softmax_rows_body (a, R, T);
}

#ifdef SCM_WIDE
SCM_WIDE_ATTR static void
softmax_rows_wide (real *a, int R, int T)
{
  softmax_rows_body (a, R, T);
}
#endif

static void
softmax_rows (real *a, int R, int T)
{
#ifdef SCM_WIDE
  if (use_wide ())
    {
      softmax_rows_wide (a, R, T);
      return;
    }
#endif
  softmax_rows_any (a, R, T);
}

/* Probabilities after attention dropout, for one (cell, head). */
static const real *
dropped_probs (const real *P, real *buf, int T, double p, guint64 key, guint64 base)
{
  if (p <= 0)
    return P;
  SCM_L (dropout_forward) (buf, P, (gsize) T * T, p, key, base);
  return buf;
}

void
SCM_L (attention_forward) (real *out, real *prob, const real *qkv,
                           int B, int T, int C, int NH, double p, guint64 key,
                           int b0, real *scratch)
{
  /* Per (cell, head): S = q k^T * scale (GEMM), fused row softmax in place,
   * optional dropout into scratch, out = P v (GEMM).  Strided views avoid
   * any head-splitting copy. */
  int hd = C / NH, C3 = 3 * C;
  real scale = (real) (1.0 / sqrt ((double) hd));
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      {
        const real *q = qkv + (gsize) b * T * C3 + h * hd;
        const real *k = q + C;
        const real *v = q + 2 * C;
        real *P = prob + ((gsize) b * NH + h) * T * T;
        real *o = out + (gsize) b * T * C + h * hd;
        SCM_GEMM (CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hd,
                  scale, q, C3, k, C3, 0, P, T);
        softmax_rows (P, T, T);
        guint64 base = ((guint64) (b0 + b) * NH + h) * T * T;
        const real *Pd = dropped_probs (P, scratch, T, p, key, base);
        SCM_GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hd, T,
                  1, Pd, T, v, C3, 0, o, C);
      }
}

void
SCM_L (attention_cls_forward) (real *out, const real *qkv, int B, int T, int C, int NH,
                               real *scratch)
{
  /* Per (cell, head): scores = K q0 * scale (GEMV over the T keys),
   * softmax, out = V^T p (GEMV). */
  int hd = C / NH, C3 = 3 * C;
  real scale = (real) (1.0 / sqrt ((double) hd));
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      {
        const real *q = qkv + (gsize) b * T * C3 + h * hd;
        SCM_GEMV (CblasRowMajor, CblasNoTrans, T, hd, scale, q + C, C3, q, 1, 0, scratch, 1);
        softmax_rows (scratch, 1, T);
        SCM_GEMV (CblasRowMajor, CblasTrans, T, hd, 1, q + 2 * C, C3, scratch, 1, 0,
                  out + (gsize) b * C + h * hd, 1);
      }
}

void
SCM_L (attention_forward_naive) (real *out, real *prob, const real *qkv,
                                 int B, int T, int C, int NH, double p, guint64 key, int b0)
{
  int hd = C / NH, C3 = 3 * C;
  double scale = 1.0 / sqrt ((double) hd);
  guint32 th = scm_dropout_thresh (p);
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      for (int i = 0; i < T; i++)
        {
          const real *q = qkv + ((gsize) b * T + i) * C3 + h * hd;
          real *P = prob + (((gsize) b * NH + h) * T + i) * T;
          double mx = -INFINITY, s = 0;
          for (int j = 0; j < T; j++)
            {
              const real *k = qkv + ((gsize) b * T + j) * C3 + C + h * hd;
              double d = 0;
              for (int e = 0; e < hd; e++)
                d += (double) q[e] * k[e];
              P[j] = (real) (d * scale);
              mx = P[j] > mx ? P[j] : mx;
            }
          for (int j = 0; j < T; j++)
            {
              P[j] = (real) exp (P[j] - mx);
              s += P[j];
            }
          for (int j = 0; j < T; j++)
            P[j] = (real) (P[j] / s);
          real *o = out + ((gsize) b * T + i) * C + h * hd;
          for (int e = 0; e < hd; e++)
            {
              double acc = 0;
              for (int j = 0; j < T; j++)
                {
                  guint64 gi = (((guint64) (b0 + b) * NH + h) * T + i) * T + j;
                  double pj = P[j];
                  if (p > 0)
                    pj = scm_dropout_keep (key, gi, th) ? pj / (1.0 - p) : 0.0;
                  acc += pj * qkv[((gsize) b * T + j) * C3 + 2 * C + h * hd + e];
                }
              o[e] = (real) acc;
            }
        }
}

/* beta 1 accumulates into dqkv, beta 0 overwrites it: each (cell, head)
 * writes its q, k and v columns exactly once. */
static void
attention_backward_beta (real *dqkv, const real *dout, const real *qkv,
                         const real *prob, int B, int T, int C, int NH,
                         double p, guint64 key, int b0, real *scratch, real beta)
{
  int hd = C / NH, C3 = 3 * C;
  real scale = (real) (1.0 / sqrt ((double) hd));
  real *dP = scratch;
  real *Pdbuf = scratch + (gsize) T * T;
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      {
        const real *q = qkv + (gsize) b * T * C3 + h * hd;
        const real *k = q + C;
        const real *v = q + 2 * C;
        real *dq = dqkv + (gsize) b * T * C3 + h * hd;
        real *dk = dq + C;
        real *dv = dq + 2 * C;
        const real *P = prob + ((gsize) b * NH + h) * T * T;
        const real *dO = dout + (gsize) b * T * C + h * hd;
        guint64 base = ((guint64) (b0 + b) * NH + h) * T * T;
        const real *Pd = dropped_probs (P, Pdbuf, T, p, key, base);
        /* dv += Pd^T dO ; dPd = dO v^T */
        SCM_GEMM (CblasRowMajor, CblasTrans, CblasNoTrans, T, hd, T,
                  1, Pd, T, dO, C, beta, dv, C3);
        SCM_GEMM (CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hd,
                  1, dO, C, v, C3, 0, dP, T);
        /* through dropout, then softmax: dS = P * (dP - sum_j P dP) */
        for (int i = 0; i < T; i++)
          {
            real *dr = dP + (gsize) i * T;
            const real *pr = P + (gsize) i * T;
            if (p > 0)
              SCM_L (dropout_backward_assign) (dr, dr, T, p, key, base + (guint64) i * T);
            real s = (real) dot8 (pr, dr, T);
            for (int j = 0; j < T; j++)
              dr[j] = pr[j] * (dr[j] - s);
          }
        /* dq += scale dS k ; dk += scale dS^T q */
        SCM_GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hd, T,
                  scale, dP, T, k, C3, beta, dq, C3);
        SCM_GEMM (CblasRowMajor, CblasTrans, CblasNoTrans, T, hd, T,
                  scale, dP, T, q, C3, beta, dk, C3);
      }
}

void
SCM_L (attention_backward) (real *dqkv, const real *dout, const real *qkv,
                            const real *prob, int B, int T, int C, int NH,
                            double p, guint64 key, int b0, real *scratch)
{
  attention_backward_beta (dqkv, dout, qkv, prob, B, T, C, NH, p, key, b0, scratch, 1);
}

void
SCM_L (attention_backward_assign) (real *dqkv, const real *dout, const real *qkv,
                                   const real *prob, int B, int T, int C, int NH,
                                   double p, guint64 key, int b0, real *scratch)
{
  attention_backward_beta (dqkv, dout, qkv, prob, B, T, C, NH, p, key, b0, scratch, 0);
}

void
SCM_L (attention_backward_naive) (real *dqkv, const real *dout, const real *qkv,
                                  const real *prob, int B, int T, int C, int NH,
                                  double p, guint64 key, int b0)
{
  int hd = C / NH, C3 = 3 * C;
  double scale = 1.0 / sqrt ((double) hd);
  guint32 th = scm_dropout_thresh (p);
  double *dPd = g_new (double, T);
  for (int b = 0; b < B; b++)
    for (int h = 0; h < NH; h++)
      for (int i = 0; i < T; i++)
        {
          const real *P = prob + (((gsize) b * NH + h) * T + i) * T;
          const real *dO = dout + ((gsize) b * T + i) * C + h * hd;
          double s = 0;
          for (int j = 0; j < T; j++)
            {
              guint64 gi = (((guint64) (b0 + b) * NH + h) * T + i) * T + j;
              double m = 1.0;
              if (p > 0)
                m = scm_dropout_keep (key, gi, th) ? 1.0 / (1.0 - p) : 0.0;
              const real *v = qkv + ((gsize) b * T + j) * C3 + 2 * C + h * hd;
              real *dv = dqkv + ((gsize) b * T + j) * C3 + 2 * C + h * hd;
              double d = 0;
              for (int e = 0; e < hd; e++)
                {
                  d += (double) dO[e] * v[e];
                  dv[e] += (real) (P[j] * m * dO[e]);
                }
              dPd[j] = d * m;
              s += P[j] * dPd[j];
            }
          const real *q = qkv + ((gsize) b * T + i) * C3 + h * hd;
          real *dq = dqkv + ((gsize) b * T + i) * C3 + h * hd;
          for (int j = 0; j < T; j++)
            {
              double ds = P[j] * (dPd[j] - s) * scale;
              const real *k = qkv + ((gsize) b * T + j) * C3 + C + h * hd;
              real *dk = dqkv + ((gsize) b * T + j) * C3 + C + h * hd;
              for (int e = 0; e < hd; e++)
                {
                  dq[e] += (real) (ds * k[e]);
                  dk[e] += (real) (ds * q[e]);
                }
            }
        }
  g_free (dPd);
}

/* ---- cross-entropy ---- */

double
SCM_L (crossentropy_forward) (real *probs, const real *logits, const gint32 *y,
                              int B, int K, int *n_correct)
{
  double loss = 0;
  int correct = 0;
  for (int b = 0; b < B; b++)
    {
      const real *l = logits + (gsize) b * K;
      real *pr = probs + (gsize) b * K;
      double mx = l[0];
      int am = 0;
      for (int k = 1; k < K; k++)
        if (l[k] > mx)
          {
            mx = l[k];
            am = k;
          }
      double s = 0;
      for (int k = 0; k < K; k++)
        s += exp (l[k] - mx);
      for (int k = 0; k < K; k++)
        pr[k] = (real) (exp (l[k] - mx) / s);
      loss += -(l[y[b]] - mx - log (s));
      correct += am == y[b];
    }
  if (n_correct != NULL)
    *n_correct = correct;
  return loss;
}

void
SCM_L (crossentropy_backward) (real *dlogits, const real *probs, const gint32 *y,
                               int B, int K, double scale)
{
  for (int b = 0; b < B; b++)
    for (int k = 0; k < K; k++)
      dlogits[(gsize) b * K + k] += (real) ((probs[(gsize) b * K + k] - (k == y[b])) * scale);
}
