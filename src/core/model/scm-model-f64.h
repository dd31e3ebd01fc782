/* scm-model-f64.h: the double-precision mirror of scm-model.h and the test
 * hooks of both precisions.
 *
 * NOT for app code.  The reference tests (tests/model) need the model in
 * float64 to match PyTorch's float64 dumps to ~1e-12, and need to read
 * activations back by their reference names.  Every function here behaves
 * as its float namesake in scm-model.h.
 */
#pragma once

#include "scm-model.h"

G_BEGIN_DECLS

typedef struct _ScmModelF64 ScmModelF64;

ScmModelF64 *scm_model_f64_new  (const ScmModelConfig *config, ScmStage stage, int max_batch,
                                  GError **error);
ScmModelF64 *scm_model_f64_new_for_eval (const ScmModelConfig *config, ScmStage stage,
                                         int max_batch, GError **error);
void         scm_model_f64_free (ScmModelF64 *model);
void         scm_model_f64_init_params (ScmModelF64 *model, ScmRng *rng);
int          scm_model_f64_n_tensors   (const ScmModelF64 *model);
const char  *scm_model_f64_tensor_name (const ScmModelF64 *model, int i);
int          scm_model_f64_tensor_shape (const ScmModelF64 *model, int i, int shape[3]);
gsize        scm_model_f64_tensor_numel (const ScmModelF64 *model, int i);
double      *scm_model_f64_tensor_data (ScmModelF64 *model, ScmTensorKind kind, int i);
int          scm_model_f64_tensor_find (const ScmModelF64 *model, const char *name);
gsize        scm_model_f64_n_params    (const ScmModelF64 *model);
double      *scm_model_f64_family      (ScmModelF64 *model, ScmTensorKind kind);
void         scm_model_f64_zero_grad   (ScmModelF64 *model);
gboolean     scm_model_f64_forward_backward (ScmModelF64 *model, const double *x_rna,
                                             const double *x_adt, const gint32 *y, int B,
                                             ScmRng *rng, ScmLosses *out, GError **error);
gboolean     scm_model_f64_forward_loss (ScmModelF64 *model, const double *x_rna,
                                         const double *x_adt, const gint32 *y, int B,
                                         ScmRng *rng, ScmLosses *out, GError **error);
void         scm_model_f64_adamw_step  (ScmModelF64 *model, const ScmAdamWParams *p, int t);
gboolean     scm_model_f64_eval (ScmModelF64 *model, const double *x_rna, const double *x_adt,
                                 int B, double *embedding_out, double *probs_out, GError **error);
void         scm_model_f64_set_threads (ScmModelF64 *model, int n_threads);
void         scm_model_f64_set_fixed_perms (ScmModelF64 *model, const gint32 *fwd_rna,
                                            const gint32 *fwd_adt, int B);

/* ---- test hooks (both precisions) ---- */

/* As scm_model_new with an explicit micro-batch (cells per activation
 * buffer); micro_batch <= 0 picks the default. */
ScmModel    *scm_model_new_with_micro_batch     (const ScmModelConfig *config, ScmStage stage,
                                                 int max_batch, int micro_batch, GError **error);
ScmModelF64 *scm_model_f64_new_with_micro_batch (const ScmModelConfig *config, ScmStage stage,
                                                 int max_batch, int micro_batch, GError **error);
int          scm_model_get_micro_batch     (const ScmModel *model);
int          scm_model_f64_get_micro_batch (const ScmModelF64 *model);

/* Copies the activation named as in the reference dumps, without the
 * "s<stage>.act." prefix (e.g. "enc_rna.blocks.0.qkv", "dec_adt.pred",
 * "fused", "loss_rna"), of the LAST micro-batch of the last forward pass,
 * in the reference's layout, into dst (capacity n).  Returns the number of
 * elements written, 0 for an unknown name, or -1 if n is too small. */
gssize scm_model_debug_activation     (ScmModel *model, const char *name, float *dst, gsize n);
gssize scm_model_f64_debug_activation (ScmModelF64 *model, const char *name, double *dst,
                                       gsize n);

G_END_DECLS
