/* scm-model-impl.c: the scMMAE model, written once against `real`.
 *
 * Compiled as float (scm-model-f32.c: the public ScmModel of scm-model.h)
 * and as double (scm-model-f64.c: ScmModelF64 of scm-model-f64.h, for the
 * reference tests).  Layout after llm.c's train_gpt2.c: named pointer
 * structs into one allocation per family (parameters, gradients, AdamW m,
 * AdamW v, activations, backward scratch), filled by one walk over the
 * model in PyTorch named_parameters() order so that the name table, the
 * checkpoint and the reference dumps agree by construction.
 *
 * Architecture: ../shared/reference/README.md.  Dimension letters: B cells
 * of the whole batch, mb cells of one micro-batch, T tokens of a modality,
 * S sequence length inside a transformer (cls + visible tokens), D width,
 * FF = mlp_ratio * D, NH heads, G genes, P proteins, t genes per token,
 * K classes.
 */
#include <math.h>
#include <string.h>

#include "scm-real.h"
#include "scm-dropout.h"
#include "scm-layers.h"
#include "scm-pool.h"
#include "scm-model-f64.h"
#include "util/scm-blas.h"
#include "scm-error.h"

/* ---- parameter structs (pointers into one family array) ---- */

typedef struct {
  real *ln1w, *ln1b;   /* (D) (D) */
  real *qkvw, *qkvb;   /* (3D, D) (3D) or NULL */
  real *projw, *projb; /* (D, D) (D) */
  real *ln2w, *ln2b;   /* (D) (D) */
  real *fc1w, *fc1b;   /* (FF, D) (FF) */
  real *fc2w, *fc2b;   /* (D, FF) (D) */
} BlockP;

typedef struct {
  real *cls;           /* (1, 1, D) */
  real *pos;           /* (1, T, D) */
  real *tokw, *tokb;   /* (G, G) (G) */
  real *embw, *embb;   /* (D, t) (D) */
  BlockP *blk;         /* enc_depth */
  real *normw, *normb; /* (D) (D) */
} EncP;

typedef struct {
  real *qw, *qb;       /* (D, D) (D): no effect on the output (softmax of one key) */
  real *kw, *kb;       /* (D, D) (D): idem */
  real *vw, *vb;       /* (D, D) (D) */
  real *lnw, *lnb;     /* (D) (D) */
} CaP;

typedef struct {
  real *mask;          /* (1, 1, D) */
  real *pos;           /* (1, T + 1, D) */
  BlockP *blk;         /* dec_depth */
  real *decw, *decb;   /* (t, D) (t) */
} DecP;

typedef struct {
  EncP er, ea;         /* enc_rna, enc_adt (stages 1, 2) */
  CaP cr, ca;          /* ca_rna, ca_adt (ca_adt stages 1, 2) */
  DecP dr, da;         /* dec_rna, dec_adt (stage 1) */
  real *fcw, *fcb;     /* (D, D) (D) stage 3 */
  real *headw, *headb; /* (K, D) (K) stages 2, 3 */
} Params;

/* ---- activation structs (for mb cells, S the longest sequence) ---- */

typedef struct {
  real *ln1, *ln1m, *ln1r; /* (mb, S, D) (mb, S) (mb, S) */
  real *qkv;               /* (mb, S, 3D) */
  real *prob;              /* (mb, NH, S, S) softmax before dropout */
  real *att;               /* (mb, S, D) heads concatenated */
  real *proj;              /* (mb, S, D) */
  real *res1;              /* (mb, S, D) x + drop(proj) */
  real *ln2, *ln2m, *ln2r; /* (mb, S, D) (mb, S) (mb, S) */
  real *fc1;               /* (mb, S, FF) */
  real *gelu;              /* (mb, S, FF) after mlp dropout 1 */
  real *fc2;               /* (mb, S, D) */
  real *out;               /* (mb, S, D) res1 + drop(fc2) */
} BlockA;

typedef struct {
  real *tokens;            /* (mb, G) */
  real *emb;               /* (mb, T, D) */
  real *pluspos;           /* (mb, T, D) */
  real *bin;               /* (mb, S, D) [cls; kept tokens] */
  BlockA *blk;
  real *norm, *normm, *normr; /* (mb, S, D) (mb, S) (mb, S) */
  real *cls;               /* (mb, D) row 0 of norm, contiguous */
} EncA;

typedef struct {
  real *v;                 /* (mb, D) value_linear(kv cls) */
  real *out, *m, *r;       /* (mb, D) LayerNorm(v), (mb), (mb) */
} CaA;

typedef struct {
  real *unsh;              /* (mb, T + 1, D) */
  real *bin;               /* (mb, T + 1, D) */
  BlockA *blk;
  real *pred;              /* (mb, T + 1, t); row 0 of each cell unused */
} DecA;

typedef struct {
  EncA er, ea;
  CaA cr, ca;
  real *fused_rna;         /* (mb, S_rna, D) stage 1 */
  real *fused_adt;         /* (mb, S_adt, D) stage 1 */
  DecA dr, da;
  real *fc;                /* (mb, D) stage 3 */
  real *fused;             /* (mb, D) stages 2, 3 (and eval) */
  real *logits, *probs;    /* (mb, K) */
} Acts;

/* Backward scratch, shared by all modules (they run one after another). */
typedef struct {
  real *dres;              /* (mb, Smax, D) residual stream gradient */
  real *dD, *dD2;          /* (mb, Smax, D) */
  real *dFF;               /* (mb, Smax, FF) */
  real *dFF2;              /* (mb, Smax, FF) */
  real *dqkv;              /* (mb, Smax, 3D) */
  real *dF_rna, *dF_adt;   /* (mb, S_enc, D) encoder output gradients */
  real *dpp;               /* (mb, Tmax, D) plus_pos gradient */
  real *dtok;              /* (mb, max(G, P)) */
  real *dv, *dcls_r, *dcls_a, *dfused, *dfc; /* (mb, D) */
  real *dlogits;           /* (mb, K) */
  real *dpred_r, *dpred_a; /* (mb, T + 1, t) reconstruction gradients (stage 1) */
} Scratch;

/* Buffers of one inference worker (scm-model-eval-impl.c). */
typedef struct _ScmEvalWork ScmEvalWork;

typedef enum { INIT_ZERO, INIT_ONE, INIT_TRUNC, INIT_LINEAR } InitKind;

typedef struct {
  char    *name;
  int      ndim;
  int      shape[3];
  gsize    off;
  gsize    numel;
  InitKind init;
  int      fan_in;
} TensorInfo;

struct SCM_MODEL_STRUCT {
  ScmModelConfig c;
  ScmStage stage;
  int max_batch, mb, n_threads;
  int D, FF, NH;
  int keep_r, keep_a;
  int S_er, S_ea, S_dr, S_da; /* allocated (longest) sequence lengths */
  int cur_S_er, cur_S_ea;     /* sequence lengths of the last forward */
  int last_mb;                /* cells in the last micro-batch */

  GArray *tensors;            /* TensorInfo */
  gsize n_params;
  real *params, *grads, *m, *v;
  Params P, G;

  real *acts_mem;
  gsize n_acts;
  Acts A;
  real *scratch_mem;
  gsize n_scratch;
  Scratch Sc;

  gint32 *fwd_r, *bwd_r, *fwd_a, *bwd_a; /* (max_batch, T) */
  gint32 *fixed_fwd_r, *fixed_fwd_a;     /* test hook, or NULL */
  int fixed_B;
  gint32 *chunk_bwd_r, *chunk_bwd_a;     /* views for debug: last chunk */

  ScmPool *pool;                         /* NULL with one thread */
  real *thr_att;                         /* (n_threads, att_stride) attention scratch */
  gsize att_stride;                      /* 2 * Smax * Smax */
  double *thr_acc;                       /* (n_threads, acc_stride) bias-gradient sums */
  gsize acc_stride;                      /* max(G, P, FF, 3D, K) */
  real *thr_ln;                          /* (n_threads, 2 * D) LayerNorm dw, db partials */

  /* inference (scm-model-eval-impl.c), allocated by the first eval */
  ScmEvalWork *ew;                       /* one per worker thread */
  int ew_n;
  int ev_mc;                             /* cells per encoder chunk */
  real *ev_tok_r, *ev_tok_a;             /* (max_batch, G) (max_batch, P) token layers */
  real *ev_fused;                        /* (max_batch, D) */
  gsize ev_bytes;
};

typedef SCM_MODEL_T Model;

/* ---- the walk that lays out parameters ---- */

typedef struct {
  Model *m;
  real *base;
  gsize off;
  gboolean record;
} Walker;

static real *
take (Walker *w, const char *name, InitKind init, int fan_in, int ndim, int s0, int s1, int s2)
{
  gsize n = (gsize) s0 * (ndim > 1 ? s1 : 1) * (ndim > 2 ? s2 : 1);
  real *p = w->base != NULL ? w->base + w->off : NULL;
  if (w->record)
    {
      TensorInfo ti = { g_strdup (name), ndim, { s0, ndim > 1 ? s1 : 0, ndim > 2 ? s2 : 0 },
                        w->off, n, init, fan_in };
      g_array_append_val (w->m->tensors, ti);
    }
  w->off += n;
  return p;
}

static real *
take_linear_w (Walker *w, const char *pre, const char *mod, int out, int in)
{
  g_autofree char *n = g_strdup_printf ("%s%s.weight", pre, mod);
  return take (w, n, INIT_LINEAR, in, 2, out, in, 0);
}

static real *
take_linear_b (Walker *w, const char *pre, const char *mod, int out, int in)
{
  g_autofree char *n = g_strdup_printf ("%s%s.bias", pre, mod);
  return take (w, n, INIT_LINEAR, in, 1, out, 0, 0);
}

static void
take_ln (Walker *w, const char *pre, const char *mod, int D, real **wt, real **b)
{
  g_autofree char *nw = g_strdup_printf ("%s%s.weight", pre, mod);
  g_autofree char *nb = g_strdup_printf ("%s%s.bias", pre, mod);
  *wt = take (w, nw, INIT_ONE, 0, 1, D, 0, 0);
  *b = take (w, nb, INIT_ZERO, 0, 1, D, 0, 0);
}

