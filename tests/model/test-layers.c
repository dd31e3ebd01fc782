/* test-layers.c: the layer kernels and the model, checked without PyTorch.
 *
 * 1. Central finite differences in double for every layer (linear,
 *    layernorm, GELU, dropout, attention with and without dropout,
 *    cross-entropy) on small random shapes: the analytic backward must
 *    match (f(x + h) - f(x - h)) / 2h for the scalar f = sum(out * r).
 * 2. Each optimised kernel against its naive reference (BLAS linear,
 *    fused per-(cell, head) attention), in float and double.
 * 3. Whole-model finite differences in double for all three stages with
 *    dropout on (masks are a pure function of the seed, so f is smooth).
 * 4. Micro-batching is exact: one micro-batch vs several, dropout on.
 * 5. eval() agrees with the training forward pass without dropout;
 *    stage-2 -> stage-3 weight transfer by name.
 */
#include <math.h>
#include <string.h>

#include "scm-test-util.h"
#include "model/scm-layers.h"
#include "model/scm-model-f64.h"
#include "scm-error.h"

static void
fill (ScmRng *rng, double *x, gsize n, double scale)
{
  for (gsize i = 0; i < n; i++)
    x[i] = scale * (2 * scm_rng_uniform (rng) - 1);
}

static double
dot (const double *a, const double *b, gsize n)
{
  double s = 0;
  for (gsize i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

static double
max_rel (const double *a, const double *b, gsize n)
{
  double md = 0, mb = 0;
  for (gsize i = 0; i < n; i++)
    {
      md = MAX (md, fabs (a[i] - b[i]));
      mb = MAX (mb, fabs (b[i]));
    }
  return md / MAX (mb, 1e-12);
}

/* f(x) = sum(out(x) * r); numeric gradient of f w.r.t. x[0..n). */
typedef void (*FwdFn) (gpointer ctx, double *out);

static void
numeric_grad (FwdFn f, gpointer ctx, double *x, gsize n, const double *r, gsize n_out,
              double *g)
{
  const double h = 1e-6;
  double *out = g_new (double, n_out);
  for (gsize i = 0; i < n; i++)
    {
      double x0 = x[i];
      x[i] = x0 + h;
      f (ctx, out);
      double fp = dot (out, r, n_out);
      x[i] = x0 - h;
      f (ctx, out);
      double fm = dot (out, r, n_out);
      x[i] = x0;
      g[i] = (fp - fm) / (2 * h);
    }
  g_free (out);
}

#define FD_TOL 1e-6

/* ---- linear ---- */

typedef struct { double *inp, *w, *b; int N, C, OC; } LinCtx;

static void
lin_fwd (gpointer p, double *out)
{
  LinCtx *c = p;
  scm_f64_linear_forward (out, c->inp, c->w, c->b, c->N, c->C, c->OC);
}

static void
test_linear_backward (void)
{
  ScmRng rng;
  scm_rng_seed (&rng, 1);
  int N = 7, C = 5, OC = 4;
  LinCtx c = { g_new (double, N * C), g_new (double, OC * C), g_new (double, OC), N, C, OC };
  fill (&rng, c.inp, N * C, 1);
  fill (&rng, c.w, OC * C, 1);
  fill (&rng, c.b, OC, 1);
  double *r = g_new (double, N * OC);
  fill (&rng, r, N * OC, 1);
  double *dinp = g_new0 (double, N * C), *dw = g_new0 (double, OC * C), *db = g_new0 (double, OC);
  scm_f64_linear_backward (dinp, dw, db, r, c.inp, c.w, N, C, OC);
  double *g = g_new (double, N * C);
  numeric_grad (lin_fwd, &c, c.inp, N * C, r, N * OC, g);
  g_assert_cmpfloat (max_rel (dinp, g, N * C), <, FD_TOL);
  numeric_grad (lin_fwd, &c, c.w, OC * C, r, N * OC, g);
  g_assert_cmpfloat (max_rel (dw, g, OC * C), <, FD_TOL);
  numeric_grad (lin_fwd, &c, c.b, OC, r, N * OC, g);
  g_assert_cmpfloat (max_rel (db, g, OC), <, FD_TOL);
  g_free (g); g_free (dinp); g_free (dw); g_free (db); g_free (r);
  g_free (c.inp); g_free (c.w); g_free (c.b);
}

static void
test_linear_naive (void)
{
  ScmRng rng;
  scm_rng_seed (&rng, 2);
  int N = 37, C = 19, OC = 23;
  double *inp = g_new (double, N * C), *w = g_new (double, OC * C), *b = g_new (double, OC);
  double *dout = g_new (double, N * OC);
  fill (&rng, inp, N * C, 1);
  fill (&rng, w, OC * C, 1);
  fill (&rng, b, OC, 1);
  fill (&rng, dout, N * OC, 1);
  double *o1 = g_new (double, N * OC), *o2 = g_new (double, N * OC);
  scm_f64_linear_forward (o1, inp, w, b, N, C, OC);
  scm_f64_linear_forward_naive (o2, inp, w, b, N, C, OC);
  g_assert_cmpfloat (max_rel (o1, o2, N * OC), <, 1e-13);
  /* the residual form: start + product + bias, against start + naive */
  double *res = g_new (double, N * OC), *want = g_new (double, N * OC);
  fill (&rng, res, N * OC, 1);
  for (int i = 0; i < N * OC; i++)
    want[i] = res[i] + o2[i];
  scm_f64_linear_forward_add (res, inp, w, b, N, C, OC);
  g_assert_cmpfloat (max_rel (res, want, N * OC), <, 1e-13);
  g_free (res); g_free (want);
  double *d1 = g_new0 (double, N * C + OC * C + OC), *d2 = g_new0 (double, N * C + OC * C + OC);
  scm_f64_linear_backward (d1, d1 + N * C, d1 + N * C + OC * C, dout, inp, w, N, C, OC);
  scm_f64_linear_backward_naive (d2, d2 + N * C, d2 + N * C + OC * C, dout, inp, w, N, C, OC);
  g_assert_cmpfloat (max_rel (d1, d2, N * C + OC * C + OC), <, 1e-13);
  /* float path against the double naive reference */
  float *fi = g_new (float, N * C), *fw = g_new (float, OC * C), *fb = g_new (float, OC);
  float *fo = g_new (float, N * OC);
  for (int i = 0; i < N * C; i++) fi[i] = (float) inp[i];
  for (int i = 0; i < OC * C; i++) fw[i] = (float) w[i];
  for (int i = 0; i < OC; i++) fb[i] = (float) b[i];
  scm_f32_linear_forward (fo, fi, fw, fb, N, C, OC);
  for (int i = 0; i < N * OC; i++)
    o1[i] = fo[i];
  g_assert_cmpfloat (max_rel (o1, o2, N * OC), <, 1e-5);
  g_free (fi); g_free (fw); g_free (fb); g_free (fo);
  g_free (inp); g_free (w); g_free (b); g_free (dout); g_free (o1); g_free (o2);
  g_free (d1); g_free (d2);
}

/* ---- layernorm ---- */

typedef struct { double *inp, *w, *b, *mean, *rstd; int N, C; } LnCtx;

static void
ln_fwd (gpointer p, double *out)
{
  LnCtx *c = p;
  scm_f64_layernorm_forward (out, c->mean, c->rstd, c->inp, c->w, c->b, c->N, c->C, 1e-5);
}

static void
test_layernorm_backward (void)
{
  ScmRng rng;
  scm_rng_seed (&rng, 3);
  int N = 6, C = 9;
  LnCtx c = { g_new (double, N * C), g_new (double, C), g_new (double, C), g_new (double, N),
              g_new (double, N), N, C };
  fill (&rng, c.inp, N * C, 2);
  fill (&rng, c.w, C, 1);
  fill (&rng, c.b, C, 1);
  double *r = g_new (double, N * C), *out = g_new (double, N * C);
  fill (&rng, r, N * C, 1);
  ln_fwd (&c, out);
  double *dinp = g_new0 (double, N * C), *dw = g_new0 (double, C), *db = g_new0 (double, C);
  scm_f64_layernorm_backward (dinp, dw, db, r, c.inp, c.w, c.mean, c.rstd, N, C);
  double *g = g_new (double, N * C);
  numeric_grad (ln_fwd, &c, c.inp, N * C, r, N * C, g);
  g_assert_cmpfloat (max_rel (dinp, g, N * C), <, FD_TOL);
  numeric_grad (ln_fwd, &c, c.w, C, r, N * C, g);
  g_assert_cmpfloat (max_rel (dw, g, C), <, FD_TOL);
  numeric_grad (ln_fwd, &c, c.b, C, r, N * C, g);
  g_assert_cmpfloat (max_rel (db, g, C), <, FD_TOL);
  g_free (g); g_free (dinp); g_free (dw); g_free (db); g_free (r); g_free (out);
  g_free (c.inp); g_free (c.w); g_free (c.b); g_free (c.mean); g_free (c.rstd);
}

/* ---- GELU and dropout ---- */

typedef struct { double *inp; gsize n; double p; guint64 key; } EwCtx;

static void
gelu_fwd (gpointer p, double *out)
{
  EwCtx *c = p;
  scm_f64_gelu_forward (out, c->inp, c->n);
}

static void
drop_fwd (gpointer p, double *out)
{
  EwCtx *c = p;
  scm_f64_dropout_forward (out, c->inp, c->n, c->p, c->key, 5);
}

static void
test_gelu_backward (void)
{
  ScmRng rng;
  scm_rng_seed (&rng, 4);
  gsize n = 50;
  EwCtx c = { g_new (double, n), n, 0, 0 };
  fill (&rng, c.inp, n, 4);
  double *r = g_new (double, n), *d = g_new0 (double, n), *g = g_new (double, n);
  fill (&rng, r, n, 1);
  scm_f64_gelu_backward (d, c.inp, r, n);
  numeric_grad (gelu_fwd, &c, c.inp, n, r, n, g);
  g_assert_cmpfloat (max_rel (d, g, n), <, FD_TOL);
  /* exact erf GELU: gelu(1) = 0.8413447460685429 */
  double one = 1, o;
  scm_f64_gelu_forward (&o, &one, 1);
  g_assert_cmpfloat (fabs (o - 0.8413447460685429), <, 1e-15);
  g_free (c.inp); g_free (r); g_free (d); g_free (g);
}

/* The float build uses vectorisable exp / erf (see scm-layers-impl.c):
 * GELU and its derivative must stay within a few float ulps of the exact
 * double values over the whole useful range. */
static void
test_gelu_float (void)
{
  gsize n = 4001;
  float *x = g_new (float, n), *y = g_new (float, n), *dy = g_new (float, n);
  float *ones = g_new (float, n);
  double *xd = g_new (double, n), *yd = g_new (double, n), *dyd = g_new0 (double, n);
  double *onesd = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    {
      x[i] = (float) (-12.0 + 24.0 * i / (n - 1));
      xd[i] = x[i];
      ones[i] = 1;
      onesd[i] = 1;
    }
  scm_f32_gelu_forward (y, x, n);
  scm_f64_gelu_forward (yd, xd, n);
  scm_f32_gelu_backward_assign (dy, x, ones, n);
  scm_f64_gelu_backward (dyd, xd, onesd, n);
  double ey = 0, ed = 0;
  for (gsize i = 0; i < n; i++)
    {
      ey = MAX (ey, fabs (y[i] - yd[i]) / MAX (1.0, fabs (xd[i])));
      ed = MAX (ed, fabs (dy[i] - dyd[i]));
    }
  g_test_message ("float GELU: max error %.3g (relative to max(1,|x|)), derivative %.3g", ey, ed);
  g_assert_cmpfloat (ey, <, 5e-7);
  g_assert_cmpfloat (ed, <, 5e-7);
  g_free (x); g_free (y); g_free (dy); g_free (ones);
  g_free (xd); g_free (yd); g_free (dyd); g_free (onesd);
}

static void
test_dropout (void)
{
  ScmRng rng;
  scm_rng_seed (&rng, 5);
  gsize n = 200000;
  EwCtx c = { g_new (double, n), n, 0.1, 12345 };
  for (gsize i = 0; i < n; i++)
    c.inp[i] = 1;
  double *out = g_new (double, n);
  drop_fwd (&c, out);
  gsize dropped = 0;
  for (gsize i = 0; i < n; i++)
    {
      if (out[i] == 0)
        dropped++;
      else
        g_assert_cmpfloat (fabs (out[i] - 1 / 0.9), <, 1e-15);
    }
  /* binomial: sd = sqrt(n p (1-p)) ~ 134 */
  g_assert_cmpfloat (fabs ((double) dropped - 0.1 * n), <, 700);
  /* gradient check on a small slice */
  EwCtx s = { c.inp, 40, 0.3, 99 };
  fill (&rng, s.inp, 40, 1);
  double *r = g_new (double, 40), *d = g_new0 (double, 40), *g = g_new (double, 40);
  fill (&rng, r, 40, 1);
  scm_f64_dropout_backward (d, r, 40, 0.3, 99, 5);
  numeric_grad (drop_fwd, &s, s.inp, 40, r, 40, g);
  g_assert_cmpfloat (max_rel (d, g, 40), <, FD_TOL);
  /* the assigning variant equals zero + accumulate */
  double *d2 = g_new (double, 40);
  scm_f64_dropout_backward_assign (d2, r, 40, 0.3, 99, 5);
  g_assert_cmpfloat (max_rel (d2, d, 40), ==, 0);
  g_free (d2);
  g_free (c.inp); g_free (out); g_free (r); g_free (d); g_free (g);
}

/* ---- attention ---- */

typedef struct { double *qkv, *prob, *scratch; int B, T, C, NH; double p; guint64 key; int b0; } AttCtx;

static void
att_fwd (gpointer p, double *out)
{
  AttCtx *c = p;
  scm_f64_attention_forward (out, c->prob, c->qkv, c->B, c->T, c->C, c->NH, c->p, c->key,
                             c->b0, c->scratch);
}

static void
check_attention (double p)
{
  ScmRng rng;
  scm_rng_seed (&rng, 6);
  int B = 3, T = 5, C = 8, NH = 2;
  gsize nq = (gsize) B * T * 3 * C, no = (gsize) B * T * C, np = (gsize) B * NH * T * T;
  AttCtx c = { g_new (double, nq), g_new (double, np), g_new (double, 2 * T * T), B, T, C, NH,
               p, 77, 2 };
  fill (&rng, c.qkv, nq, 1.5);
  double *r = g_new (double, no), *out = g_new (double, no);
  fill (&rng, r, no, 1);
  att_fwd (&c, out);
  double *d = g_new0 (double, nq), *g = g_new (double, nq);
  scm_f64_attention_backward (d, r, c.qkv, c.prob, B, T, C, NH, p, 77, 2, c.scratch);
  numeric_grad (att_fwd, &c, c.qkv, nq, r, no, g);
  g_assert_cmpfloat (max_rel (d, g, nq), <, FD_TOL);
  /* fused vs naive, forward and backward */
  double *out2 = g_new (double, no), *prob2 = g_new (double, np), *d2 = g_new0 (double, nq);
  att_fwd (&c, out);
  scm_f64_attention_forward_naive (out2, prob2, c.qkv, B, T, C, NH, p, 77, 2);
  g_assert_cmpfloat (max_rel (out, out2, no), <, 1e-13);
  g_assert_cmpfloat (max_rel (c.prob, prob2, np), <, 1e-13);
  scm_f64_attention_backward_naive (d2, r, c.qkv, c.prob, B, T, C, NH, p, 77, 2);
  g_assert_cmpfloat (max_rel (d, d2, nq), <, 1e-12);
  /* the overwriting variant over garbage equals the accumulating one from zero */
  double *d3 = g_new (double, nq);
  fill (&rng, d3, nq, 100);
  scm_f64_attention_backward_assign (d3, r, c.qkv, c.prob, B, T, C, NH, p, 77, 2, c.scratch);
  g_assert_cmpfloat (max_rel (d3, d, nq), <, 1e-14);
  g_free (d3);
  if (p == 0)
    {
      /* the cls-query-only form equals row 0 of every cell of the naive one */
      double *oc = g_new (double, (gsize) B * C);
      scm_f64_attention_cls_forward (oc, c.qkv, B, T, C, NH, c.scratch);
      for (int b = 0; b < B; b++)
        g_assert_cmpfloat (max_rel (oc + (gsize) b * C, out2 + (gsize) b * T * C, C), <, 1e-13);
      g_free (oc);
    }
  /* float fused vs double naive */
  float *fq = g_new (float, nq), *fo = g_new (float, no), *fp = g_new (float, np);
  float *fs = g_new (float, 2 * T * T), *fr = g_new (float, no), *fd = g_new0 (float, nq);
  for (gsize i = 0; i < nq; i++) fq[i] = (float) c.qkv[i];
  for (gsize i = 0; i < no; i++) fr[i] = (float) r[i];
  scm_f32_attention_forward (fo, fp, fq, B, T, C, NH, p, 77, 2, fs);
  scm_f32_attention_backward (fd, fr, fq, fp, B, T, C, NH, p, 77, 2, fs);
  for (gsize i = 0; i < no; i++) out[i] = fo[i];
  for (gsize i = 0; i < nq; i++) d[i] = fd[i];
  g_assert_cmpfloat (max_rel (out, out2, no), <, 1e-5);
  g_assert_cmpfloat (max_rel (d, d2, nq), <, 1e-5);
  g_free (fq); g_free (fo); g_free (fp); g_free (fs); g_free (fr); g_free (fd);
  g_free (out2); g_free (prob2); g_free (d2);
  g_free (c.qkv); g_free (c.prob); g_free (c.scratch); g_free (r); g_free (out); g_free (d);
  g_free (g);
}

static void
test_attention (void)
{
  check_attention (0.0);
}

static void
test_attention_dropout (void)
{
  check_attention (0.3);
}

/* ---- cross-entropy ---- */

typedef struct { double *logits, *probs; const gint32 *y; int B, K; } CeCtx;

static void
ce_fwd (gpointer p, double *out)
{
  CeCtx *c = p;
  out[0] = scm_f64_crossentropy_forward (c->probs, c->logits, c->y, c->B, c->K, NULL);
}

static void
test_crossentropy (void)
{
  ScmRng rng;
  scm_rng_seed (&rng, 7);
  int B = 4, K = 6;
  gint32 y[4] = { 0, 5, 2, 2 };
  CeCtx c = { g_new (double, B * K), g_new (double, B * K), y, B, K };
  fill (&rng, c.logits, B * K, 3);
  double one = 1, loss;
  ce_fwd (&c, &loss);
  double *d = g_new0 (double, B * K), *g = g_new (double, B * K);
  scm_f64_crossentropy_backward (d, c.probs, y, B, K, 1.0);
  numeric_grad (ce_fwd, &c, c.logits, B * K, &one, 1, g);
  g_assert_cmpfloat (max_rel (d, g, B * K), <, FD_TOL);
  g_free (c.logits); g_free (c.probs); g_free (d); g_free (g);
}

/* ---- whole model ---- */

static ScmModelConfig
small_config (double dropout)
{
  ScmModelConfig c = {
    .n_genes = 12, .rna_tokens = 4, .rna_tok_dim = 3,
    .n_adt = 3, .adt_tokens = 3, .adt_tok_dim = 1,
    .dim = 8, .heads = 2, .mlp_ratio = 2, .enc_depth = 2, .dec_depth = 1,
    .mask_ratio = 0.25, .mask_ratio_adt = 0.34, .dropout = dropout, .ln_eps = 1e-5,
    .n_classes = 3, .w_rna = 0.7, .w_adt = 0.3, .qkv_bias = TRUE,
  };
  return c;
}

typedef struct {
  ScmModelF64 *m;
  double *xr, *xa;
  gint32 *y;
  int B;
} ModelCtx;

static double
model_loss (ModelCtx *c)
{
  ScmRng rng;
  ScmLosses L;
  g_autoptr (GError) error = NULL;
  scm_rng_seed (&rng, 42); /* same permutations and dropout masks every call */
  scm_model_f64_zero_grad (c->m);
  gboolean ok = scm_model_f64_forward_backward (c->m, c->xr, c->xa, c->y, c->B, &rng, &L, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return L.total;
}

/* A second shape: 4 heads, 2 proteins per ADT token, 1 encoder and 2
 * decoder blocks, no qkv bias, half the tokens masked. */
static gboolean use_alt_config = FALSE;

static ScmModelConfig
alt_config (double dropout)
{
  ScmModelConfig c = small_config (dropout);
  c.heads = 4;
  c.n_adt = 6;
  c.adt_tokens = 3;
  c.adt_tok_dim = 2;
  c.enc_depth = 1;
  c.dec_depth = 2;
  c.qkv_bias = FALSE;
  c.mask_ratio = 0.5;
  c.mask_ratio_adt = 0.5;
  return c;
}

static ModelCtx
model_ctx (ScmStage stage, double dropout, int B, int micro)
{
  g_autoptr (GError) error = NULL;
  ScmModelConfig cfg = use_alt_config ? alt_config (dropout) : small_config (dropout);
  ModelCtx c = { scm_model_f64_new_with_micro_batch (&cfg, stage, B, micro, &error),
                 g_new (double, B * cfg.n_genes), g_new (double, B * cfg.n_adt),
                 g_new (gint32, B), B };
  g_assert_no_error (error);
  ScmRng rng;
  scm_rng_seed (&rng, 11);
  scm_model_f64_init_params (c.m, &rng);
  /* perturb LayerNorm and zero-initialised tensors too, so every path carries gradient */
  double *p = scm_model_f64_family (c.m, SCM_TENSOR_PARAM);
  for (gsize i = 0; i < scm_model_f64_n_params (c.m); i++)
    p[i] += 0.1 * (2 * scm_rng_uniform (&rng) - 1);
  fill (&rng, c.xr, B * cfg.n_genes, 2);
  fill (&rng, c.xa, B * cfg.n_adt, 2);
  for (int b = 0; b < B; b++)
    c.y[b] = (gint32) scm_rng_below (&rng, cfg.n_classes);
  return c;
}

static void
model_ctx_free (ModelCtx *c)
{
  scm_model_f64_free (c->m);
  g_free (c->xr);
  g_free (c->xa);
  g_free (c->y);
}

static void
check_model_fd (ScmStage stage)
{
  ModelCtx c = model_ctx (stage, 0.2, 3, 0);
  model_loss (&c);
  gsize n = scm_model_f64_n_params (c.m);
  double *p = scm_model_f64_family (c.m, SCM_TENSOR_PARAM);
  double *grad = g_memdup2 (scm_model_f64_family (c.m, SCM_TENSOR_GRAD), n * sizeof (double));
  /* every tensor: its first element and a random one */
  ScmRng rng;
  scm_rng_seed (&rng, 3);
  double worst = 0;
  const char *worst_name = "";
  double gmax = 0;
  for (gsize i = 0; i < n; i++)
    gmax = MAX (gmax, fabs (grad[i]));
  for (int t = 0; t < scm_model_f64_n_tensors (c.m); t++)
    {
      double *base = scm_model_f64_tensor_data (c.m, SCM_TENSOR_PARAM, t);
      gsize numel = scm_model_f64_tensor_numel (c.m, t);
      gsize picks[2] = { 0, scm_rng_below (&rng, numel) };
      for (int k = 0; k < 2; k++)
        {
          gsize i = (gsize) (base - p) + picks[k];
          double x0 = p[i], h = 1e-5;
          p[i] = x0 + h;
          double fp = model_loss (&c);
          p[i] = x0 - h;
          double fm = model_loss (&c);
          p[i] = x0;
          double num = (fp - fm) / (2 * h);
          double err = fabs (num - grad[i]) / MAX (gmax, 1e-12);
          if (err > worst)
            {
              worst = err;
              worst_name = scm_model_f64_tensor_name (c.m, t);
            }
        }
    }
  g_test_message ("stage %d: worst finite-difference error %.3g (%s), max |grad| %.3g",
                  (int) stage, worst, worst_name, gmax);
  g_assert_cmpfloat (gmax, >, 0);
  g_assert_cmpfloat (worst, <, 1e-6);
  g_free (grad);
  model_ctx_free (&c);
}

static void
test_model_fd_stage1 (void)
{
  check_model_fd (SCM_STAGE_PRETRAIN);
}

static void
test_model_fd_alt (void)
{
  use_alt_config = TRUE;
  for (int s = 1; s <= 3; s++)
    check_model_fd ((ScmStage) s);
  use_alt_config = FALSE;
}

static void
test_model_fd_stage2 (void)
{
  check_model_fd (SCM_STAGE_FINETUNE);
}

static void
test_model_fd_stage3 (void)
{
  check_model_fd (SCM_STAGE_TRANSFER);
}

static void
test_model_micro_batch (void)
{
  for (int s = 1; s <= 3; s++)
    {
      ModelCtx a = model_ctx ((ScmStage) s, 0.2, 5, 5);
      ModelCtx b = model_ctx ((ScmStage) s, 0.2, 5, 2);
      g_assert_cmpint (scm_model_f64_get_micro_batch (b.m), ==, 2);
      double la = model_loss (&a), lb = model_loss (&b);
      g_assert_cmpfloat (fabs (la - lb), <, 1e-13 * fabs (la));
      gsize n = scm_model_f64_n_params (a.m);
      g_assert_cmpfloat (max_rel (scm_model_f64_family (b.m, SCM_TENSOR_GRAD),
                                  scm_model_f64_family (a.m, SCM_TENSOR_GRAD), n), <, 1e-12);
      model_ctx_free (&a);
      model_ctx_free (&b);
    }
}

static void
test_model_threads (void)
{
  /* threads change only the summation order of split GEMMs and LayerNorm
   * partials: equal to rounding, and bitwise reproducible per thread count */
  for (int s = 1; s <= 3; s++)
    {
      ModelCtx a = model_ctx ((ScmStage) s, 0.2, 5, 2);
      ModelCtx b = model_ctx ((ScmStage) s, 0.2, 5, 2);
      scm_model_f64_set_threads (b.m, 3);
      double la = model_loss (&a), lb = model_loss (&b);
      gsize n = scm_model_f64_n_params (a.m);
      g_assert_cmpfloat (fabs (la - lb), <, 1e-13 * fabs (la));
      g_assert_cmpfloat (max_rel (scm_model_f64_family (b.m, SCM_TENSOR_GRAD),
                                  scm_model_f64_family (a.m, SCM_TENSOR_GRAD), n), <, 1e-12);
      double *g1 = g_memdup2 (scm_model_f64_family (b.m, SCM_TENSOR_GRAD), n * sizeof (double));
      double lb2 = model_loss (&b);
      g_assert_cmpfloat (lb, ==, lb2);
      g_assert_cmpmem (g1, n * sizeof (double), scm_model_f64_family (b.m, SCM_TENSOR_GRAD),
                       n * sizeof (double));
      g_free (g1);
      model_ctx_free (&a);
      model_ctx_free (&b);
    }
}

static void
test_model_eval (void)
{
  g_autoptr (GError) error = NULL;
  for (int s = 1; s <= 3; s++)
    {
      ModelCtx c = model_ctx ((ScmStage) s, 0.3, 4, 3);
      ScmModelConfig cfg = small_config (0.3);
      double *e1 = g_new (double, 4 * cfg.dim), *e2 = g_new (double, 4 * cfg.dim);
      double *p1 = g_new (double, 4 * cfg.n_classes);
      gboolean ok = scm_model_f64_eval (c.m, c.xr, c.xa, 4, e1, s == 1 ? NULL : p1, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      /* deterministic */
      scm_model_f64_eval (c.m, c.xr, c.xa, 4, e2, NULL, &error);
      g_assert_cmpfloat (max_rel (e1, e2, 4 * cfg.dim), ==, 0);
      if (s != 1)
        {
          for (int b = 0; b < 4; b++)
            {
              double sum = 0;
              for (int k = 0; k < cfg.n_classes; k++)
                sum += p1[b * cfg.n_classes + k];
              g_assert_cmpfloat (fabs (sum - 1), <, 1e-12);
            }
          /* eval of the last cell == the no-dropout forward of the same cell */
          ScmLosses L;
          ScmRng rng;
          scm_rng_seed (&rng, 1);
          ok = scm_model_f64_forward_loss (c.m, c.xr + 3 * cfg.n_genes, c.xa + 3 * cfg.n_adt,
                                           c.y + 3, 1, &rng, &L, &error);
          g_assert_no_error (error);
          double fused[64];
          gssize k = scm_model_f64_debug_activation (c.m, "fused", fused, 64);
          g_assert_cmpint (k, ==, cfg.dim);
          g_assert_cmpfloat (max_rel (fused, e1 + 3 * cfg.dim, cfg.dim), <, 1e-14);
          double ce = -log (p1[3 * cfg.n_classes + c.y[3]]);
          g_assert_cmpfloat (fabs (ce - L.ce), <, 1e-12);
        }
      else
        {
          ok = scm_model_f64_eval (c.m, c.xr, c.xa, 4, e1, p1, &error);
          g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
          g_assert_false (ok);
          g_clear_error (&error);
        }
      g_free (e1); g_free (e2); g_free (p1);
      model_ctx_free (&c);
    }
}

/* The inference-only model (what embed uses): same embedding and
 * probabilities as the training model, cell by cell and in batches that
 * span several encoder chunks, with one or three workers; no training. */
static void
test_model_eval_only (void)
{
  g_autoptr (GError) error = NULL;
  int B = 250; /* > one chunk of the small configuration (512 rows / 5 tokens) */
  for (int s = 1; s <= 3; s++)
    {
      ModelCtx c = model_ctx ((ScmStage) s, 0.3, B, 0);
      ScmModelConfig cfg = small_config (0.3);
      ScmModelF64 *e = scm_model_f64_new_for_eval (&cfg, (ScmStage) s, B, &error);
      g_assert_no_error (error);
      gsize np = scm_model_f64_n_params (c.m);
      g_assert_cmpuint (scm_model_f64_n_params (e), ==, np);
      memcpy (scm_model_f64_family (e, SCM_TENSOR_PARAM),
              scm_model_f64_family (c.m, SCM_TENSOR_PARAM), np * sizeof (double));
      g_assert_null (scm_model_f64_family (e, SCM_TENSOR_GRAD));
      g_assert_null (scm_model_f64_family (e, SCM_TENSOR_ADAM_M));
      int D = cfg.dim, K = cfg.n_classes;
      double *e1 = g_new (double, B * D), *e3 = g_new (double, B * D), *one = g_new (double, D);
      double *p1 = g_new (double, B * K), *p3 = g_new (double, B * K), *pone = g_new (double, K);
      double *pr = s == 1 ? NULL : p1;
      g_assert_true (scm_model_f64_eval (e, c.xr, c.xa, B, e1, pr, &error));
      g_assert_no_error (error);
      scm_model_f64_set_threads (e, 3);
      g_assert_true (scm_model_f64_eval (e, c.xr, c.xa, B, e3, s == 1 ? NULL : p3, &error));
      g_assert_cmpfloat (max_rel (e3, e1, B * D), <, 1e-13);
      /* with workers (single-threaded BLAS inside each) the chunks give the
       * same bits whichever worker takes them and however many there are */
      double *e2 = g_new (double, B * D);
      scm_model_f64_set_threads (e, 2);
      g_assert_true (scm_model_f64_eval (e, c.xr, c.xa, B, e2, NULL, &error));
      g_assert_cmpmem (e2, B * D * sizeof (double), e3, B * D * sizeof (double));
      g_free (e2);
      for (int b = 0; b < B; b += 61)
        {
          g_assert_true (scm_model_f64_eval (c.m, c.xr + b * cfg.n_genes, c.xa + b * cfg.n_adt,
                                             1, one, s == 1 ? NULL : pone, &error));
          g_assert_cmpfloat (max_rel (one, e1 + b * D, D), <, 1e-13);
          if (s != 1)
            g_assert_cmpfloat (max_rel (pone, p1 + b * K, K), <, 1e-13);
        }
      ScmLosses L;
      ScmRng rng;
      scm_rng_seed (&rng, 1);
      g_assert_false (scm_model_f64_forward_backward (e, c.xr, c.xa, c.y, B, &rng, &L, &error));
      g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
      g_clear_error (&error);
      g_free (e1); g_free (e3); g_free (one); g_free (p1); g_free (p3); g_free (pone);
      scm_model_f64_free (e);
      model_ctx_free (&c);
    }
  /* float: far less memory than a training model of the same size */
  ScmModelConfig cfg;
  scm_model_config_init_paper (&cfg, 14, 14);
  ScmModel *t = scm_model_new (&cfg, SCM_STAGE_FINETUNE, 128, &error);
  ScmModel *e = scm_model_new_for_eval (&cfg, SCM_STAGE_FINETUNE, 128, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scm_model_memory_bytes (e) * 4, <, scm_model_memory_bytes (t));
  scm_model_free (t);
  scm_model_free (e);
}

static void
test_model_errors (void)
{
  g_autoptr (GError) error = NULL;
  ScmModelConfig cfg = small_config (0);
  cfg.n_genes = 13;
  g_assert_null (scm_model_new (&cfg, SCM_STAGE_PRETRAIN, 4, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  cfg = small_config (0);
  ScmModel *m = scm_model_new (&cfg, SCM_STAGE_FINETUNE, 4, &error);
  g_assert_no_error (error);
  float x[5 * 12] = { 0 }, xa[5 * 3] = { 0 };
  gint32 y[5] = { 0, 1, 2, 3, 0 };
  ScmRng rng;
  scm_rng_seed (&rng, 1);
  g_assert_false (scm_model_forward_backward (m, x, xa, y, 4, &rng, NULL, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID); /* label 3 of 3 classes */
  g_clear_error (&error);
  g_assert_false (scm_model_forward_backward (m, x, xa, y, 5, &rng, NULL, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID); /* batch > max_batch */
  g_clear_error (&error);
  g_assert_false (scm_model_forward_backward (m, x, NULL, y, 2, &rng, NULL, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID); /* stage 2 without ADT */
  g_clear_error (&error);
  scm_model_free (m);
}

static void
test_model_transfer (void)
{
  g_autoptr (GError) error = NULL;
  ScmModelConfig cfg = small_config (0);
  ScmModel *s1 = scm_model_new (&cfg, SCM_STAGE_PRETRAIN, 2, &error);
  ScmModel *s2 = scm_model_new (&cfg, SCM_STAGE_FINETUNE, 2, &error);
  ScmModel *s3 = scm_model_new (&cfg, SCM_STAGE_TRANSFER, 2, &error);
  g_assert_no_error (error);
  ScmRng rng;
  scm_rng_seed (&rng, 5);
  scm_model_init_params (s1, &rng);
  /* stage 1 -> 2: both encoders and both cross attentions */
  int n12 = scm_model_copy_params_by_name (s2, s1);
  g_assert_cmpint (n12, ==, scm_model_n_tensors (s2) - 2); /* all but head.weight/bias */
  int i = scm_model_tensor_find (s2, "enc_adt.blocks.1.fc2.weight");
  int j = scm_model_tensor_find (s1, "enc_adt.blocks.1.fc2.weight");
  g_assert_cmpint (i, >=, 0);
  g_assert_cmpmem (scm_model_tensor_data (s2, SCM_TENSOR_PARAM, i),
                   scm_model_tensor_numel (s2, i) * sizeof (float),
                   scm_model_tensor_data (s1, SCM_TENSOR_PARAM, j),
                   scm_model_tensor_numel (s1, j) * sizeof (float));
  scm_model_init_params (s2, &rng);
  int n23 = scm_model_copy_params_by_name (s3, s2);
  g_assert_cmpint (n23, ==, scm_model_n_tensors (s3) - 2); /* all but fc.weight/bias */
  g_assert_cmpint (scm_model_tensor_find (s3, "enc_adt.cls_token"), ==, -1);
  g_assert_cmpint (scm_model_tensor_find (s3, "fc.bias"), >=, 0);
  int shape[3];
  i = scm_model_tensor_find (s3, "enc_rna.pos_embedding");
  g_assert_cmpint (scm_model_tensor_shape (s3, i, shape), ==, 3);
  g_assert_cmpint (shape[1], ==, cfg.rna_tokens);
  scm_model_free (s1);
  scm_model_free (s2);
  scm_model_free (s3);
}

/* The AVX-512 copies of softmax (inside attention), GELU and LayerNorm
 * give the bits of the narrower ones (same operation order, no
 * contraction), so a checkpoint does not depend on the CPU it was trained
 * on.  (On a CPU without AVX-512 both runs take the same path.) */
static void
test_wide_same_bits (void)
{
  ScmRng rng;
  scm_rng_seed (&rng, 21);
  int N = 37, C = 131, B = 2, T = 45, NH = 2, CA = 16;
  gsize n = (gsize) N * C, nq = (gsize) B * T * 3 * CA, no = (gsize) B * T * CA;
  float *x = g_new (float, n), *w = g_new (float, C), *b = g_new (float, C);
  float *qkv = g_new (float, nq);
  for (gsize i = 0; i < n; i++) x[i] = (float) (4 * scm_rng_uniform (&rng) - 2);
  for (int i = 0; i < C; i++) w[i] = (float) scm_rng_uniform (&rng), b[i] = (float) scm_rng_uniform (&rng);
  for (gsize i = 0; i < nq; i++) qkv[i] = (float) (6 * scm_rng_uniform (&rng) - 3);
  float *out[2], *gel[2], *att[2], *prob[2], *mean = g_new (float, N), *rstd = g_new (float, N);
  float *scratch = g_new (float, 2 * T * T);
  for (int k = 0; k < 2; k++)
    {
      scm_layers_allow_wide (k == 0);
      out[k] = g_new (float, n);
      gel[k] = g_new (float, n);
      att[k] = g_new (float, no);
      prob[k] = g_new (float, (gsize) B * NH * T * T);
      scm_f32_layernorm_forward (out[k], mean, rstd, x, w, b, N, C, 1e-5);
      scm_f32_gelu_forward (gel[k], x, n);
      scm_f32_attention_forward (att[k], prob[k], qkv, B, T, CA, NH, 0, 0, 0, scratch);
    }
  scm_layers_allow_wide (TRUE);
  g_assert_cmpmem (out[0], n * sizeof (float), out[1], n * sizeof (float));
  g_assert_cmpmem (gel[0], n * sizeof (float), gel[1], n * sizeof (float));
  g_assert_cmpmem (prob[0], (gsize) B * NH * T * T * sizeof (float), prob[1],
                   (gsize) B * NH * T * T * sizeof (float));
  g_assert_cmpmem (att[0], no * sizeof (float), att[1], no * sizeof (float));
  for (int k = 0; k < 2; k++)
    {
      g_free (out[k]); g_free (gel[k]); g_free (att[k]); g_free (prob[k]);
    }
  g_free (x); g_free (w); g_free (b); g_free (qkv); g_free (mean); g_free (rstd); g_free (scratch);
}

static void
test_flops (void)
{
  /* ref_scmmae.py flops: stage 1/2/3 at paper size, batch 128, 14 proteins:
   * 844 / 576 / 562 GFLOP per step (README of ../shared/bench). */
  ScmModelConfig c;
  scm_model_config_init_paper (&c, 14, 14);
  g_assert_cmpfloat (fabs (scm_model_train_flops (&c, SCM_STAGE_PRETRAIN, 128) / 1e9 - 844), <, 1);
  g_assert_cmpfloat (fabs (scm_model_train_flops (&c, SCM_STAGE_FINETUNE, 128) / 1e9 - 576), <, 1);
  g_assert_cmpfloat (fabs (scm_model_train_flops (&c, SCM_STAGE_TRANSFER, 128) / 1e9 - 562), <, 1);
  /* inference: ref_scmmae.py flops, stage 2 fwd_per_cell 1509.367176 MFLOP
   * (what its infer_stage2_embed rate is computed from) x 128 cells */
  g_assert_cmpfloat (fabs (scm_model_eval_flops (&c, SCM_STAGE_FINETUNE, 128) / 1e9
                           - 1509.367176e-3 * 128), <, 1e-3);
  g_assert_cmpint (scm_model_config_keep_rna (&c), ==, 340);
  g_assert_cmpint (scm_model_config_keep_adt (&c), ==, 11);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/linear/backward", test_linear_backward);
  g_test_add_func ("/model/linear/blas-vs-naive", test_linear_naive);
  g_test_add_func ("/model/layernorm/backward", test_layernorm_backward);
  g_test_add_func ("/model/gelu/backward", test_gelu_backward);
  g_test_add_func ("/model/gelu/float", test_gelu_float);
  g_test_add_func ("/model/dropout/mask", test_dropout);
  g_test_add_func ("/model/attention/backward", test_attention);
  g_test_add_func ("/model/attention/dropout", test_attention_dropout);
  g_test_add_func ("/model/elementwise/wide-same-bits", test_wide_same_bits);
  g_test_add_func ("/model/crossentropy/backward", test_crossentropy);
  g_test_add_func ("/model/model/finite-difference/stage1", test_model_fd_stage1);
  g_test_add_func ("/model/model/finite-difference/stage2", test_model_fd_stage2);
  g_test_add_func ("/model/model/finite-difference/other-shape", test_model_fd_alt);
  g_test_add_func ("/model/model/finite-difference/stage3", test_model_fd_stage3);
  g_test_add_func ("/model/model/micro-batch", test_model_micro_batch);
  g_test_add_func ("/model/model/threads", test_model_threads);
  g_test_add_func ("/model/model/eval", test_model_eval);
  g_test_add_func ("/model/model/eval-only", test_model_eval_only);
  g_test_add_func ("/model/model/errors", test_model_errors);
  g_test_add_func ("/model/model/transfer", test_model_transfer);
  g_test_add_func ("/model/model/flops", test_flops);
  return g_test_run ();
}
