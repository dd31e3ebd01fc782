/* scm-presets.h: named model sizes and training hyper-parameters.
 *
 * A preset fixes everything except what comes from the data (genes,
 * proteins, classes): `paper` is the published configuration, `desktop`
 * the size measured to pre-train + fine-tune pbmc10k in about ten minutes
 * on two cores (see bench/model/README.md for the measurement), `tiny` a
 * toy size for tests.  The optimiser and schedule follow the original
 * scripts: AdamW lr 5e-4 * batch / 256, betas 0.9 / 0.999, weight decay
 * 1e-4, lr multiplied per epoch by min((e+1)/warmup, 0.5 (cos(pi e/total)+1)).
 */
#pragma once

#include <glib.h>

#include "model/scm-model.h"

G_BEGIN_DECLS

typedef struct {
  char           name[16];
  /* Architecture; n_genes, rna_tokens, n_adt, adt_tokens and n_classes are
   * filled from the data by scm_preset_make_config(). */
  ScmModelConfig model;
  int            n_genes;        /* genes the model reads (HVG count), a multiple of rna_tok_dim */
  int            batch;
  double         lr;             /* absolute learning rate (5e-4 * batch / 256) */
  double         beta1, beta2, adam_eps, weight_decay;
  int            warmup_epochs;  /* 10 in the original */
  int            cosine_epochs;  /* the cosine's horizon, 500 in the original */
  int            epochs[4];      /* default maximum epochs per stage (index 1..3) */
  int            patience;       /* stage-1 early stopping: epochs without a better val loss */
  double         val_fraction;   /* stage-1 validation split */
} ScmTrainPreset;

/* Fills `out` from a preset name ("paper", "desktop", "tiny"); FALSE with
 * SCM_ERROR_INVALID naming the known presets otherwise. */
gboolean    scm_preset_lookup (const char *name, ScmTrainPreset *out, GError **error);
/* Space-separated list of preset names, for --help texts. */
const char *scm_preset_names  (void);

/* The model configuration for data with n_genes genes (a multiple of the
 * preset's rna_tok_dim), n_adt proteins (0 for stage 3) and n_classes. */
void        scm_preset_make_config (const ScmTrainPreset *p, int n_genes, int n_adt,
                                    int n_classes, ScmModelConfig *out);

/* Learning-rate multiplier of (0-based) epoch e:
 * min((e + 1) / warmup, 0.5 * (cos(pi * e / total) + 1)). */
double      scm_preset_lr_factor (const ScmTrainPreset *p, int epoch);

G_END_DECLS