static void
walk_block (Walker *w, const char *pre, BlockP *p)
{
  Model *m = w->m;
  int D = m->D, FF = m->FF;
  take_ln (w, pre, "norm1", D, &p->ln1w, &p->ln1b);
  p->qkvw = take_linear_w (w, pre, "qkv", 3 * D, D);
  p->qkvb = m->c.qkv_bias ? take_linear_b (w, pre, "qkv", 3 * D, D) : NULL;
  p->projw = take_linear_w (w, pre, "proj", D, D);
  p->projb = take_linear_b (w, pre, "proj", D, D);
  take_ln (w, pre, "norm2", D, &p->ln2w, &p->ln2b);
  p->fc1w = take_linear_w (w, pre, "fc1", FF, D);
  p->fc1b = take_linear_b (w, pre, "fc1", FF, D);
  p->fc2w = take_linear_w (w, pre, "fc2", D, FF);
  p->fc2b = take_linear_b (w, pre, "fc2", D, FF);
}

static void
walk_encoder (Walker *w, const char *name, EncP *p, int G, int T, int t)
{
  Model *m = w->m;
  int D = m->D;
  g_autofree char *pre = g_strdup_printf ("%s.", name);
  g_autofree char *n_cls = g_strdup_printf ("%scls_token", pre);
  g_autofree char *n_pos = g_strdup_printf ("%spos_embedding", pre);
  p->cls = take (w, n_cls, INIT_TRUNC, 0, 3, 1, 1, D);
  p->pos = take (w, n_pos, INIT_TRUNC, 0, 3, 1, T, D);
  p->tokw = take_linear_w (w, pre, "tokens", G, G);
  p->tokb = take_linear_b (w, pre, "tokens", G, G);
  p->embw = take_linear_w (w, pre, "embedding", D, t);
  p->embb = take_linear_b (w, pre, "embedding", D, t);
  for (int l = 0; l < m->c.enc_depth; l++)
    {
      g_autofree char *bp = g_strdup_printf ("%sblocks.%d.", pre, l);
      walk_block (w, bp, &p->blk[l]);
    }
  take_ln (w, pre, "norm", D, &p->normw, &p->normb);
}

static void
walk_ca (Walker *w, const char *name, CaP *p)
{
  int D = w->m->D;
  g_autofree char *pre = g_strdup_printf ("%s.", name);
  p->qw = take_linear_w (w, pre, "query_linear", D, D);
  p->qb = take_linear_b (w, pre, "query_linear", D, D);
  p->kw = take_linear_w (w, pre, "key_linear", D, D);
  p->kb = take_linear_b (w, pre, "key_linear", D, D);
  p->vw = take_linear_w (w, pre, "value_linear", D, D);
  p->vb = take_linear_b (w, pre, "value_linear", D, D);
  take_ln (w, pre, "layer_norm", D, &p->lnw, &p->lnb);
}

static void
walk_decoder (Walker *w, const char *name, DecP *p, int T, int t)
{
  Model *m = w->m;
  int D = m->D;
  g_autofree char *pre = g_strdup_printf ("%s.", name);
  g_autofree char *n_mask = g_strdup_printf ("%smask_token", pre);
  g_autofree char *n_pos = g_strdup_printf ("%spos_embedding", pre);
  p->mask = take (w, n_mask, INIT_TRUNC, 0, 3, 1, 1, D);
  p->pos = take (w, n_pos, INIT_TRUNC, 0, 3, 1, T + 1, D);
  for (int l = 0; l < m->c.dec_depth; l++)
    {
      g_autofree char *bp = g_strdup_printf ("%sblocks.%d.", pre, l);
      walk_block (w, bp, &p->blk[l]);
    }
  p->decw = take_linear_w (w, pre, "decoding", t, D);
  p->decb = take_linear_b (w, pre, "decoding", t, D);
}

static gsize
walk_model (Model *m, Params *p, real *base, gboolean record)
{
  const ScmModelConfig *c = &m->c;
  Walker w = { m, base, 0, record };
  walk_encoder (&w, "enc_rna", &p->er, c->n_genes, c->rna_tokens, c->rna_tok_dim);
  if (m->stage != SCM_STAGE_TRANSFER)
    walk_encoder (&w, "enc_adt", &p->ea, c->n_adt, c->adt_tokens, c->adt_tok_dim);
  walk_ca (&w, "ca_rna", &p->cr);
  if (m->stage != SCM_STAGE_TRANSFER)
    walk_ca (&w, "ca_adt", &p->ca);
  if (m->stage == SCM_STAGE_PRETRAIN)
    {
      walk_decoder (&w, "dec_rna", &p->dr, c->rna_tokens, c->rna_tok_dim);
      walk_decoder (&w, "dec_adt", &p->da, c->adt_tokens, c->adt_tok_dim);
    }
  if (m->stage == SCM_STAGE_TRANSFER)
    {
      p->fcw = take_linear_w (&w, "", "fc", m->D, m->D);
      p->fcb = take_linear_b (&w, "", "fc", m->D, m->D);
    }
  if (m->stage != SCM_STAGE_PRETRAIN)
    {
      p->headw = take_linear_w (&w, "", "head", c->n_classes, m->D);
      p->headb = take_linear_b (&w, "", "head", c->n_classes, m->D);
    }
  return w.off;
}

static void
params_alloc_blocks (Model *m, Params *p)
{
  p->er.blk = g_new0 (BlockP, m->c.enc_depth);
  p->ea.blk = g_new0 (BlockP, m->c.enc_depth);
  p->dr.blk = g_new0 (BlockP, MAX (m->c.dec_depth, 1));
  p->da.blk = g_new0 (BlockP, MAX (m->c.dec_depth, 1));
}

static void
params_free_blocks (Params *p)
{
  g_free (p->er.blk);
  g_free (p->ea.blk);
  g_free (p->dr.blk);
  g_free (p->da.blk);
}

/* ---- activation layout ---- */

typedef struct {
  real *base;
  gsize off;
} Cursor;

static real *
cur_take (Cursor *cu, gsize n)
{
  real *p = cu->base != NULL ? cu->base + cu->off : NULL;
  cu->off += n;
  return p;
}

static void
block_acts_layout (Model *m, Cursor *cu, BlockA *a, int S)
{
  gsize mb = m->mb, D = m->D, FF = m->FF, NH = m->NH;
  gsize N = mb * S;
  a->ln1 = cur_take (cu, N * D);
  a->ln1m = cur_take (cu, N);
  a->ln1r = cur_take (cu, N);
  a->qkv = cur_take (cu, N * 3 * D);
  a->prob = cur_take (cu, mb * NH * S * S);
  a->att = cur_take (cu, N * D);
  a->proj = cur_take (cu, N * D);
  a->res1 = cur_take (cu, N * D);
  a->ln2 = cur_take (cu, N * D);
  a->ln2m = cur_take (cu, N);
  a->ln2r = cur_take (cu, N);
  a->fc1 = cur_take (cu, N * FF);
  a->gelu = cur_take (cu, N * FF);
  a->fc2 = cur_take (cu, N * D);
  a->out = cur_take (cu, N * D);
}

static void
enc_acts_layout (Model *m, Cursor *cu, EncA *a, int G, int T, int S)
{
  gsize mb = m->mb, D = m->D;
  a->tokens = cur_take (cu, mb * G);
  a->emb = cur_take (cu, mb * T * D);
  a->pluspos = cur_take (cu, mb * T * D);
  a->bin = cur_take (cu, mb * S * D);
  for (int l = 0; l < m->c.enc_depth; l++)
    block_acts_layout (m, cu, &a->blk[l], S);
  a->norm = cur_take (cu, mb * S * D);
  a->normm = cur_take (cu, mb * S);
  a->normr = cur_take (cu, mb * S);
  a->cls = cur_take (cu, mb * D);
}

static void
ca_acts_layout (Model *m, Cursor *cu, CaA *a)
{
  gsize mb = m->mb, D = m->D;
  a->v = cur_take (cu, mb * D);
  a->out = cur_take (cu, mb * D);
  a->m = cur_take (cu, mb);
  a->r = cur_take (cu, mb);
}

static void
dec_acts_layout (Model *m, Cursor *cu, DecA *a, int T, int t)
{
  gsize mb = m->mb, D = m->D;
  a->unsh = cur_take (cu, mb * (T + 1) * D);
  a->bin = cur_take (cu, mb * (T + 1) * D);
  for (int l = 0; l < m->c.dec_depth; l++)
    block_acts_layout (m, cu, &a->blk[l], T + 1);
  a->pred = cur_take (cu, mb * (T + 1) * t);
}

static gsize
acts_layout (Model *m, real *base)
{
  const ScmModelConfig *c = &m->c;
  Acts *a = &m->A;
  Cursor cu = { base, 0 };
  gsize mb = m->mb, D = m->D, K = MAX (c->n_classes, 1);
  enc_acts_layout (m, &cu, &a->er, c->n_genes, c->rna_tokens, m->S_er);
  if (m->stage != SCM_STAGE_TRANSFER)
    {
      enc_acts_layout (m, &cu, &a->ea, c->n_adt, c->adt_tokens, m->S_ea);
      ca_acts_layout (m, &cu, &a->ca);
    }
  ca_acts_layout (m, &cu, &a->cr);
  if (m->stage == SCM_STAGE_PRETRAIN)
    {
      a->fused_rna = cur_take (&cu, mb * m->S_er * D);
      a->fused_adt = cur_take (&cu, mb * m->S_ea * D);
      dec_acts_layout (m, &cu, &a->dr, c->rna_tokens, c->rna_tok_dim);
      dec_acts_layout (m, &cu, &a->da, c->adt_tokens, c->adt_tok_dim);
    }
  a->fc = cur_take (&cu, mb * D);
  a->fused = cur_take (&cu, mb * D);
  a->logits = cur_take (&cu, mb * K);
  a->probs = cur_take (&cu, mb * K);
  return cu.off;
}

