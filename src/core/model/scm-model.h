/* scm-model.h: the scMMAE model (three training stages) in plain C.
 *
 * What it is: parameters, gradients, AdamW state and activations of one
 * scMMAE model (Briefings in Bioinformatics 2025, bbaf010) laid out the way
 * llm.c does it (one allocation per family, named tensors), a fused
 * forward+backward pass for one batch, one AdamW step, and an inference
 * pass that returns the cell embedding.  The architecture and its numerics
 * follow ../shared/reference/README.md and ../shared/bench/ref_scmmae.py
 * exactly; tests/model checks every tensor against the PyTorch dumps.
 *
 * What it leaves out: data loading, learning-rate schedules, checkpoint
 * files, jobs (see scm-train*.h, scm-checkpoint*.h, owned by the trainer).
 *
 * STABILITY: the trainer codes against this header; functions here keep
 * their signatures.  New functions may be added at the end.
 *
 * Precision: the public API is float32 (what the app trains in).  The same
 * source is compiled a second time in double precision for the reference
 * tests; that mirror lives in scm-model-f64.h and is not for app code.
 *
 * Threading: a model is used by one thread at a time.  With
 * scm_model_set_threads(n > 1) the model runs its own team of n threads
 * (a fixed partition of rows / cells / output features, so results are
 * bitwise reproducible for a fixed (seed, thread count)), and for the
 * duration of each forward_backward / forward_loss / eval call it sets
 * OpenBLAS to one thread (two pools on two cores would oversubscribe),
 * restoring the previous count afterwards.  With n == 1 (the default) the
 * model is single-threaded except inside OpenBLAS, whose thread count is
 * then the caller's business (scm_blas_set_threads).
 *
 * Dropout masks are a hash of (step key drawn from rng, site, element),
 * not a stream of draws, so they do not depend on threads or micro-batch.
 *
 * Memory: activations are sized for a micro-batch (at most max_batch cells,
 * fewer when the configuration is large); forward_backward walks a batch in
 * micro-batches and accumulates gradients, which is exact (the model has no
 * batch-coupled layers) and keeps the paper-size model well under 3 GB
 * (activations get a 1.2 GB budget: 22 / 35 / 36 cells per micro-batch
 * in stages 1 / 2 / 3 at the paper's size; peak RSS ~1.5 GB at any batch).
 */
#pragma once

#include <glib.h>

#include "util/scm-rng.h"

G_BEGIN_DECLS

typedef enum {
  SCM_STAGE_PRETRAIN = 1, /* masked reconstruction of RNA + ADT, no labels */
  SCM_STAGE_FINETUNE = 2, /* RNA + ADT, cross-entropy on labels, no masking */
  SCM_STAGE_TRANSFER = 3, /* RNA only, cross-entropy on labels */
} ScmStage;

/* Field names and meanings as in ref_scmmae.py's config dictionary. */
typedef struct {
  int    n_genes;        /* G: RNA input width (= rna_tokens * rna_tok_dim) */
  int    rna_tokens;     /* T_rna */
  int    rna_tok_dim;    /* t_rna: genes per RNA token */
  int    n_adt;          /* P: protein input width (= adt_tokens * adt_tok_dim) */
  int    adt_tokens;     /* T_adt */
  int    adt_tok_dim;    /* t_adt */
  int    dim;            /* D: model width = embedding width */
  int    heads;          /* NH; dim % heads == 0 */
  int    mlp_ratio;      /* MLP hidden = mlp_ratio * dim */
  int    enc_depth;      /* blocks per encoder */
  int    dec_depth;      /* blocks per decoder (stage 1 only) */
  double mask_ratio;     /* RNA tokens masked in stage 1; keep = (int)(T * (1 - r)) */
  double mask_ratio_adt; /* ADT tokens masked in stage 1 */
  double dropout;        /* timm Block dropout (attn, proj, mlp); 0 disables */
  double ln_eps;         /* LayerNorm epsilon (1e-5) */
  int    n_classes;      /* head width (stages 2, 3); may be 0 in stage 1 */
  double w_rna;          /* stage-1 loss weights (0.7 / 0.3) */
  double w_adt;
  gboolean qkv_bias;     /* FALSE in the original (timm default) */
} ScmModelConfig;

/* The paper's configuration (4000 genes as 400 x 10, 14 proteins, D=128,
 * 2 heads, MLP 4, 6 + 4 blocks, mask 0.15, dropout 0.1, no qkv bias). */
void     scm_model_config_init_paper (ScmModelConfig *config, int n_adt, int n_classes);
/* Checks dimensions; the message names the offending field. */
gboolean scm_model_config_validate   (const ScmModelConfig *config, ScmStage stage,
                                      GError **error);
