/* scm-model-eval-impl.c: the inference pass (scm_model_eval), written
 * against `real`; included by scm-model-impl.c (it needs the model's
 * private structs), not compiled on its own.
 *
 * Why a separate pass: the training forward keeps every block's
 * activations for backward (1.2 GB at the paper's size), runs dropout and
 * splits each layer over the threads.  Inference needs none of that:
 *  - the token layers (G x G, the largest weights) run over blocks of 64
 *    cells, so their weights stream through the cache a few times per
 *    batch rather than once per chunk;
 *  - the encoders then run on fixed chunks of EVAL_ROWS / S cells, handed
 *    to the workers one at a time from a shared counter (a worker slowed
 *    by other processes takes fewer), each worker with single-threaded
 *    BLAS and its own small buffers reused by every block (they stay in
 *    the core's cache); token blocks and chunks are fixed and a worker's
 *    BLAS is single-threaded, so with 2 or more workers a cell's embedding
 *    has the same bits whatever the worker count (with one, BLAS threads
 *    are the caller's and the bits may differ in the last place);
 *  - residual adds go into the projection GEMMs (beta = 1), GELU is in
 *    place, attention probabilities live in one (NH, S, S) scratch;
 *  - the last block computes only the cls row past its keys and values,
 *    since the embedding reads nothing else (the other rows of the last
 *    block and their final LayerNorm are ~14% of the paper-size FLOPs).
 * tests/model/test-layers.c checks this pass against the training forward
 * without dropout (/model/model/eval) in double precision.
 *
 * What it leaves out: masking (stage 1 is embedded unmasked, with the
 * stage-2 fusion, as ref_train.py does).
 */

/* Rows (cells x tokens) per encoder chunk: large enough for efficient
 * GEMMs, small enough that a worker's buffers stay in its cache. */
#define EVAL_ROWS 512
/* Cells per block of the token layers: few blocks, so the G x G weights
 * stream through the cache only ceil(B / 64) times per batch; fixed, so a
 * cell's token layer does not depend on how many workers share them. */
#define EVAL_TOKEN_CELLS 64

struct _ScmEvalWork {
  real *h;          /* (mc, S, D) residual stream */
  real *ln;         /* (mc, S, D) LayerNorm output */
  real *att;        /* (mc, S, D) attention output */
  real *qkv;        /* (mc, S, 3D) */
  real *ff;         /* (mc, S, FF) MLP hidden; also the token embedding (mc, T, D) */
  real *mean, *rstd; /* (mc * S) LayerNorm statistics (not used later) */
  real *prob;       /* (NH, S, S) attention probabilities of one cell */
  real *hc, *lnc, *attc; /* (mc, D) cls rows of the last block */
  real *ffc;        /* (mc, FF) */
  real *cls_r, *cls_a, *fc; /* (mc, D) */
  real *cav[2], *cao[2]; /* (mc, D) cross-attention value and output */
  real *cam[2], *car[2]; /* (mc) */
};

static void
eval_work_free (Model *m)
{
  for (int i = 0; i < m->ew_n; i++)
    g_free (m->ew[i].h);
  g_clear_pointer (&m->ew, g_free);
  m->ew_n = 0;
}

static gboolean
eval_work_ensure (Model *m, GError **error)
{
  int n = m->pool != NULL ? scm_pool_n_threads (m->pool) : 1;
  if (m->ev_fused == NULL)
    {
      gsize G = m->c.n_genes, P = m->stage != SCM_STAGE_TRANSFER ? m->c.n_adt : 0;
      if ((m->ev_tok_r = try_alloc0 ((gsize) m->max_batch * G, "token layer", error)) == NULL
          || (m->ev_tok_a = try_alloc0 ((gsize) m->max_batch * P, "token layer", error)) == NULL
          || (m->ev_fused = try_alloc0 ((gsize) m->max_batch * m->D, "embedding", error))
               == NULL)
        return FALSE;
    }
  if (m->ew != NULL && m->ew_n == n)
    return TRUE;
  eval_work_free (m);
  int S = MAX (m->S_er, m->S_ea);
  gsize mc = m->ev_mc = CLAMP (EVAL_ROWS / S, 1, m->max_batch);
  gsize D = m->D, FF = m->FF, N = mc * S;
  gsize per = N * D * 3 + N * 3 * D + N * FF + 2 * N + (gsize) m->NH * S * S
              + mc * D * 3 + mc * FF + mc * D * 3 + mc * D * 4 + mc * 4;
  m->ew = g_new0 (ScmEvalWork, n);
  m->ew_n = n;
  for (int i = 0; i < n; i++)
    {
      real *base = try_alloc0 (per, "inference buffers", error);
      if (base == NULL)
        {
          eval_work_free (m);
          return FALSE;
        }
      Cursor cu = { base, 0 };
      ScmEvalWork *k = &m->ew[i];
      k->h = cur_take (&cu, N * D);
      k->ln = cur_take (&cu, N * D);
      k->att = cur_take (&cu, N * D);
      k->qkv = cur_take (&cu, N * 3 * D);
      k->ff = cur_take (&cu, N * FF);
      k->mean = cur_take (&cu, N);
      k->rstd = cur_take (&cu, N);
      k->prob = cur_take (&cu, (gsize) m->NH * S * S);
      k->hc = cur_take (&cu, mc * D);
      k->lnc = cur_take (&cu, mc * D);
      k->attc = cur_take (&cu, mc * D);
      k->ffc = cur_take (&cu, mc * FF);
      k->cls_r = cur_take (&cu, mc * D);
      k->cls_a = cur_take (&cu, mc * D);
      k->fc = cur_take (&cu, mc * D);
      for (int j = 0; j < 2; j++)
        {
          k->cav[j] = cur_take (&cu, mc * D);
          k->cao[j] = cur_take (&cu, mc * D);
          k->cam[j] = cur_take (&cu, mc);
          k->car[j] = cur_take (&cu, mc);
        }
      g_assert (cu.off == per);
    }
  m->ev_bytes = ((gsize) n * per + (gsize) m->max_batch * (m->c.n_genes + m->c.n_adt + m->D))
                * sizeof (real);
  return TRUE;
}