static gsize
scratch_layout (Model *m, real *base)
{
  const ScmModelConfig *c = &m->c;
  Scratch *s = &m->Sc;
  Cursor cu = { base, 0 };
  gsize mb = m->mb, D = m->D, FF = m->FF, K = MAX (c->n_classes, 1);
  gsize Smax = MAX (MAX (m->S_er, m->S_ea), MAX (m->S_dr, m->S_da));
  gsize Tmax = MAX (c->rna_tokens, c->adt_tokens);
  s->dres = cur_take (&cu, mb * Smax * D);
  s->dD = cur_take (&cu, mb * Smax * D);
  s->dD2 = cur_take (&cu, mb * Smax * D);
  s->dFF = cur_take (&cu, mb * Smax * FF);
  s->dFF2 = cur_take (&cu, mb * Smax * FF);
  s->dqkv = cur_take (&cu, mb * Smax * 3 * D);
  s->dF_rna = cur_take (&cu, mb * m->S_er * D);
  s->dF_adt = cur_take (&cu, mb * m->S_ea * D);
  s->dpp = cur_take (&cu, mb * Tmax * D);
  s->dtok = cur_take (&cu, mb * MAX (c->n_genes, c->n_adt));
  s->dv = cur_take (&cu, mb * D);
  s->dcls_r = cur_take (&cu, mb * D);
  s->dcls_a = cur_take (&cu, mb * D);
  s->dfused = cur_take (&cu, mb * D);
  s->dfc = cur_take (&cu, mb * D);
  s->dlogits = cur_take (&cu, mb * K);
  s->dpred_r = cur_take (&cu, m->S_dr > 0 ? mb * m->S_dr * c->rna_tok_dim : 0);
  s->dpred_a = cur_take (&cu, m->S_da > 0 ? mb * m->S_da * c->adt_tok_dim : 0);
  return cu.off;
}

static gsize
acts_per_cell (Model *m)
{
  /* Floats of activations per cell: lay out with mb = 1 and no base. */
  int save = m->mb;
  m->mb = 1;
  gsize n = acts_layout (m, NULL) + scratch_layout (m, NULL);
  m->mb = save;
  return n;
}

/* ---- creation ---- */

static void *
try_alloc0 (gsize n_reals, const char *what, GError **error)
{
  void *p = n_reals > 0 ? g_try_malloc0_n (n_reals, sizeof (real)) : g_malloc0 (sizeof (real));
  if (p == NULL)
    g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                 "scMMAE model: cannot allocate %" G_GSIZE_FORMAT " MB for the %s",
                 n_reals * sizeof (real) >> 20, what);
  return p;
}

/* Activation budget per model; the micro-batch is the largest that fits. */
#define SCM_MODEL_ACT_BUDGET_BYTES ((gsize) 1200 << 20)

static void eval_work_free (Model *m);

/* train: allocate gradients, AdamW moments, activations and backward
 * buffers (FALSE: an inference-only model, see scm_model_new_for_eval). */
static Model *
model_create (const ScmModelConfig *config, ScmStage stage, int max_batch, int micro_batch,
              gboolean train, GError **error)
{
  if (!scm_model_config_validate (config, stage, error))
    return NULL;
  if (max_batch < 1)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "scMMAE model: max_batch must be >= 1 (got %d)", max_batch);
      return NULL;
    }
  Model *m = g_new0 (Model, 1);
  m->c = *config;
  m->stage = stage;
  m->max_batch = max_batch;
  m->n_threads = 1;
  m->D = config->dim;
  m->FF = config->mlp_ratio * config->dim;
  m->NH = config->heads;
  m->keep_r = scm_model_config_keep_rna (config);
  m->keep_a = scm_model_config_keep_adt (config);
  /* Encoders are sized for the full sequence so that eval works on a
   * stage-1 model; training uses the first 1 + keep rows. */
  m->S_er = config->rna_tokens + 1;
  m->S_ea = stage != SCM_STAGE_TRANSFER ? config->adt_tokens + 1 : 0;
  m->S_dr = stage == SCM_STAGE_PRETRAIN ? config->rna_tokens + 1 : 0;
  m->S_da = stage == SCM_STAGE_PRETRAIN ? config->adt_tokens + 1 : 0;

  m->tensors = g_array_new (FALSE, FALSE, sizeof (TensorInfo));
  params_alloc_blocks (m, &m->P);
  params_alloc_blocks (m, &m->G);
  m->n_params = walk_model (m, &m->P, NULL, TRUE);
  m->A.er.blk = g_new0 (BlockA, config->enc_depth);
  m->A.ea.blk = g_new0 (BlockA, config->enc_depth);
  m->A.dr.blk = g_new0 (BlockA, MAX (config->dec_depth, 1));
  m->A.da.blk = g_new0 (BlockA, MAX (config->dec_depth, 1));

  if (!train)
    micro_batch = 1; /* no training activations: the size is never used */
  if (micro_batch <= 0)
    {
      gsize per_cell = acts_per_cell (m) * sizeof (real);
      gsize fit = SCM_MODEL_ACT_BUDGET_BYTES / MAX (per_cell, 1);
      micro_batch = (int) CLAMP (fit, 1, (gsize) max_batch);
    }
  m->mb = MIN (micro_batch, max_batch);

  if ((m->params = try_alloc0 (m->n_params, "parameters", error)) == NULL)
    goto fail;
  walk_model (m, &m->P, m->params, FALSE);
  if (!train)
    goto done;
  if ((m->grads = try_alloc0 (m->n_params, "gradients", error)) == NULL
      || (m->m = try_alloc0 (m->n_params, "AdamW moments", error)) == NULL
      || (m->v = try_alloc0 (m->n_params, "AdamW moments", error)) == NULL)
    goto fail;
  walk_model (m, &m->G, m->grads, FALSE);
  m->n_acts = acts_layout (m, NULL);
  if ((m->acts_mem = try_alloc0 (m->n_acts, "activations", error)) == NULL)
    goto fail;
  acts_layout (m, m->acts_mem);
  m->n_scratch = scratch_layout (m, NULL);
  if ((m->scratch_mem = try_alloc0 (m->n_scratch, "backward buffers", error)) == NULL)
    goto fail;
  scratch_layout (m, m->scratch_mem);
done:
  {
    gsize Smax = MAX (MAX (m->S_er, m->S_ea), MAX (m->S_dr, m->S_da));
    m->att_stride = 2 * Smax * Smax;
  }
  SCM_M (set_threads) (m, 1);
  m->fwd_r = g_new0 (gint32, (gsize) max_batch * config->rna_tokens);
  m->bwd_r = g_new0 (gint32, (gsize) max_batch * config->rna_tokens);
  m->fwd_a = g_new0 (gint32, (gsize) max_batch * MAX (config->adt_tokens, 1));
  m->bwd_a = g_new0 (gint32, (gsize) max_batch * MAX (config->adt_tokens, 1));
  return m;

fail:
  SCM_M (free) (m);
  return NULL;
}

Model *
SCM_M (new_with_micro_batch) (const ScmModelConfig *config, ScmStage stage, int max_batch,
                              int micro_batch, GError **error)
{
  return model_create (config, stage, max_batch, micro_batch, TRUE, error);
}

Model *
SCM_M (new) (const ScmModelConfig *config, ScmStage stage, int max_batch, GError **error)
{
  return model_create (config, stage, max_batch, 0, TRUE, error);
}

Model *
SCM_M (new_for_eval) (const ScmModelConfig *config, ScmStage stage, int max_batch,
                      GError **error)
{
  return model_create (config, stage, max_batch, 0, FALSE, error);
}

void
SCM_M (free) (Model *m)
{
  if (m == NULL)
    return;
  for (guint i = 0; i < m->tensors->len; i++)
    g_free (g_array_index (m->tensors, TensorInfo, i).name);
  g_array_unref (m->tensors);
  params_free_blocks (&m->P);
  params_free_blocks (&m->G);
  g_free (m->A.er.blk);
  g_free (m->A.ea.blk);
  g_free (m->A.dr.blk);
  g_free (m->A.da.blk);
  g_free (m->params);
  g_free (m->grads);
  g_free (m->m);
  g_free (m->v);
  g_free (m->acts_mem);
  g_free (m->scratch_mem);
  g_free (m->fwd_r);
  g_free (m->bwd_r);
  g_free (m->fwd_a);
  g_free (m->bwd_a);
  g_free (m->fixed_fwd_r);
  g_free (m->fixed_fwd_a);
  scm_pool_free (m->pool);
  g_free (m->thr_att);
  g_free (m->thr_ln);
  g_free (m->thr_acc);
  eval_work_free (m);
  g_free (m->ev_tok_r);
  g_free (m->ev_tok_a);
  g_free (m->ev_fused);
  g_free (m);
}

int
SCM_M (get_micro_batch) (const Model *m)
{
  return m->mb;
}

/* ---- tensor table ---- */

int
SCM_M (n_tensors) (const Model *m)
{
  return (int) m->tensors->len;
}

static const TensorInfo *
tinfo (const Model *m, int i)
{
  g_return_val_if_fail (i >= 0 && (guint) i < m->tensors->len, NULL);
  return &g_array_index (m->tensors, TensorInfo, i);
}

const char *
SCM_M (tensor_name) (const Model *m, int i)
{
  const TensorInfo *t = tinfo (m, i);
  return t != NULL ? t->name : NULL;
}

int
SCM_M (tensor_shape) (const Model *m, int i, int shape[3])
{
  const TensorInfo *t = tinfo (m, i);
  if (t == NULL)
    return 0;
  for (int k = 0; k < 3; k++)
    shape[k] = k < t->ndim ? t->shape[k] : 0;
  return t->ndim;
}

gsize
SCM_M (tensor_numel) (const Model *m, int i)
{
  const TensorInfo *t = tinfo (m, i);
  return t != NULL ? t->numel : 0;
}

real *
SCM_M (family) (Model *m, ScmTensorKind kind)
{
  switch (kind)
    {
    case SCM_TENSOR_PARAM: return m->params;
    case SCM_TENSOR_GRAD: return m->grads;
    case SCM_TENSOR_ADAM_M: return m->m;
    case SCM_TENSOR_ADAM_V: return m->v;
    default: return NULL;
    }
}

real *
SCM_M (tensor_data) (Model *m, ScmTensorKind kind, int i)
{
  const TensorInfo *t = tinfo (m, i);
  real *f = SCM_M (family) (m, kind);
  return t != NULL && f != NULL ? f + t->off : NULL;
}

int
SCM_M (tensor_find) (const Model *m, const char *name)
{
  for (guint i = 0; i < m->tensors->len; i++)
    if (strcmp (g_array_index (m->tensors, TensorInfo, i).name, name) == 0)
      return (int) i;
  return -1;
}

gsize
SCM_M (n_params) (const Model *m)
{
  return m->n_params;
}

void
SCM_M (zero_grad) (Model *m)
{
  if (m->grads != NULL)
    memset (m->grads, 0, m->n_params * sizeof (real));
}