/* keep = (int)(T * (1 - ratio)) computed as the reference does (in double). */
int      scm_model_config_keep_rna   (const ScmModelConfig *config);
int      scm_model_config_keep_adt   (const ScmModelConfig *config);

/* Losses of the last forward pass, averaged over the whole batch. */
typedef struct {
  double total;     /* what backward differentiates */
  double rna;       /* stage 1: mean(mask * (pred - x)^2) / mask_ratio (unweighted) */
  double adt;       /* stage 1: same for ADT */
  double ce;        /* stages 2, 3: mean cross-entropy */
  int    n_correct; /* stages 2, 3: argmax(logits) == y */
  int    n;         /* cells in the batch */
} ScmLosses;

/* PyTorch torch.optim.AdamW semantics: decoupled weight decay
 * p -= lr * wd * p, then bias-corrected Adam with eps outside the sqrt. */
typedef struct {
  double lr;
  double beta1, beta2;
  double eps;
  double weight_decay;
} ScmAdamWParams;

typedef enum {
  SCM_TENSOR_PARAM,
  SCM_TENSOR_GRAD,
  SCM_TENSOR_ADAM_M,
  SCM_TENSOR_ADAM_V,
} ScmTensorKind;

typedef struct _ScmModel ScmModel;

/* max_batch: the largest B later passed to forward_backward / eval.
 * Parameters are zero until scm_model_init_params or a load by name. */
ScmModel *scm_model_new  (const ScmModelConfig *config, ScmStage stage, int max_batch,
                          GError **error);
void      scm_model_free (ScmModel *model);

const ScmModelConfig *scm_model_get_config    (const ScmModel *model);
ScmStage              scm_model_get_stage     (const ScmModel *model);
int                   scm_model_get_max_batch (const ScmModel *model);

/* PyTorch-default-like initialisation, as ref_scmmae.py: Linear weight and
 * bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)); LayerNorm 1 / 0; cls, mask
 * tokens and position embeddings trunc_normal(std 0.02, cut at +-2).
 * Also zeroes gradients and AdamW state. */
void scm_model_init_params (ScmModel *model, ScmRng *rng);

/* ---- the tensor table, in PyTorch named_parameters() order ----
 * Names exactly as in the dumps, e.g. "enc_rna.blocks.0.qkv.weight",
 * "ca_rna.value_linear.bias", "dec_adt.mask_token", "head.weight".  Shapes
 * as PyTorch (Linear weight (out, in); cls_token (1, 1, D)).  Without
 * qkv_bias the "...qkv.bias" tensors do not exist. */
int          scm_model_n_tensors     (const ScmModel *model);
const char  *scm_model_tensor_name   (const ScmModel *model, int i);
/* Returns ndim (1..3) and fills shape[0..ndim-1]. */
int          scm_model_tensor_shape  (const ScmModel *model, int i, int shape[3]);
gsize        scm_model_tensor_numel  (const ScmModel *model, int i);
/* Pointer to tensor i inside the family `kind` (contiguous, C order). */
float       *scm_model_tensor_data   (ScmModel *model, ScmTensorKind kind, int i);
/* Index of a tensor by name, or -1. */
int          scm_model_tensor_find   (const ScmModel *model, const char *name);
/* Total number of parameters and the flat family arrays (same order). */
gsize        scm_model_n_params      (const ScmModel *model);
float       *scm_model_family        (ScmModel *model, ScmTensorKind kind);
/* Copies every parameter of src whose name and shape match one of dst
 * (stage 1 -> 2 and stage 2 -> 3 weight transfer); returns how many. */
int          scm_model_copy_params_by_name (ScmModel *dst, const ScmModel *src);

void scm_model_zero_grad (ScmModel *model);
/* Zero the AdamW moments (e.g. at the start of a stage). */
void scm_model_reset_optimizer (ScmModel *model);

/* One training forward + backward pass over B <= max_batch cells.
 *   x_rna (B, n_genes), x_adt (B, n_adt) (NULL in stage 3),
 *   y (B) class indices in [0, n_classes) (NULL in stage 1).
 * Stage 1 draws each cell's token permutation from rng (unless fixed
 * permutations were set, see below); dropout masks come from rng too.
 * Gradients are ACCUMULATED (+=): call scm_model_zero_grad first.
 * Fails (FALSE + error) on bad B, missing inputs or labels out of range. */
gboolean scm_model_forward_backward (ScmModel *model, const float *x_rna, const float *x_adt,
                                     const gint32 *y, int B, ScmRng *rng, ScmLosses *out,
                                     GError **error);

