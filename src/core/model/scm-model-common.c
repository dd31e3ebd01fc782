/* scm-model-common.c: precision-independent parts of the model API:
 * configuration checks, the paper preset, analytic FLOPs (the count of
 * ref_scmmae.py step_flops) and the one-step training benchmark.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scm-model.h"
#include "scm-error.h"
#include "util/scm-blas.h"

void
scm_model_config_init_paper (ScmModelConfig *c, int n_adt, int n_classes)
{
  memset (c, 0, sizeof *c);
  c->n_genes = 4000;
  c->rna_tokens = 400;
  c->rna_tok_dim = 10;
  c->n_adt = n_adt;
  c->adt_tokens = n_adt;
  c->adt_tok_dim = 1;
  c->dim = 128;
  c->heads = 2;
  c->mlp_ratio = 4;
  c->enc_depth = 6;
  c->dec_depth = 4;
  c->mask_ratio = 0.15;
  c->mask_ratio_adt = 0.15;
  c->dropout = 0.1;
  c->ln_eps = 1e-5;
  c->n_classes = n_classes;
  c->w_rna = 0.7;
  c->w_adt = 0.3;
  c->qkv_bias = FALSE;
}

static int
keep_of (int T, double ratio)
{
  /* Python int(T * (1 - ratio)): truncation of the double product. */
  return (int) (T * (1.0 - ratio));
}

int
scm_model_config_keep_rna (const ScmModelConfig *c)
{
  return keep_of (c->rna_tokens, c->mask_ratio);
}

int
scm_model_config_keep_adt (const ScmModelConfig *c)
{
  return keep_of (c->adt_tokens, c->mask_ratio_adt);
}

#define BAD(...) \
  G_STMT_START { \
    g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "scMMAE model configuration: " __VA_ARGS__); \
    return FALSE; \
  } G_STMT_END

gboolean
scm_model_config_validate (const ScmModelConfig *c, ScmStage stage, GError **error)
{
  if (stage < SCM_STAGE_PRETRAIN || stage > SCM_STAGE_TRANSFER)
    BAD ("stage %d is not 1, 2 or 3", (int) stage);
  if (c->rna_tokens < 1 || c->rna_tok_dim < 1 || c->n_genes != c->rna_tokens * c->rna_tok_dim)
    BAD ("n_genes (%d) must equal rna_tokens (%d) x rna_tok_dim (%d)", c->n_genes,
         c->rna_tokens, c->rna_tok_dim);
  if (stage != SCM_STAGE_TRANSFER
      && (c->adt_tokens < 1 || c->adt_tok_dim < 1 || c->n_adt != c->adt_tokens * c->adt_tok_dim))
    BAD ("n_adt (%d) must equal adt_tokens (%d) x adt_tok_dim (%d)", c->n_adt, c->adt_tokens,
         c->adt_tok_dim);
  if (c->dim < 1 || c->heads < 1 || c->dim % c->heads != 0)
    BAD ("dim (%d) must be a positive multiple of heads (%d)", c->dim, c->heads);
  if (c->mlp_ratio < 1)
    BAD ("mlp_ratio must be >= 1 (got %d)", c->mlp_ratio);
  if (c->enc_depth < 0 || c->dec_depth < 0 || (stage == SCM_STAGE_PRETRAIN && c->dec_depth < 0))
    BAD ("depths must be >= 0 (enc %d, dec %d)", c->enc_depth, c->dec_depth);
  if (!(c->dropout >= 0 && c->dropout < 1))
    BAD ("dropout must be in [0, 1) (got %g)", c->dropout);
  if (!(c->ln_eps > 0))
    BAD ("ln_eps must be > 0 (got %g)", c->ln_eps);
  if (stage != SCM_STAGE_PRETRAIN && c->n_classes < 2)
    BAD ("stage %d needs n_classes >= 2 (got %d)", (int) stage, c->n_classes);
  if (stage == SCM_STAGE_PRETRAIN)
    {
      if (!(c->mask_ratio > 0 && c->mask_ratio < 1 && c->mask_ratio_adt > 0
            && c->mask_ratio_adt < 1))
        BAD ("mask ratios must be in (0, 1) (got %g, %g)", c->mask_ratio, c->mask_ratio_adt);
      if (scm_model_config_keep_rna (c) < 1 || scm_model_config_keep_adt (c) < 1)
        BAD ("masking would hide every token (keep %d RNA, %d ADT tokens)",
             scm_model_config_keep_rna (c), scm_model_config_keep_adt (c));
    }
  return TRUE;
}

/* ---- analytic FLOPs, as ref_scmmae.py step_flops ---- */

static void
block_flops (double T, double D, double mlp, double *lin, double *att)
{
  *lin = 2 * T * D * (3 * D) + 2 * T * D * D + 2 * 2 * T * D * (mlp * D);
  *att = 2 * 2 * T * T * D;
}

typedef struct { double tokens, linear, attention; } Flops;

static Flops
per_cell_flops (const ScmModelConfig *c, ScmStage stage, gboolean masked)
{
  Flops f = { 0 };
  double D = c->dim, mlp = c->mlp_ratio, lin, att;
  double T1 = (masked ? scm_model_config_keep_rna (c) : c->rna_tokens) + 1;
  double T2 = (masked ? scm_model_config_keep_adt (c) : c->adt_tokens) + 1;
  f.tokens += 2.0 * c->n_genes * c->n_genes;
  block_flops (T1, D, mlp, &lin, &att);
  f.linear += 2.0 * c->rna_tokens * c->rna_tok_dim * D + c->enc_depth * lin;
  f.attention += c->enc_depth * att;
  if (stage != SCM_STAGE_TRANSFER)
    {
      f.tokens += 2.0 * c->n_adt * c->n_adt;
      block_flops (T2, D, mlp, &lin, &att);
      f.linear += 2.0 * c->adt_tokens * c->adt_tok_dim * D + c->enc_depth * lin;
      f.attention += c->enc_depth * att;
      f.linear += 2 * 3 * 2 * D * D;
    }
  if (stage == SCM_STAGE_PRETRAIN && masked)
    {
      int nt[2] = { c->rna_tokens, c->adt_tokens }, td[2] = { c->rna_tok_dim, c->adt_tok_dim };
      for (int i = 0; i < 2; i++)
        {
          block_flops (nt[i] + 1, D, mlp, &lin, &att);
          f.linear += c->dec_depth * lin + 2.0 * nt[i] * D * td[i];
          f.attention += c->dec_depth * att;
        }
    }
  if (stage != SCM_STAGE_PRETRAIN)
    f.linear += 2 * D * c->n_classes;
  if (stage == SCM_STAGE_TRANSFER)
    f.linear += 2 * 3 * D * D + 2 * D * D;
  return f;
}

double
scm_model_train_flops (const ScmModelConfig *c, ScmStage stage, int B)
{
  Flops f = per_cell_flops (c, stage, stage == SCM_STAGE_PRETRAIN);
  return B * (3 * (f.linear + f.attention) + 2 * f.tokens);
}

double
scm_model_eval_flops (const ScmModelConfig *c, ScmStage stage, int B)
{
  Flops f = per_cell_flops (c, stage == SCM_STAGE_TRANSFER ? stage : SCM_STAGE_FINETUNE, FALSE);
  return B * (f.linear + f.attention + f.tokens);
}