void
SCM_M (set_threads) (Model *m, int n_threads)
{
  n_threads = CLAMP (n_threads, 1, 64);
  if (m->thr_att != NULL && n_threads == m->n_threads)
    return;
  m->n_threads = n_threads;
  g_clear_pointer (&m->pool, scm_pool_free);
  if (n_threads > 1)
    m->pool = scm_pool_new (n_threads);
  g_free (m->thr_att);
  g_free (m->thr_ln);
  g_free (m->thr_acc);
  m->acc_stride = MAX (MAX (m->c.n_genes, m->c.n_adt), MAX (m->FF, 3 * m->D));
  m->acc_stride = MAX (m->acc_stride, (gsize) MAX (m->c.n_classes, 1));
  m->thr_acc = g_new0 (double, (gsize) n_threads * m->acc_stride);
  m->thr_att = g_new0 (real, (gsize) n_threads * m->att_stride);
  m->thr_ln = g_new0 (real, (gsize) n_threads * 2 * m->D);
}

/* With our own threads, OpenBLAS runs single-threaded inside each of them
 * (two thread pools on two cores would oversubscribe); restored after. */
static int
blas_enter (Model *m)
{
  if (m->pool == NULL)
    return 0;
  int saved = scm_blas_get_threads ();
  if (saved != 1)
    scm_blas_set_threads (1);
  return saved;
}

static void
blas_leave (Model *m, int saved)
{
  if (m->pool != NULL && saved != 1)
    scm_blas_set_threads (saved);
}

void
SCM_M (set_fixed_perms) (Model *m, const gint32 *fwd_rna, const gint32 *fwd_adt, int B)
{
  g_clear_pointer (&m->fixed_fwd_r, g_free);
  g_clear_pointer (&m->fixed_fwd_a, g_free);
  m->fixed_B = 0;
  if (fwd_rna == NULL || fwd_adt == NULL)
    return;
  m->fixed_fwd_r = g_memdup2 (fwd_rna, sizeof (gint32) * B * m->c.rna_tokens);
  m->fixed_fwd_a = g_memdup2 (fwd_adt, sizeof (gint32) * B * m->c.adt_tokens);
  m->fixed_B = B;
}

/* ---- initialisation ---- */

void
SCM_M (init_params) (Model *m, ScmRng *rng)
{
  for (guint i = 0; i < m->tensors->len; i++)
    {
      const TensorInfo *t = &g_array_index (m->tensors, TensorInfo, i);
      real *p = m->params + t->off;
      double a = t->fan_in > 0 ? 1.0 / sqrt ((double) t->fan_in) : 0;
      for (gsize k = 0; k < t->numel; k++)
        switch (t->init)
          {
          case INIT_ZERO: p[k] = 0; break;
          case INIT_ONE: p[k] = 1; break;
          case INIT_LINEAR: p[k] = (real) ((2 * scm_rng_uniform (rng) - 1) * a); break;
          case INIT_TRUNC:
            {
              /* trunc_normal_(std=0.02, a=-2, b=2): the cut is at +-2 absolute */
              double x;
              do
                x = 0.02 * scm_rng_normal (rng);
              while (x < -2 || x > 2);
              p[k] = (real) x;
            }
            break;
          default: break;
          }
    }
  SCM_M (zero_grad) (m);
  if (m->m != NULL)
    {
      memset (m->m, 0, m->n_params * sizeof (real));
      memset (m->v, 0, m->n_params * sizeof (real));
    }
}

/* ---- transformer block ---- */

/* Dropout sites inside one block. */
enum { SITE_ATTN, SITE_PROJ, SITE_MLP1, SITE_MLP2, N_SITES };

static guint64
block_key (guint64 step_key, int module, int layer, int site)
{
  return scm_dropout_site_key (step_key, ((guint64) module * 256 + layer) * N_SITES + site);
}

/* ---- parallel wrappers ----
 * Each splits one layer over the model's threads with a fixed partition:
 * rows for LayerNorm, linear forward and the input gradient, output
 * features for weight gradients, cells for attention, elements for the
 * elementwise ops.  Parameter-gradient reductions that cannot be split
 * (LayerNorm dw, db) go through per-thread partials added in thread order.
 * `assign` means: overwrite the output instead of accumulating into it. */

typedef enum {
  OP_LN_FWD, OP_LN_BWD, OP_LIN_FWD, OP_LIN_BWD, OP_ATT_FWD, OP_ATT_BWD,
  OP_DROP_ADD, OP_GELU_DROP, OP_DROP_BWD, OP_GELU_BWD, OP_ZERO,
} OpKind;

typedef struct {
  Model *m;
  OpKind op;
  real *out, *out2, *out3;
  const real *in, *in2, *in3, *in4, *in5;
  gsize n;
  int N, C, OC, B, S, b0;
  double p, eps;
  guint64 key, i0;
  gboolean assign;
} Op;

static void
op_run (gpointer data, int tid, int nt)
{
  Op *o = data;
  Model *m = o->m;
  gsize lo, hi;
  switch (o->op)
    {
    case OP_ZERO:
      scm_pool_range (o->n, tid, nt, &lo, &hi);
      memset (o->out + lo, 0, (hi - lo) * sizeof (real));
      break;
    case OP_LN_FWD: /* out, mean, rstd <- in, w, b */
      scm_pool_range (o->N, tid, nt, &lo, &hi);
      SCM_L (layernorm_forward) (o->out + lo * o->C, o->out2 + lo, o->out3 + lo,
                                 o->in + lo * o->C, o->in2, o->in3, (int) (hi - lo), o->C, o->eps);
      break;
    case OP_LN_BWD: /* dinp (out), dw, db (partials) <- dout in, inp in2, w in3, mean in4, rstd in5 */
      {
        scm_pool_range (o->N, tid, nt, &lo, &hi);
        real *pw = nt > 1 ? m->thr_ln + (gsize) tid * 2 * o->C : o->out2;
        real *pb = nt > 1 ? pw + o->C : o->out3;
        if (nt > 1)
          memset (pw, 0, 2 * o->C * sizeof (real));
        SCM_L (layernorm_backward) (o->out + lo * o->C, pw, pb, o->in + lo * o->C,
                                    o->in2 + lo * o->C, o->in3, o->in4 + lo, o->in5 + lo,
                                    (int) (hi - lo), o->C);
      }
      break;
    case OP_LIN_FWD: /* out <- in . w(in2)^T + b(in3) */
      scm_pool_range (o->N, tid, nt, &lo, &hi);
      if (hi > lo)
        SCM_L (linear_forward) (o->out + lo * o->OC, o->in + lo * o->C, o->in2, o->in3,
                                (int) (hi - lo), o->C, o->OC);
      break;
    case OP_LIN_BWD: /* dinp (out), dw (out2), db (out3) <- dout in, inp in2, w in3 */
      {
        int N = o->N, C = o->C, OC = o->OC;
        if (o->out != NULL)
          {
            scm_pool_range (N, tid, nt, &lo, &hi);
            if (hi > lo)
              SCM_GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) (hi - lo), C, OC,
                        1, o->in + lo * OC, OC, o->in3, C, o->assign ? 0 : 1, o->out + lo * C, C);
          }
        scm_pool_range (OC, tid, nt, &lo, &hi);
        if (hi > lo)
          SCM_GEMM (CblasRowMajor, CblasTrans, CblasNoTrans, (int) (hi - lo), C, N,
                    1, o->in + lo, OC, o->in2, C, 1, o->out2 + lo * C, C);
        if (o->out3 != NULL && hi > lo)
          {
            /* row-wise (contiguous) column sums into this thread's doubles */
            double *acc = m->thr_acc + (gsize) tid * m->acc_stride;
            memset (acc, 0, (hi - lo) * sizeof (double));
            for (int r = 0; r < N; r++)
              {
                const real *row = o->in + (gsize) r * OC + lo;
                for (gsize k = 0; k < hi - lo; k++)
                  acc[k] += row[k];
              }
            for (gsize k = 0; k < hi - lo; k++)
              o->out3[lo + k] += (real) acc[k];
          }
      }
      break;
    case OP_ATT_FWD: /* out, prob (out2) <- qkv in */
      {
        int S = o->S, C = o->C, NH = m->NH;
        scm_pool_range (o->B, tid, nt, &lo, &hi);
        if (hi > lo)
          SCM_L (attention_forward) (o->out + lo * S * C, o->out2 + lo * NH * S * S,
                                     o->in + lo * S * 3 * C, (int) (hi - lo), S, C, NH, o->p,
                                     o->key, o->b0 + (int) lo,
                                     m->thr_att + (gsize) tid * m->att_stride);
      }
      break;
    case OP_ATT_BWD: /* dqkv (out) <- dout in, qkv in2, prob in3 */
      {
        int S = o->S, C = o->C, NH = m->NH;
        scm_pool_range (o->B, tid, nt, &lo, &hi);
        if (hi > lo)
          (o->assign ? SCM_L (attention_backward_assign) : SCM_L (attention_backward))
            (o->out + lo * S * 3 * C, o->in + lo * S * C, o->in2 + lo * S * 3 * C,
             o->in3 + lo * NH * S * S, (int) (hi - lo), S, C, NH, o->p, o->key,
             o->b0 + (int) lo, m->thr_att + (gsize) tid * m->att_stride);
      }
      break;
    case OP_DROP_ADD: /* out = in2 + dropout(in) */
      scm_pool_range (o->n, tid, nt, &lo, &hi);
      SCM_L (dropout_forward) (o->out + lo, o->in + lo, hi - lo, o->p, o->key, o->i0 + lo);
      for (gsize i = lo; i < hi; i++)
        o->out[i] += o->in2[i];
      break;
    case OP_GELU_DROP: /* out = dropout(gelu(in)) */
      scm_pool_range (o->n, tid, nt, &lo, &hi);
      SCM_L (gelu_forward) (o->out + lo, o->in + lo, hi - lo);
      SCM_L (dropout_forward) (o->out + lo, o->out + lo, hi - lo, o->p, o->key, o->i0 + lo);
      break;
    case OP_DROP_BWD: /* out = dropout_backward(in), written directly */
      scm_pool_range (o->n, tid, nt, &lo, &hi);
      SCM_L (dropout_backward_assign) (o->out + lo, o->in + lo, hi - lo, o->p, o->key, o->i0 + lo);
      break;
    case OP_GELU_BWD: /* out = gelu'(in2) * in, written directly */
      scm_pool_range (o->n, tid, nt, &lo, &hi);
      SCM_L (gelu_backward_assign) (o->out + lo, o->in2 + lo, o->in + lo, hi - lo);
      break;
    default:
      break;
    }
}