/* The same forward pass without backward and without dropout (validation
 * loss).  Stage 1 still masks, drawing permutations from rng. */
gboolean scm_model_forward_loss (ScmModel *model, const float *x_rna, const float *x_adt,
                                 const gint32 *y, int B, ScmRng *rng, ScmLosses *out,
                                 GError **error);

/* One AdamW step from the accumulated gradients; t is the 1-based step
 * count used for bias correction. */
void scm_model_adamw_step (ScmModel *model, const ScmAdamWParams *p, int t);

/* Inference: no dropout, no masking, B <= max_batch.  Runs its own
 * forward (scm-model-eval-impl.c): token layers over the whole batch, then
 * fixed chunks of cells spread over the model's threads, each with small
 * reused buffers; it leaves the training activations untouched.
 *   embedding_out (B, dim): the fused cls representation before the head:
 *     stages 1 and 2: ((ca_adt(adt_cls, rna_cls) + adt_cls)
 *                      + (ca_rna(rna_cls, adt_cls) + rna_cls)) / 2
 *       (a stage-1 model is embedded with the stage-2 formula, as
 *        ref_train.py does); stage 3: ca_rna(fc(rna_cls), rna_cls) + fc(rna_cls).
 *   probs_out (B, n_classes) softmax of the head, or NULL (must be NULL in stage 1).
 * x_adt is ignored in stage 3.  Either output may be NULL. */
gboolean scm_model_eval (ScmModel *model, const float *x_rna, const float *x_adt, int B,
                         float *embedding_out, float *probs_out, GError **error);

/* Workers for per-cell loops (default 1).  Deterministic per count. */
void scm_model_set_threads (ScmModel *model, int n_threads);

/* TEST HOOK: use these per-cell permutations (fwd_rna (B, rna_tokens),
 * fwd_adt (B, adt_tokens), the reference's `input.fwd_*`) in stage 1
 * instead of drawing from rng; NULL, NULL restores random masking.  The
 * arrays are copied; B must equal the B of the following calls. */
void scm_model_set_fixed_perms (ScmModel *model, const gint32 *fwd_rna, const gint32 *fwd_adt,
                                int B);

/* Analytic FLOPs of one training step / one inference pass at batch B,
 * counting matrix products only (multiply-add = 2), the same count as
 * ref_scmmae.py step_flops. */
double scm_model_train_flops (const ScmModelConfig *config, ScmStage stage, int B);
double scm_model_eval_flops  (const ScmModelConfig *config, ScmStage stage, int B);

/* Bytes held by the model (parameters, grads, moments, activations). */
gsize scm_model_memory_bytes (const ScmModel *model);

/* ---- benchmark of one training step at a given configuration ----
 * Used by bench/model/bench-step.c and `scmmae bench train`. */
typedef struct {
  int    steps;            /* timed steps (after warm-up) */
  double median_ms;
  double min_ms;
  double gflop_per_step;   /* scm_model_train_flops / 1e9 */
  double gflops_median;    /* gflop_per_step / median seconds */
  double gflops_best;
  double peak_rss_mb;      /* VmHWM of the process after the run */
  double model_mb;         /* scm_model_memory_bytes */
  double last_loss;
  double cpu_ms_median;    /* process CPU time (user + sys, all threads) per step */
} ScmModelBenchResult;

gboolean scm_model_bench_step (const ScmModelConfig *config, ScmStage stage, int B,
                               int warmup, int steps, int n_threads,
                               ScmModelBenchResult *out, GError **error);

/* The same for inference (`scmmae bench embed`): `steps` timed
 * scm_model_eval calls of B cells (embedding only) on a model made by
 * scm_model_new_for_eval; gflop_per_step is scm_model_eval_flops / 1e9 per
 * batch, last_loss the mean |value| of the last embedding (a checksum). */
gboolean scm_model_bench_embed (const ScmModelConfig *config, ScmStage stage, int B,
                                int warmup, int steps, int n_threads,
                                ScmModelBenchResult *out, GError **error);

/* A model for inference only (what `scmmae embed` and the app's embedding
 * use): parameters and what scm_model_eval needs, no gradients, AdamW
 * moments, training activations or backward buffers.  Only init_params,
 * the tensor table, copy_params_by_name, set_threads, eval and
 * memory_bytes may be used on it; forward_backward, forward_loss and
 * adamw_step fail or do nothing. */
ScmModel *scm_model_new_for_eval (const ScmModelConfig *config, ScmStage stage, int max_batch,
                                  GError **error);

G_END_DECLS