/* One encoder on mc cells whose token-layer output is tok (mc, G):
 * cls (mc, D) = the final LayerNorm of each cell's cls row. */
static void
encoder_eval (Model *m, const EncP *w, ScmEvalWork *k, const real *tok, int mc, int T, int t,
              real *cls)
{
  int D = m->D, FF = m->FF, NH = m->NH, S = T + 1, L = m->c.enc_depth, N = mc * S;
  double eps = m->c.ln_eps;
  SCM_L (linear_forward) (k->ff, tok, w->embw, w->embb, mc * T, t, D);
  for (int b = 0; b < mc; b++)
    {
      real *h = k->h + (gsize) b * S * D;
      const real *e = k->ff + (gsize) b * T * D;
      memcpy (h, w->cls, sizeof (real) * D);
      for (gsize i = 0; i < (gsize) T * D; i++)
        h[D + i] = e[i] + w->pos[i];
    }
  for (int l = 0; l < L - 1; l++)
    {
      const BlockP *p = &w->blk[l];
      SCM_L (layernorm_forward) (k->ln, k->mean, k->rstd, k->h, p->ln1w, p->ln1b, N, D, eps);
      SCM_L (linear_forward) (k->qkv, k->ln, p->qkvw, p->qkvb, N, D, 3 * D);
      /* one cell at a time: its probabilities stay in cache; no dropout,
       * so the dropout scratch is never touched */
      for (int b = 0; b < mc; b++)
        SCM_L (attention_forward) (k->att + (gsize) b * S * D, k->prob,
                                   k->qkv + (gsize) b * S * 3 * D, 1, S, D, NH, 0, 0, 0, NULL);
      SCM_L (linear_forward_add) (k->h, k->att, p->projw, p->projb, N, D, D);
      SCM_L (layernorm_forward) (k->ln, k->mean, k->rstd, k->h, p->ln2w, p->ln2b, N, D, eps);
      SCM_L (linear_forward) (k->ff, k->ln, p->fc1w, p->fc1b, N, D, FF);
      SCM_L (gelu_forward) (k->ff, k->ff, (gsize) N * FF);
      SCM_L (linear_forward_add) (k->h, k->ff, p->fc2w, p->fc2b, N, FF, D);
    }
  for (int b = 0; b < mc; b++)
    memcpy (k->hc + (gsize) b * D, k->h + (gsize) b * S * D, sizeof (real) * D);
  if (L > 0)
    {
      /* last block: keys and values of every row, everything else for the
       * cls row only */
      const BlockP *p = &w->blk[L - 1];
      SCM_L (layernorm_forward) (k->ln, k->mean, k->rstd, k->h, p->ln1w, p->ln1b, N, D, eps);
      SCM_L (linear_forward) (k->qkv, k->ln, p->qkvw, p->qkvb, N, D, 3 * D);
      SCM_L (attention_cls_forward) (k->attc, k->qkv, mc, S, D, NH, k->prob);
      SCM_L (linear_forward_add) (k->hc, k->attc, p->projw, p->projb, mc, D, D);
      SCM_L (layernorm_forward) (k->lnc, k->mean, k->rstd, k->hc, p->ln2w, p->ln2b, mc, D, eps);
      SCM_L (linear_forward) (k->ffc, k->lnc, p->fc1w, p->fc1b, mc, D, FF);
      SCM_L (gelu_forward) (k->ffc, k->ffc, (gsize) mc * FF);
      SCM_L (linear_forward_add) (k->hc, k->ffc, p->fc2w, p->fc2b, mc, FF, D);
    }
  SCM_L (layernorm_forward) (cls, k->mean, k->rstd, k->hc, w->normw, w->normb, mc, D, eps);
}

typedef struct {
  Model *m;
  int B;
  gint next;   /* next chunk to take */
} EvalRun;

typedef struct {
  real *out;             /* (B, G) */
  const real *x, *w, *b; /* (B, G) (G, G) (G) */
  int B, G;
  gint next;             /* next block to take */
} TokenRun;