static void
op_go (Model *m, Op *o)
{
  o->m = m;
  if (m->pool != NULL)
    scm_pool_run (m->pool, op_run, o);
  else
    op_run (o, 0, 1);
}

static void
p_zero (Model *m, real *x, gsize n)
{
  Op o = { .op = OP_ZERO, .out = x, .n = n };
  op_go (m, &o);
}

static void
p_layernorm_forward (Model *m, real *out, real *mean, real *rstd, const real *inp,
                     const real *w, const real *b, int N, int C)
{
  Op o = { .op = OP_LN_FWD, .out = out, .out2 = mean, .out3 = rstd, .in = inp, .in2 = w,
           .in3 = b, .N = N, .C = C, .eps = m->c.ln_eps };
  op_go (m, &o);
}

static void
p_layernorm_backward (Model *m, real *dinp, real *dw, real *db, const real *dout,
                      const real *inp, const real *w, const real *mean, const real *rstd,
                      int N, int C)
{
  Op o = { .op = OP_LN_BWD, .out = dinp, .out2 = dw, .out3 = db, .in = dout, .in2 = inp,
           .in3 = w, .in4 = mean, .in5 = rstd, .N = N, .C = C };
  op_go (m, &o);
  if (m->pool != NULL)
    for (int t = 0; t < scm_pool_n_threads (m->pool); t++)
      {
        const real *pw = m->thr_ln + (gsize) t * 2 * C;
        for (int c = 0; c < C; c++)
          {
            dw[c] += pw[c];
            db[c] += pw[C + c];
          }
      }
}

static void
p_linear_forward (Model *m, real *out, const real *inp, const real *w, const real *b,
                  int N, int C, int OC)
{
  Op o = { .op = OP_LIN_FWD, .out = out, .in = inp, .in2 = w, .in3 = b, .N = N, .C = C,
           .OC = OC };
  op_go (m, &o);
}

/* dinp may be NULL; assign: overwrite dinp instead of accumulating. */
static void
p_linear_backward (Model *m, real *dinp, real *dw, real *db, const real *dout,
                   const real *inp, const real *w, int N, int C, int OC, gboolean assign)
{
  Op o = { .op = OP_LIN_BWD, .out = dinp, .out2 = dw, .out3 = db, .in = dout, .in2 = inp,
           .in3 = w, .N = N, .C = C, .OC = OC, .assign = assign };
  op_go (m, &o);
}

/* x (mb, S, D) -> a->out.  p: dropout (0 in eval); b0: global cell index
 * of the first cell (dropout counters). */
static void
block_forward (Model *m, const BlockP *w, BlockA *a, const real *x, int mb, int S,
               double p, guint64 step_key, int module, int layer, int b0)
{
  int D = m->D, FF = m->FF;
  int N = mb * S;
  gsize nD = (gsize) N * D, nFF = (gsize) N * FF;
  p_layernorm_forward (m, a->ln1, a->ln1m, a->ln1r, x, w->ln1w, w->ln1b, N, D);
  p_linear_forward (m, a->qkv, a->ln1, w->qkvw, w->qkvb, N, D, 3 * D);
  Op att = { .op = OP_ATT_FWD, .out = a->att, .out2 = a->prob, .in = a->qkv, .B = mb, .S = S,
             .C = D, .p = p, .key = block_key (step_key, module, layer, SITE_ATTN), .b0 = b0 };
  op_go (m, &att);
  p_linear_forward (m, a->proj, a->att, w->projw, w->projb, N, D, D);
  Op d1 = { .op = OP_DROP_ADD, .out = a->res1, .in = a->proj, .in2 = x, .n = nD, .p = p,
            .key = block_key (step_key, module, layer, SITE_PROJ), .i0 = (guint64) b0 * S * D };
  op_go (m, &d1);
  p_layernorm_forward (m, a->ln2, a->ln2m, a->ln2r, a->res1, w->ln2w, w->ln2b, N, D);
  p_linear_forward (m, a->fc1, a->ln2, w->fc1w, w->fc1b, N, D, FF);
  Op g = { .op = OP_GELU_DROP, .out = a->gelu, .in = a->fc1, .n = nFF, .p = p,
           .key = block_key (step_key, module, layer, SITE_MLP1), .i0 = (guint64) b0 * S * FF };
  op_go (m, &g);
  p_linear_forward (m, a->fc2, a->gelu, w->fc2w, w->fc2b, N, FF, D);
  Op d2 = { .op = OP_DROP_ADD, .out = a->out, .in = a->fc2, .in2 = a->res1, .n = nD, .p = p,
            .key = block_key (step_key, module, layer, SITE_MLP2), .i0 = (guint64) b0 * S * D };
  op_go (m, &d2);
}

/* On entry dx (mb, S, D) = dL/d(out); on exit dL/d(x). */
static void
block_backward (Model *m, const BlockP *w, BlockP *g, const BlockA *a, const real *x,
                real *dx, int mb, int S, double p, guint64 step_key, int module, int layer,
                int b0)
{
  Scratch *s = &m->Sc;
  int D = m->D, FF = m->FF;
  int N = mb * S;
  gsize nD = (gsize) N * D, nFF = (gsize) N * FF;

  /* MLP branch: out = res1 + drop(fc2(drop(gelu(fc1(ln2(res1)))))) */
  Op d2 = { .op = OP_DROP_BWD, .out = s->dD, .in = dx, .n = nD, .p = p,
            .key = block_key (step_key, module, layer, SITE_MLP2), .i0 = (guint64) b0 * S * D };
  op_go (m, &d2);
  p_linear_backward (m, s->dFF, g->fc2w, g->fc2b, s->dD, a->gelu, w->fc2w, N, FF, D, TRUE);
  Op db = { .op = OP_DROP_BWD, .out = s->dFF2, .in = s->dFF, .n = nFF, .p = p,
            .key = block_key (step_key, module, layer, SITE_MLP1), .i0 = (guint64) b0 * S * FF };
  op_go (m, &db);
  Op ge = { .op = OP_GELU_BWD, .out = s->dFF, .in = s->dFF2, .in2 = a->fc1, .n = nFF };
  op_go (m, &ge);
  p_linear_backward (m, s->dD, g->fc1w, g->fc1b, s->dFF, a->ln2, w->fc1w, N, D, FF, TRUE);
  p_layernorm_backward (m, dx, g->ln2w, g->ln2b, s->dD, a->res1, w->ln2w, a->ln2m, a->ln2r,
                        N, D);
  /* attention branch: res1 = x + drop(proj(attn(qkv(ln1(x))))) */
  Op d1 = { .op = OP_DROP_BWD, .out = s->dD, .in = dx, .n = nD, .p = p,
            .key = block_key (step_key, module, layer, SITE_PROJ), .i0 = (guint64) b0 * S * D };
  op_go (m, &d1);
  p_linear_backward (m, s->dD2, g->projw, g->projb, s->dD, a->att, w->projw, N, D, D, TRUE);
  Op att = { .op = OP_ATT_BWD, .out = s->dqkv, .in = s->dD2, .in2 = a->qkv, .in3 = a->prob,
             .B = mb, .S = S, .C = D, .p = p,
             .key = block_key (step_key, module, layer, SITE_ATTN), .b0 = b0,
             .assign = TRUE };
  op_go (m, &att);
  p_linear_backward (m, s->dD, g->qkvw, g->qkvb, s->dqkv, a->ln1, w->qkvw, N, D, 3 * D, TRUE);
  p_layernorm_backward (m, dx, g->ln1w, g->ln1b, s->dD, x, w->ln1w, a->ln1m, a->ln1r, N, D);
}

/* ---- encoder ---- */

enum { MOD_ENC_RNA, MOD_ENC_ADT, MOD_DEC_RNA, MOD_DEC_ADT };

/* x (mb, G) -> a->norm (mb, S, D), S = 1 + (fwd ? keep : T). */
static void
encoder_forward (Model *m, const EncP *w, EncA *a, const real *x, int mb, int G, int T, int t,
                 const gint32 *fwd, int keep, double p, guint64 step_key, int module, int b0)
{
  int D = m->D;
  int S = 1 + (fwd != NULL ? keep : T);
  p_linear_forward (m, a->tokens, x, w->tokw, w->tokb, mb, G, G);
  p_linear_forward (m, a->emb, a->tokens, w->embw, w->embb, mb * T, t, D);
  for (int b = 0; b < mb; b++)
    {
      real *pp = a->pluspos + (gsize) b * T * D;
      const real *e = a->emb + (gsize) b * T * D;
      for (gsize i = 0; i < (gsize) T * D; i++)
        pp[i] = e[i] + w->pos[i];
      real *bin = a->bin + (gsize) b * S * D;
      memcpy (bin, w->cls, sizeof (real) * D);
      for (int j = 0; j < S - 1; j++)
        {
          int src = fwd != NULL ? fwd[(gsize) b * T + j] : j;
          memcpy (bin + (gsize) (1 + j) * D, pp + (gsize) src * D, sizeof (real) * D);
        }
    }
  const real *h = a->bin;
  for (int l = 0; l < m->c.enc_depth; l++)
    {
      block_forward (m, &w->blk[l], &a->blk[l], h, mb, S, p, step_key, module, l, b0);
      h = a->blk[l].out;
    }
  p_layernorm_forward (m, a->norm, a->normm, a->normr, h, w->normw, w->normb, mb * S, D);
  for (int b = 0; b < mb; b++)
    memcpy (a->cls + (gsize) b * D, a->norm + (gsize) b * S * D, sizeof (real) * D);
}

