/* scm-layers-tmpl.h: declarations of the layer kernels for one precision.
 * Included twice by scm-layers.h (float: scm_f32_*, double: scm_f64_*);
 * do not include directly.  Dimension letters: N rows (cells x tokens),
 * C input features, OC output features, B cells, T tokens, NH heads.
 * Every backward ACCUMULATES into its gradient outputs (+=).
 */

/* out (N, OC) = inp (N, C) . w (OC, C)^T + b (OC) (b may be NULL).  BLAS. */
void SCM_LT (linear_forward)        (SCM_RT *out, const SCM_RT *inp, const SCM_RT *w,
                                     const SCM_RT *b, int N, int C, int OC);
/* Naive triple loop of the same product: the reference of the BLAS path. */
void SCM_LT (linear_forward_naive)  (SCM_RT *out, const SCM_RT *inp, const SCM_RT *w,
                                     const SCM_RT *b, int N, int C, int OC);
/* out (N, OC) += inp (N, C) . w (OC, C)^T + b (OC) (b may be NULL): a
 * projection added onto a residual stream in place (inference). */
void SCM_LT (linear_forward_add)    (SCM_RT *out, const SCM_RT *inp, const SCM_RT *w,
                                     const SCM_RT *b, int N, int C, int OC);
/* dinp (N, C) += dout . w; dw (OC, C) += dout^T . inp; db (OC) += sum dout.
 * dinp, db may be NULL. */
void SCM_LT (linear_backward)       (SCM_RT *dinp, SCM_RT *dw, SCM_RT *db, const SCM_RT *dout,
                                     const SCM_RT *inp, const SCM_RT *w, int N, int C, int OC);
void SCM_LT (linear_backward_naive) (SCM_RT *dinp, SCM_RT *dw, SCM_RT *db, const SCM_RT *dout,
                                     const SCM_RT *inp, const SCM_RT *w, int N, int C, int OC);

/* LayerNorm over C with biased variance (PyTorch); mean, rstd (N) saved. */
void SCM_LT (layernorm_forward)  (SCM_RT *out, SCM_RT *mean, SCM_RT *rstd, const SCM_RT *inp,
                                  const SCM_RT *w, const SCM_RT *b, int N, int C, double eps);
void SCM_LT (layernorm_backward) (SCM_RT *dinp, SCM_RT *dw, SCM_RT *db, const SCM_RT *dout,
                                  const SCM_RT *inp, const SCM_RT *w, const SCM_RT *mean,
                                  const SCM_RT *rstd, int N, int C);

/* Exact GELU x * Phi(x) (erf form, nn.GELU()). */
void SCM_LT (gelu_forward)  (SCM_RT *out, const SCM_RT *inp, gsize n);
void SCM_LT (gelu_backward) (SCM_RT *dinp, const SCM_RT *inp, const SCM_RT *dout, gsize n);
/* dinp = (not +=) the same; saves zeroing a buffer first. */
void SCM_LT (gelu_backward_assign) (SCM_RT *dinp, const SCM_RT *inp, const SCM_RT *dout, gsize n);

/* Dropout with the counter-based mask of scm-dropout.h; element k of the
 * array is global element i0 + k of site `key`.  p == 0 copies. */
void SCM_LT (dropout_forward)  (SCM_RT *out, const SCM_RT *inp, gsize n, double p,
                                guint64 key, guint64 i0);
/* dinp += dout * mask / (1 - p) */
void SCM_LT (dropout_backward) (SCM_RT *dinp, const SCM_RT *dout, gsize n, double p,
                                guint64 key, guint64 i0);
/* dinp = (not +=) dout * mask / (1 - p) */
void SCM_LT (dropout_backward_assign) (SCM_RT *dinp, const SCM_RT *dout, gsize n, double p,
                                       guint64 key, guint64 i0);

/* Multi-head self-attention core (timm Attention without the projections).
 *   qkv (B, T, 3C): [q | k | v], head h at columns h*hd .. (h+1)*hd of each
 *   prob (B, NH, T, T): softmax(q k^T / sqrt(hd)) BEFORE attention dropout
 *   out (B, T, C): heads concatenated
 * Dropout p on the probabilities: element (b, h, i, j) of site `key` has
 * global index ((b0 + b) * NH + h) * T * T + i * T + j.
 * scratch: 2 * T * T reals per call (per thread). */
void SCM_LT (attention_forward)        (SCM_RT *out, SCM_RT *prob, const SCM_RT *qkv,
                                        int B, int T, int C, int NH, double p, guint64 key,
                                        int b0, SCM_RT *scratch);
void SCM_LT (attention_forward_naive)  (SCM_RT *out, SCM_RT *prob, const SCM_RT *qkv,
                                        int B, int T, int C, int NH, double p, guint64 key,
                                        int b0);
/* The same without dropout for query row 0 only (the cls token of the
 * last encoder block, all inference needs): out (B, C) = attention output
 * of row 0 of each cell, every key and value used.  scratch: T reals.
 * Reference: row 0 of attention_forward_naive with p = 0. */
void SCM_LT (attention_cls_forward)    (SCM_RT *out, const SCM_RT *qkv, int B, int T, int C,
                                        int NH, SCM_RT *scratch);
/* dqkv (B, T, 3C) += gradient; scratch 2 * T * T. */
void SCM_LT (attention_backward)       (SCM_RT *dqkv, const SCM_RT *dout, const SCM_RT *qkv,
                                        const SCM_RT *prob, int B, int T, int C, int NH,
                                        double p, guint64 key, int b0, SCM_RT *scratch);
/* dqkv (B, T, 3C) = (not +=) gradient: no need to zero it first. */
void SCM_LT (attention_backward_assign) (SCM_RT *dqkv, const SCM_RT *dout, const SCM_RT *qkv,
                                         const SCM_RT *prob, int B, int T, int C, int NH,
                                         double p, guint64 key, int b0, SCM_RT *scratch);
void SCM_LT (attention_backward_naive) (SCM_RT *dqkv, const SCM_RT *dout, const SCM_RT *qkv,
                                        const SCM_RT *prob, int B, int T, int C, int NH,
                                        double p, guint64 key, int b0);

/* Softmax cross-entropy over K classes: probs (B, K); returns the summed
 * loss and the number of rows whose argmax equals y. */
double SCM_LT (crossentropy_forward)  (SCM_RT *probs, const SCM_RT *logits, const gint32 *y,
                                       int B, int K, int *n_correct);
/* dlogits += (probs - onehot(y)) * scale (scale = 1 / total batch). */
void   SCM_LT (crossentropy_backward) (SCM_RT *dlogits, const SCM_RT *probs, const gint32 *y,
                                       int B, int K, double scale);