static void
token_run (gpointer data, int tid, int nt)
{
  TokenRun *r = data;
  for (int blk; (blk = g_atomic_int_add (&r->next, 1)) * EVAL_TOKEN_CELLS < r->B;)
    {
      gsize b0 = (gsize) blk * EVAL_TOKEN_CELLS;
      int n = MIN (EVAL_TOKEN_CELLS, r->B - (int) b0);
      SCM_L (linear_forward) (r->out + b0 * r->G, r->x + b0 * r->G, r->w, r->b, n, r->G, r->G);
    }
}

/* out (B, G) = the token layer of x, in fixed blocks over the workers. */
static void
token_layer_eval (Model *m, real *out, const real *x, const EncP *w, int B, int G)
{
  TokenRun r = { out, x, w->tokw, w->tokb, B, G, 0 };
  if (m->pool != NULL)
    scm_pool_run (m->pool, token_run, &r);
  else
    token_run (&r, 0, 1);
}

/* Worker tid: takes chunks until none is left; fusion as fuse_stage2 /
 * fuse_stage3, in the same order of operations. */
static void
eval_run (gpointer data, int tid, int nt)
{
  EvalRun *r = data;
  Model *m = r->m;
  const ScmModelConfig *c = &m->c;
  ScmEvalWork *k = &m->ew[tid];
  int D = m->D, mc = m->ev_mc;
  int n_chunks = (r->B + mc - 1) / mc;
  for (int ch; (ch = g_atomic_int_add (&r->next, 1)) < n_chunks;)
    {
      int b0 = ch * mc, n = MIN (mc, r->B - b0);
      real *out = m->ev_fused + (gsize) b0 * D;
      CaA cr = { k->cav[0], k->cao[0], k->cam[0], k->car[0] };
      CaA ca = { k->cav[1], k->cao[1], k->cam[1], k->car[1] };
      encoder_eval (m, &m->P.er, k, m->ev_tok_r + (gsize) b0 * c->n_genes, n, c->rna_tokens,
                    c->rna_tok_dim, k->cls_r);
      if (m->stage != SCM_STAGE_TRANSFER)
        {
          encoder_eval (m, &m->P.ea, k, m->ev_tok_a + (gsize) b0 * c->n_adt, n, c->adt_tokens,
                        c->adt_tok_dim, k->cls_a);
          ca_forward (m, &m->P.cr, &cr, k->cls_a, n);
          ca_forward (m, &m->P.ca, &ca, k->cls_r, n);
          for (gsize i = 0; i < (gsize) n * D; i++)
            out[i] = (real) 0.5 * ((ca.out[i] + k->cls_a[i]) + (cr.out[i] + k->cls_r[i]));
        }
      else
        {
          SCM_L (linear_forward) (k->fc, k->cls_r, m->P.fcw, m->P.fcb, n, D, D);
          ca_forward (m, &m->P.cr, &cr, k->cls_r, n);
          for (gsize i = 0; i < (gsize) n * D; i++)
            out[i] = cr.out[i] + k->fc[i];
        }
    }
}

gboolean
SCM_M (eval) (Model *m, const real *x_rna, const real *x_adt, int B, real *embedding_out,
              real *probs_out, GError **error)
{
  const ScmModelConfig *c = &m->c;
  if (!check_batch (m, x_rna, x_adt, NULL, B, FALSE, error))
    return FALSE;
  if (probs_out != NULL && m->stage == SCM_STAGE_PRETRAIN)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "scMMAE model: a stage-1 model has no classification head");
      return FALSE;
    }
  if (!eval_work_ensure (m, error))
    return FALSE;
  int D = m->D, K = c->n_classes;
  int saved = blas_enter (m);
  token_layer_eval (m, m->ev_tok_r, x_rna, &m->P.er, B, c->n_genes);
  if (m->stage != SCM_STAGE_TRANSFER)
    token_layer_eval (m, m->ev_tok_a, x_adt, &m->P.ea, B, c->n_adt);
  EvalRun run = { m, B, 0 };
  if (m->pool != NULL)
    scm_pool_run (m->pool, eval_run, &run);
  else
    eval_run (&run, 0, 1);
  blas_leave (m, saved);
  if (embedding_out != NULL)
    memcpy (embedding_out, m->ev_fused, sizeof (real) * B * D);
  if (probs_out != NULL)
    {
      real *logits = g_new (real, (gsize) B * K);
      SCM_L (linear_forward) (logits, m->ev_fused, m->P.headw, m->P.headb, B, D, K);
      for (int b = 0; b < B; b++)
        {
          const real *l = logits + (gsize) b * K;
          real *pr = probs_out + (gsize) b * K;
          double mx = l[0], s = 0;
          for (int j = 1; j < K; j++)
            mx = MAX (mx, l[j]);
          for (int j = 0; j < K; j++)
            s += exp (l[j] - mx);
          for (int j = 0; j < K; j++)
            pr[j] = (real) (exp (l[j] - mx) / s);
        }
      g_free (logits);
    }
  return TRUE;
}