/* dF (mb, S, D) = dL/d(norm); accumulates parameter gradients. */
static void
encoder_backward (Model *m, const EncP *w, EncP *g, const EncA *a, const real *x, const real *dF,
                  int mb, int G, int T, int t, const gint32 *fwd, int keep, double p,
                  guint64 step_key, int module, int b0)
{
  Scratch *s = &m->Sc;
  int D = m->D, L = m->c.enc_depth;
  int S = 1 + (fwd != NULL ? keep : T);
  gsize nD = (gsize) mb * S * D;
  const real *hlast = L > 0 ? a->blk[L - 1].out : a->bin;
  p_zero (m, s->dres, nD);
  p_layernorm_backward (m, s->dres, g->normw, g->normb, dF, hlast, w->normw, a->normm,
                              a->normr, mb * S, D);
  for (int l = L - 1; l >= 0; l--)
    block_backward (m, &w->blk[l], &g->blk[l], &a->blk[l], l > 0 ? a->blk[l - 1].out : a->bin,
                    s->dres, mb, S, p, step_key, module, l, b0);
  p_zero (m, s->dpp, (gsize) mb * T * D);
  for (int b = 0; b < mb; b++)
    {
      const real *db = s->dres + (gsize) b * S * D;
      for (int d = 0; d < D; d++)
        g->cls[d] += db[d];
      for (int j = 0; j < S - 1; j++)
        {
          int dst = fwd != NULL ? fwd[(gsize) b * T + j] : j;
          real *o = s->dpp + ((gsize) b * T + dst) * D;
          const real *i = db + (gsize) (1 + j) * D;
          for (int d = 0; d < D; d++)
            o[d] += i[d];
        }
      const real *pb = s->dpp + (gsize) b * T * D;
      for (gsize i = 0; i < (gsize) T * D; i++)
        g->pos[i] += pb[i];
    }
  p_zero (m, s->dtok, (gsize) mb * G);
  p_linear_backward (m, s->dtok, g->embw, g->embb, s->dpp, a->tokens, w->embw, mb * T, t, D, FALSE);
  p_linear_backward (m, NULL, g->tokw, g->tokb, s->dtok, x, w->tokw, mb, G, G, FALSE);
}

/* ---- cross attention on cls tokens: out = LN(Wv kv + bv) ---- */

static void
ca_forward (Model *m, const CaP *w, CaA *a, const real *kv, int mb)
{
  SCM_L (linear_forward) (a->v, kv, w->vw, w->vb, mb, m->D, m->D);
  SCM_L (layernorm_forward) (a->out, a->m, a->r, a->v, w->lnw, w->lnb, mb, m->D, m->c.ln_eps);
}

/* dkv (mb, D) += dL/d(kv) given dout (mb, D). */
static void
ca_backward (Model *m, const CaP *w, CaP *g, const CaA *a, const real *kv, const real *dout,
             real *dkv, int mb)
{
  int D = m->D;
  memset (m->Sc.dv, 0, (gsize) mb * D * sizeof (real));
  SCM_L (layernorm_backward) (m->Sc.dv, g->lnw, g->lnb, dout, a->v, w->lnw, a->m, a->r, mb, D);
  SCM_L (linear_backward) (dkv, g->vw, g->vb, m->Sc.dv, kv, w->vw, mb, D, D);
}

/* ---- decoder (stage 1) ---- */

static void
decoder_forward (Model *m, const DecP *w, DecA *a, const real *feat, int mb, int T, int t,
                 const gint32 *bwd, int keep, double p, guint64 step_key, int module, int b0)
{
  int D = m->D, S = T + 1, Se = keep + 1;
  for (int b = 0; b < mb; b++)
    for (int i = 0; i < S; i++)
      {
        int src = i == 0 ? 0 : bwd[(gsize) b * T + i - 1] + 1;
        const real *row = src < Se ? feat + ((gsize) b * Se + src) * D : w->mask;
        real *u = a->unsh + ((gsize) b * S + i) * D;
        real *bi = a->bin + ((gsize) b * S + i) * D;
        for (int d = 0; d < D; d++)
          {
            u[d] = row[d];
            bi[d] = row[d] + w->pos[(gsize) i * D + d];
          }
      }
  const real *h = a->bin;
  for (int l = 0; l < m->c.dec_depth; l++)
    {
      block_forward (m, &w->blk[l], &a->blk[l], h, mb, S, p, step_key, module, l, b0);
      h = a->blk[l].out;
    }
  p_linear_forward (m, a->pred, h, w->decw, w->decb, mb * S, D, t);
}

/* Masked squared error of one modality: returns sum over masked elements;
 * dpred (mb, T+1, t) (row 0 zero) = scale * 2 * mask * (pred - x) when
 * dpred != NULL. */
static double
masked_mse (const real *pred, const real *x, const gint32 *bwd, int mb, int T, int t, int keep,
            real *dpred, double scale)
{
  double sum = 0;
  int S = T + 1;
  for (int b = 0; b < mb; b++)
    {
      if (dpred != NULL)
        memset (dpred + (gsize) b * S * t, 0, sizeof (real) * t);
      for (int j = 0; j < T; j++)
        {
          gboolean masked = bwd[(gsize) b * T + j] >= keep;
          const real *pr = pred + ((gsize) b * S + 1 + j) * t;
          const real *xx = x + (gsize) b * T * t + (gsize) j * t;
          real *dp = dpred != NULL ? dpred + ((gsize) b * S + 1 + j) * t : NULL;
          for (int e = 0; e < t; e++)
            {
              double diff = (double) pr[e] - xx[e];
              if (masked)
                sum += diff * diff;
              if (dp != NULL)
                dp[e] = masked ? (real) (2 * diff * scale) : 0;
            }
        }
    }
  return sum;
}

/* dpred (mb, T+1, t) -> gradients; dfeat (mb, Se, D) += d(feat). */
static void
decoder_backward (Model *m, const DecP *w, DecP *g, const DecA *a, const real *dpred,
                  real *dfeat, int mb, int T, int t, const gint32 *bwd, int keep, double p,
                  guint64 step_key, int module, int b0)
{
  Scratch *s = &m->Sc;
  int D = m->D, S = T + 1, Se = keep + 1, L = m->c.dec_depth;
  gsize nD = (gsize) mb * S * D;
  const real *hlast = L > 0 ? a->blk[L - 1].out : a->bin;
  p_zero (m, s->dres, nD);
  p_linear_backward (m, s->dres, g->decw, g->decb, dpred, hlast, w->decw, mb * S, D, t, FALSE);
  for (int l = L - 1; l >= 0; l--)
    block_backward (m, &w->blk[l], &g->blk[l], &a->blk[l], l > 0 ? a->blk[l - 1].out : a->bin,
                    s->dres, mb, S, p, step_key, module, l, b0);
  for (int b = 0; b < mb; b++)
    for (int i = 0; i < S; i++)
      {
        const real *d = s->dres + ((gsize) b * S + i) * D;
        int src = i == 0 ? 0 : bwd[(gsize) b * T + i - 1] + 1;
        real *o = src < Se ? dfeat + ((gsize) b * Se + src) * D : g->mask;
        for (int k = 0; k < D; k++)
          {
            o[k] += d[k];
            g->pos[(gsize) i * D + k] += d[k];
          }
      }
}

/* ---- one micro-batch ---- */

typedef struct {
  double sse_rna, sse_adt, ce;
  int correct;
} ChunkLoss;

/* Stage-2 style fused embedding from the encoder cls tokens (also the
 * eval embedding of a stage-1 model). */
static void
fuse_stage2 (Model *m, int mb)
{
  Acts *a = &m->A;
  int D = m->D;
  ca_forward (m, &m->P.cr, &a->cr, a->ea.cls, mb); /* RNA cls <- ADT cls */
  ca_forward (m, &m->P.ca, &a->ca, a->er.cls, mb); /* ADT cls <- RNA cls */
  for (gsize i = 0; i < (gsize) mb * D; i++)
    a->fused[i] = (real) 0.5 * ((a->ca.out[i] + a->ea.cls[i]) + (a->cr.out[i] + a->er.cls[i]));
}

static void
fuse_stage3 (Model *m, int mb)
{
  Acts *a = &m->A;
  int D = m->D;
  SCM_L (linear_forward) (a->fc, a->er.cls, m->P.fcw, m->P.fcb, mb, D, D);
  ca_forward (m, &m->P.cr, &a->cr, a->er.cls, mb);
  for (gsize i = 0; i < (gsize) mb * D; i++)
    a->fused[i] = a->cr.out[i] + a->fc[i];
}

/* Forward of cells [b0, b0 + mb) of a batch of B; with `backward`, also
 * the backward pass with losses normalised by B. */
static void
run_chunk (Model *m, const real *x_rna, const real *x_adt, const gint32 *y, int b0, int mb,
           int B, gboolean train, gboolean backward, guint64 step_key, ChunkLoss *loss)
{
  const ScmModelConfig *c = &m->c;
  Acts *a = &m->A;
  Scratch *s = &m->Sc;
  int D = m->D, K = c->n_classes;
  double p = train ? c->dropout : 0.0;
  const real *xr = x_rna + (gsize) b0 * c->n_genes;
  const real *xa = x_adt != NULL ? x_adt + (gsize) b0 * c->n_adt : NULL;
  gboolean pre = m->stage == SCM_STAGE_PRETRAIN;
  const gint32 *fr = pre ? m->fwd_r + (gsize) b0 * c->rna_tokens : NULL;
  const gint32 *fa = pre ? m->fwd_a + (gsize) b0 * c->adt_tokens : NULL;
  const gint32 *br = pre ? m->bwd_r + (gsize) b0 * c->rna_tokens : NULL;
  const gint32 *ba = pre ? m->bwd_a + (gsize) b0 * c->adt_tokens : NULL;

  m->last_mb = mb;
  m->chunk_bwd_r = (gint32 *) br;
  m->chunk_bwd_a = (gint32 *) ba;
  encoder_forward (m, &m->P.er, &a->er, xr, mb, c->n_genes, c->rna_tokens, c->rna_tok_dim,
                   fr, m->keep_r, p, step_key, MOD_ENC_RNA, b0);
  m->cur_S_er = 1 + (pre ? m->keep_r : c->rna_tokens);
  if (m->stage != SCM_STAGE_TRANSFER)
    {
      encoder_forward (m, &m->P.ea, &a->ea, xa, mb, c->n_adt, c->adt_tokens, c->adt_tok_dim,
                       fa, m->keep_a, p, step_key, MOD_ENC_ADT, b0);
      m->cur_S_ea = 1 + (pre ? m->keep_a : c->adt_tokens);
    }

  if (pre)
    {
      int Sr = m->cur_S_er, Sa = m->cur_S_ea;
      ca_forward (m, &m->P.cr, &a->cr, a->ea.cls, mb);
      ca_forward (m, &m->P.ca, &a->ca, a->er.cls, mb);
      /* cls replaced by the cross-attended cls, then the encoder output added
       * over the whole sequence: row 0 = ca + f[0], rows 1.. = 2 f */
      for (int b = 0; b < mb; b++)
        {
          const real *f1 = a->er.norm + (gsize) b * Sr * D;
          real *g1 = a->fused_rna + (gsize) b * Sr * D;
          for (int d = 0; d < D; d++)
            g1[d] = a->cr.out[(gsize) b * D + d] + f1[d];
          for (gsize i = D; i < (gsize) Sr * D; i++)
            g1[i] = f1[i] + f1[i];
          const real *f2 = a->ea.norm + (gsize) b * Sa * D;
          real *g2 = a->fused_adt + (gsize) b * Sa * D;
          for (int d = 0; d < D; d++)
            g2[d] = a->ca.out[(gsize) b * D + d] + f2[d];
          for (gsize i = D; i < (gsize) Sa * D; i++)
            g2[i] = f2[i] + f2[i];
        }
      decoder_forward (m, &m->P.dr, &a->dr, a->fused_rna, mb, c->rna_tokens, c->rna_tok_dim,
                       br, m->keep_r, p, step_key, MOD_DEC_RNA, b0);
      decoder_forward (m, &m->P.da, &a->da, a->fused_adt, mb, c->adt_tokens, c->adt_tok_dim,
                       ba, m->keep_a, p, step_key, MOD_DEC_ADT, b0);
      double sc_r = c->w_rna / ((double) B * c->n_genes * c->mask_ratio);
      double sc_a = c->w_adt / ((double) B * c->n_adt * c->mask_ratio_adt);
      loss->sse_rna += masked_mse (a->dr.pred, xr, br, mb, c->rna_tokens, c->rna_tok_dim,
                                   m->keep_r, backward ? s->dpred_r : NULL, sc_r);
      loss->sse_adt += masked_mse (a->da.pred, xa, ba, mb, c->adt_tokens, c->adt_tok_dim,
                                   m->keep_a, backward ? s->dpred_a : NULL, sc_a);
      if (!backward)
        return;
      memset (s->dF_rna, 0, (gsize) mb * Sr * D * sizeof (real));
      memset (s->dF_adt, 0, (gsize) mb * Sa * D * sizeof (real));
      decoder_backward (m, &m->P.dr, &m->G.dr, &a->dr, s->dpred_r, s->dF_rna, mb, c->rna_tokens,
                        c->rna_tok_dim, br, m->keep_r, p, step_key, MOD_DEC_RNA, b0);
      decoder_backward (m, &m->P.da, &m->G.da, &a->da, s->dpred_a, s->dF_adt, mb, c->adt_tokens,
                        c->adt_tok_dim, ba, m->keep_a, p, step_key, MOD_DEC_ADT, b0);
      /* fused backward: d f = d g (row 0), 2 d g (rows 1..); d ca.out = d g[0] */
      for (int b = 0; b < mb; b++)
        {
          real *d1 = s->dF_rna + (gsize) b * Sr * D;
          memcpy (s->dfused + (gsize) b * D, d1, sizeof (real) * D);
          for (gsize i = D; i < (gsize) Sr * D; i++)
            d1[i] *= 2;
          real *d2 = s->dF_adt + (gsize) b * Sa * D;
          memcpy (s->dfc + (gsize) b * D, d2, sizeof (real) * D);
          for (gsize i = D; i < (gsize) Sa * D; i++)
            d2[i] *= 2;
        }
      memset (s->dcls_r, 0, (gsize) mb * D * sizeof (real));
      memset (s->dcls_a, 0, (gsize) mb * D * sizeof (real));
      ca_backward (m, &m->P.cr, &m->G.cr, &a->cr, a->ea.cls, s->dfused, s->dcls_a, mb);
      ca_backward (m, &m->P.ca, &m->G.ca, &a->ca, a->er.cls, s->dfc, s->dcls_r, mb);
      for (int b = 0; b < mb; b++)
        for (int d = 0; d < D; d++)
          {
            s->dF_rna[(gsize) b * Sr * D + d] += s->dcls_r[(gsize) b * D + d];
            s->dF_adt[(gsize) b * Sa * D + d] += s->dcls_a[(gsize) b * D + d];
          }
      encoder_backward (m, &m->P.ea, &m->G.ea, &a->ea, xa, s->dF_adt, mb, c->n_adt,
                        c->adt_tokens, c->adt_tok_dim, fa, m->keep_a, p, step_key,
                        MOD_ENC_ADT, b0);
      encoder_backward (m, &m->P.er, &m->G.er, &a->er, xr, s->dF_rna, mb, c->n_genes,
                        c->rna_tokens, c->rna_tok_dim, fr, m->keep_r, p, step_key,
                        MOD_ENC_RNA, b0);
      return;
    }

  /* stages 2, 3: classification from the fused cls */
  if (m->stage == SCM_STAGE_FINETUNE)
    fuse_stage2 (m, mb);
  else
    fuse_stage3 (m, mb);
  SCM_L (linear_forward) (a->logits, a->fused, m->P.headw, m->P.headb, mb, D, K);
  if (y == NULL)
    return;
  int correct = 0;
  loss->ce += SCM_L (crossentropy_forward) (a->probs, a->logits, y + b0, mb, K, &correct);
  loss->correct += correct;
  if (!backward)
    return;
  memset (s->dlogits, 0, (gsize) mb * K * sizeof (real));
  SCM_L (crossentropy_backward) (s->dlogits, a->probs, y + b0, mb, K, 1.0 / B);
  memset (s->dfused, 0, (gsize) mb * D * sizeof (real));
  SCM_L (linear_backward) (s->dfused, m->G.headw, m->G.headb, s->dlogits, a->fused,
                           m->P.headw, mb, D, K);
  int Sr = m->cur_S_er;
  memset (s->dF_rna, 0, (gsize) mb * Sr * D * sizeof (real));
  memset (s->dcls_r, 0, (gsize) mb * D * sizeof (real));
  if (m->stage == SCM_STAGE_FINETUNE)
    {
      int Sa = m->cur_S_ea;
      memset (s->dF_adt, 0, (gsize) mb * Sa * D * sizeof (real));
      memset (s->dcls_a, 0, (gsize) mb * D * sizeof (real));
      /* fused = (ca_adt.out + c_adt + ca_rna.out + c_rna) / 2 */
      for (gsize i = 0; i < (gsize) mb * D; i++)
        s->dfused[i] *= (real) 0.5;
      ca_backward (m, &m->P.cr, &m->G.cr, &a->cr, a->ea.cls, s->dfused, s->dcls_a, mb);
      ca_backward (m, &m->P.ca, &m->G.ca, &a->ca, a->er.cls, s->dfused, s->dcls_r, mb);
      for (int b = 0; b < mb; b++)
        for (int d = 0; d < D; d++)
          {
            real g = s->dfused[(gsize) b * D + d];
            s->dF_rna[(gsize) b * Sr * D + d] = g + s->dcls_r[(gsize) b * D + d];
            s->dF_adt[(gsize) b * Sa * D + d] = g + s->dcls_a[(gsize) b * D + d];
          }
      encoder_backward (m, &m->P.ea, &m->G.ea, &a->ea, xa, s->dF_adt, mb, c->n_adt,
                        c->adt_tokens, c->adt_tok_dim, NULL, 0, p, step_key, MOD_ENC_ADT, b0);
    }
  else
    {
      /* fused = ca_rna(fc(c), c, c) + fc(c) = LN(Wv c + bv) + fc(c) */
      ca_backward (m, &m->P.cr, &m->G.cr, &a->cr, a->er.cls, s->dfused, s->dcls_r, mb);
      SCM_L (linear_backward) (s->dcls_r, m->G.fcw, m->G.fcb, s->dfused, a->er.cls, m->P.fcw,
                               mb, D, D);
      for (int b = 0; b < mb; b++)
        memcpy (s->dF_rna + (gsize) b * Sr * D, s->dcls_r + (gsize) b * D, sizeof (real) * D);
    }
  encoder_backward (m, &m->P.er, &m->G.er, &a->er, xr, s->dF_rna, mb, c->n_genes,
                    c->rna_tokens, c->rna_tok_dim, NULL, 0, p, step_key, MOD_ENC_RNA, b0);
}

/* ---- batch entry points ---- */

static gboolean
check_batch (Model *m, const real *x_rna, const real *x_adt, const gint32 *y, int B,
             gboolean need_y, GError **error)
{
  if (B < 1 || B > m->max_batch)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "scMMAE model: batch of %d cells outside 1..%d", B, m->max_batch);
      return FALSE;
    }
  if (x_rna == NULL || (m->stage != SCM_STAGE_TRANSFER && x_adt == NULL))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "scMMAE model: stage %d needs %s input", (int) m->stage,
                   x_rna == NULL ? "an RNA" : "an ADT (protein)");
      return FALSE;
    }
  if (need_y && m->stage != SCM_STAGE_PRETRAIN)
    {
      if (y == NULL)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "scMMAE model: stage %d needs labels", (int) m->stage);
          return FALSE;
        }
      for (int b = 0; b < B; b++)
        if (y[b] < 0 || y[b] >= m->c.n_classes)
          {
            g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                         "scMMAE model: label %d of cell %d outside 0..%d", (int) y[b], b,
                         m->c.n_classes - 1);
            return FALSE;
          }
    }
  return TRUE;
}

static void
draw_perms (Model *m, int B, ScmRng *rng)
{
  const ScmModelConfig *c = &m->c;
  int Tr = c->rna_tokens, Ta = c->adt_tokens;
  gboolean fixed = m->fixed_fwd_r != NULL && m->fixed_B == B;
  for (int b = 0; b < B; b++)
    {
      gint32 *fr = m->fwd_r + (gsize) b * Tr, *fa = m->fwd_a + (gsize) b * Ta;
      if (fixed)
        {
          memcpy (fr, m->fixed_fwd_r + (gsize) b * Tr, sizeof (gint32) * Tr);
          memcpy (fa, m->fixed_fwd_a + (gsize) b * Ta, sizeof (gint32) * Ta);
        }
      else
        {
          for (int j = 0; j < Tr; j++)
            fr[j] = j;
          for (int j = 0; j < Ta; j++)
            fa[j] = j;
          scm_rng_shuffle_i32 (rng, fr, Tr);
          scm_rng_shuffle_i32 (rng, fa, Ta);
        }
      for (int j = 0; j < Tr; j++)
        m->bwd_r[(gsize) b * Tr + fr[j]] = j;
      for (int j = 0; j < Ta; j++)
        m->bwd_a[(gsize) b * Ta + fa[j]] = j;
    }
}

static gboolean
run_batch (Model *m, const real *x_rna, const real *x_adt, const gint32 *y, int B,
           ScmRng *rng, gboolean backward, ScmLosses *out, GError **error)
{
  const ScmModelConfig *c = &m->c;
  if (m->acts_mem == NULL)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "scMMAE model: an inference-only model cannot run a training pass");
      return FALSE;
    }
  if (!check_batch (m, x_rna, x_adt, y, B, TRUE, error))
    return FALSE;
  guint64 step_key = backward && c->dropout > 0 ? scm_rng_next (rng) : 0;
  if (m->stage == SCM_STAGE_PRETRAIN)
    draw_perms (m, B, rng);
  ChunkLoss L = { 0 };
  int saved = blas_enter (m);
  for (int b0 = 0; b0 < B; b0 += m->mb)
    run_chunk (m, x_rna, x_adt, y, b0, MIN (m->mb, B - b0), B, backward, backward,
               step_key, &L);
  blas_leave (m, saved);
  if (out != NULL)
    {
      memset (out, 0, sizeof *out);
      out->n = B;
      if (m->stage == SCM_STAGE_PRETRAIN)
        {
          out->rna = L.sse_rna / ((double) B * c->n_genes) / c->mask_ratio;
          out->adt = L.sse_adt / ((double) B * c->n_adt) / c->mask_ratio_adt;
          out->total = c->w_rna * out->rna + c->w_adt * out->adt;
        }
      else
        {
          out->ce = L.ce / B;
          out->total = out->ce;
          out->n_correct = L.correct;
        }
    }
  return TRUE;
}

gboolean
SCM_M (forward_backward) (Model *m, const real *x_rna, const real *x_adt, const gint32 *y,
                          int B, ScmRng *rng, ScmLosses *out, GError **error)
{
  return run_batch (m, x_rna, x_adt, y, B, rng, TRUE, out, error);
}

gboolean
SCM_M (forward_loss) (Model *m, const real *x_rna, const real *x_adt, const gint32 *y, int B,
                      ScmRng *rng, ScmLosses *out, GError **error)
{
  return run_batch (m, x_rna, x_adt, y, B, rng, FALSE, out, error);
}

#include "scm-model-eval-impl.c"

/* ---- AdamW (torch.optim.AdamW, single-tensor path) ---- */

void
SCM_M (adamw_step) (Model *m, const ScmAdamWParams *hp, int t)
{
  if (m->grads == NULL)
    return; /* inference-only model */
  double b1 = hp->beta1, b2 = hp->beta2;
  double bc1 = 1.0 - pow (b1, t), bc2 = 1.0 - pow (b2, t);
  double step = hp->lr / bc1, bc2s = sqrt (bc2);
  double decay = 1.0 - hp->lr * hp->weight_decay;
  for (gsize i = 0; i < m->n_params; i++)
    {
      double g = m->grads[i];
      double mm = b1 * m->m[i] + (1 - b1) * g;
      double vv = b2 * m->v[i] + (1 - b2) * g * g;
      m->m[i] = (real) mm;
      m->v[i] = (real) vv;
      double p = m->params[i] * decay;
      p -= step * mm / (sqrt (vv) / bc2s + hp->eps);
      m->params[i] = (real) p;
    }
}

/* ---- debug: activations by reference name ---- */

static gssize
copy_out (real *dst, gsize n, const real *src, gsize count)
{
  if (count > n)
    return -1;
  memcpy (dst, src, count * sizeof (real));
  return (gssize) count;
}

static gssize
block_act (Model *m, const BlockA *a, const char *pt, int S, real *dst, gsize n)
{
  gsize mb = m->last_mb, D = m->D, FF = m->FF;
  gsize N = mb * S;
  if (!strcmp (pt, "ln1")) return copy_out (dst, n, a->ln1, N * D);
  if (!strcmp (pt, "qkv")) return copy_out (dst, n, a->qkv, N * 3 * D);
  if (!strcmp (pt, "attn_prob")) return copy_out (dst, n, a->prob, mb * m->NH * S * S);
  if (!strcmp (pt, "attn_out")) return copy_out (dst, n, a->att, N * D);
  if (!strcmp (pt, "proj")) return copy_out (dst, n, a->proj, N * D);
  if (!strcmp (pt, "res1")) return copy_out (dst, n, a->res1, N * D);
  if (!strcmp (pt, "ln2")) return copy_out (dst, n, a->ln2, N * D);
  if (!strcmp (pt, "fc1")) return copy_out (dst, n, a->fc1, N * FF);
  if (!strcmp (pt, "gelu")) return copy_out (dst, n, a->gelu, N * FF);
  if (!strcmp (pt, "fc2")) return copy_out (dst, n, a->fc2, N * D);
  if (!strcmp (pt, "out")) return copy_out (dst, n, a->out, N * D);
  return 0;
}

gssize
SCM_M (debug_activation) (Model *m, const char *name, real *dst, gsize n)
{
  const ScmModelConfig *c = &m->c;
  Acts *a = &m->A;
  gsize mb = m->last_mb, D = m->D;
  if (m->acts_mem == NULL || mb == 0)
    return 0; /* inference-only model, or no training forward yet */
  if (!strcmp (name, "fused"))
    return copy_out (dst, n, a->fused, mb * D);
  if (!strcmp (name, "fc"))
    return copy_out (dst, n, a->fc, mb * D);
  if (!strcmp (name, "logits"))
    return copy_out (dst, n, a->logits, mb * c->n_classes);
  if (!strcmp (name, "fused_rna"))
    return copy_out (dst, n, a->fused_rna, mb * m->cur_S_er * D);
  if (!strcmp (name, "fused_adt"))
    return copy_out (dst, n, a->fused_adt, mb * m->cur_S_ea * D);
  if (!strcmp (name, "ca_rna.out"))
    return copy_out (dst, n, a->cr.out, mb * D);
  if (!strcmp (name, "ca_adt.out"))
    return copy_out (dst, n, a->ca.out, mb * D);

  gboolean is_enc = g_str_has_prefix (name, "enc_"), is_dec = g_str_has_prefix (name, "dec_");
  if (!is_enc && !is_dec)
    return 0;
  gboolean rna = g_str_has_prefix (name + 4, "rna.");
  if (!rna && !g_str_has_prefix (name + 4, "adt."))
    return 0;
  const char *pt = name + 8;
  int T = rna ? c->rna_tokens : c->adt_tokens;
  int t = rna ? c->rna_tok_dim : c->adt_tok_dim;
  int depth = is_enc ? c->enc_depth : c->dec_depth;
  BlockA *blk = is_enc ? (rna ? a->er.blk : a->ea.blk) : (rna ? a->dr.blk : a->da.blk);
  int S = is_enc ? (rna ? m->cur_S_er : m->cur_S_ea) : T + 1;
  if (g_str_has_prefix (pt, "blocks."))
    {
      char *end = NULL;
      long l = strtol (pt + 7, &end, 10);
      if (end == NULL || *end != '.' || l < 0 || l >= depth)
        return 0;
      return block_act (m, &blk[l], end + 1, S, dst, n);
    }
  if (is_enc)
    {
      EncA *e = rna ? &a->er : &a->ea;
      int G = rna ? c->n_genes : c->n_adt;
      if (!strcmp (pt, "tokens")) return copy_out (dst, n, e->tokens, mb * G);
      if (!strcmp (pt, "embedding")) return copy_out (dst, n, e->emb, mb * T * D);
      if (!strcmp (pt, "plus_pos")) return copy_out (dst, n, e->pluspos, mb * T * D);
      if (!strcmp (pt, "block_in")) return copy_out (dst, n, e->bin, mb * S * D);
      if (!strcmp (pt, "norm")) return copy_out (dst, n, e->norm, mb * S * D);
      if (!strcmp (pt, "kept"))
        {
          gsize cnt = mb * (S - 1) * D;
          if (cnt > n)
            return -1;
          for (gsize b = 0; b < mb; b++)
            memcpy (dst + b * (S - 1) * D, e->bin + (b * S + 1) * D, sizeof (real) * (S - 1) * D);
          return (gssize) cnt;
        }
      return 0;
    }
  DecA *d = rna ? &a->dr : &a->da;
  if (!strcmp (pt, "unshuffled")) return copy_out (dst, n, d->unsh, mb * (T + 1) * D);
  if (!strcmp (pt, "block_in")) return copy_out (dst, n, d->bin, mb * (T + 1) * D);
  if (!strcmp (pt, "pred"))
    {
      gsize cnt = mb * T * t;
      if (cnt > n)
        return -1;
      for (gsize b = 0; b < mb; b++)
        memcpy (dst + b * T * t, d->pred + (b * (T + 1) + 1) * t, sizeof (real) * T * t);
      return (gssize) cnt;
    }
  return 0;
}

/* ---- small accessors ---- */

const ScmModelConfig *
SCM_M (get_config) (const Model *m)
{
  return &m->c;
}

ScmStage
SCM_M (get_stage) (const Model *m)
{
  return m->stage;
}

int
SCM_M (get_max_batch) (const Model *m)
{
  return m->max_batch;
}

gsize
SCM_M (memory_bytes) (const Model *m)
{
  int families = m->grads != NULL ? 4 : 1;
  return (families * m->n_params + m->n_acts + m->n_scratch) * sizeof (real) + m->ev_bytes;
}

void
SCM_M (reset_optimizer) (Model *m)
{
  if (m->m == NULL)
    return; /* inference-only model */
  memset (m->m, 0, m->n_params * sizeof (real));
  memset (m->v, 0, m->n_params * sizeof (real));
}

int
SCM_M (copy_params_by_name) (Model *dst, const Model *src)
{
  int n = 0;
  for (guint i = 0; i < dst->tensors->len; i++)
    {
      const TensorInfo *td = &g_array_index (dst->tensors, TensorInfo, i);
      int j = SCM_M (tensor_find) (src, td->name);
      if (j < 0)
        continue;
      const TensorInfo *ts = &g_array_index (src->tensors, TensorInfo, j);
      if (ts->numel != td->numel || ts->ndim != td->ndim
          || memcmp (ts->shape, td->shape, sizeof td->shape) != 0)
        continue;
      memcpy (dst->params + td->off, src->params + ts->off, td->numel * sizeof (real));
      n++;
    }
  return n;
}
