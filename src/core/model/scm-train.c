/* scm-train.c: the training loop, checkpoint conversion and inference.
 * See scm-train.h for what the loop does and why.
 */
#include "scm-train.h"
#include "scm-error.h"

#include <math.h>
#include <string.h>

/* The validation masks of stage 1 come from their own generator, reseeded
 * every epoch, so validation losses of different epochs see the same masks
 * and do not consume the training stream. */
#define VAL_STREAM G_GUINT64_CONSTANT (0x5ca1ab1e)

struct _ScmTrainer {
  ScmTrainOptions opts;
  ScmModelConfig  config;
  ScmModel       *model;
  ScmTrainData   *data;

  guint8         *role;       /* (n_cells) */
  gint32         *train_idx;  /* cells trained on, ascending */
  gint64          n_train;
  gint32         *eval_idx;   /* validation (stage 1) or held-out cells */
  gint64          n_eval;

  ScmRng          rng;
  gint32         *order;      /* (n_train) current epoch order */
  gint64          step;
  int             epoch;      /* completed */
  int             batch_in_epoch;
  int             n_batches;
  int             max_epochs;
  gboolean        finished;
  double          best_val_loss;
  int             bad_epochs;
  /* Stage 1: the parameters after the epoch with the lowest validation
   * loss (n_params, NULL until a validation loss exists); they become the
   * checkpoint's model, while the current ones stay the resume state. */
  float          *best_params;
  int             best_epoch;
  double          acc_loss, acc_rna, acc_adt, acc_seconds;
  gint64          acc_correct, acc_n;

  GArray         *epochs;      /* ScmEpochRecord */
  GArray         *step_losses; /* float */

  int             n_carried;
  char          **not_carried;

  /* batch buffers */
  float          *xb_rna, *xb_adt;
  gint32         *yb;
};

void
scm_train_options_init (ScmTrainOptions *o, ScmStage stage, const ScmTrainPreset *preset)
{
  memset (o, 0, sizeof *o);
  o->stage = stage;
  o->preset = *preset;
  o->fraction = 0.3;
  o->seed = 0;
  o->n_threads = 1;
  o->early_stopping = TRUE;
}

static gboolean
stage_has_adt (ScmStage s)
{
  return s != SCM_STAGE_TRANSFER;
}

void
scm_trainer_free (ScmTrainer *t)
{
  if (t == NULL)
    return;
  scm_model_free (t->model);
  scm_train_data_free (t->data);
  g_free (t->role);
  g_free (t->train_idx);
  g_free (t->eval_idx);
  g_free (t->order);
  g_free (t->best_params);
  if (t->epochs)
    g_array_free (t->epochs, TRUE);
  if (t->step_losses)
    g_array_free (t->step_losses, TRUE);
  g_strfreev (t->not_carried);
  g_free (t->xb_rna);
  g_free (t->xb_adt);
  g_free (t->yb);
  g_free (t);
}

static gboolean
alloc_buffers (ScmTrainer *t, GError **error)
{
  gsize B = (gsize) t->opts.preset.batch;
  t->xb_rna = g_try_malloc0 (B * (gsize) MAX (t->config.n_genes, 1) * sizeof (float));
  t->xb_adt = g_try_malloc0 (B * (gsize) MAX (t->config.n_adt, 1) * sizeof (float));
  t->yb = g_try_malloc0 (B * sizeof (gint32));
  if (!t->xb_rna || !t->xb_adt || !t->yb)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate the batch buffers");
      return FALSE;
    }
  return TRUE;
}

/* Index lists from the roles; batches per epoch. */
static gboolean
index_roles (ScmTrainer *t, GError **error)
{
  gint64 N = t->data->n_cells;
  t->train_idx = g_new (gint32, MAX (N, 1));
  t->eval_idx = g_new (gint32, MAX (N, 1));
  t->n_train = t->n_eval = 0;
  for (gint64 i = 0; i < N; i++)
    {
      if (t->role[i] == SCM_SPLIT_TRAIN)
        t->train_idx[t->n_train++] = (gint32) i;
      else if (t->role[i] == SCM_SPLIT_HELDOUT)
        t->eval_idx[t->n_eval++] = (gint32) i;
    }
  if (t->n_train == 0)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "no cells to train on");
      return FALSE;
    }
  int B = t->opts.preset.batch;
  t->n_batches = (int) ((t->n_train + B - 1) / B);
  return TRUE;
}

static gboolean
check_data (const ScmTrainOptions *o, const ScmTrainData *d, GError **error)
{
  if (d->n_genes <= 0 || d->rna == NULL)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "the training data has no RNA matrix");
      return FALSE;
    }
  if (stage_has_adt (o->stage) && (d->n_adt <= 0 || d->adt == NULL))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "stage %d needs proteins (CITE-seq data); the training data has none",
                   o->stage);
      return FALSE;
    }
  if (o->stage != SCM_STAGE_PRETRAIN && (d->labels == NULL || d->n_classes < 2))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "stage %d fine-tunes on labels; choose a label column or CSV", o->stage);
      return FALSE;
    }
  if (o->preset.batch <= 0 || o->fraction <= 0 || o->fraction > 1)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "labelled fraction %g must be in (0, 1] and batch %d positive", o->fraction,
                   o->preset.batch);
      return FALSE;
    }
  return TRUE;
}

static ScmTrainer *
trainer_alloc (const ScmTrainOptions *opts, ScmTrainData *data)
{
  ScmTrainer *t = g_new0 (ScmTrainer, 1);
  t->opts = *opts;
  if (t->opts.n_threads <= 0)
    t->opts.n_threads = 1;
  t->data = data;
  t->epochs = g_array_new (FALSE, TRUE, sizeof (ScmEpochRecord));
  t->step_losses = g_array_new (FALSE, TRUE, sizeof (float));
  t->best_val_loss = INFINITY;
  t->max_epochs = opts->max_epochs > 0 ? opts->max_epochs : opts->preset.epochs[opts->stage];
  if (t->max_epochs <= 0)
    t->max_epochs = 1;
  return t;
}

/* Copies init's parameters into the model by name and shape. */
static void
carry_params (ScmTrainer *t, const ScmCheckpoint *init)
{
  gboolean same_classes = init->classes && t->data->classes
                          && g_strv_equal ((const char *const *) init->classes,
                                           (const char *const *) t->data->classes);
  g_autoptr (GPtrArray) missing = g_ptr_array_new ();
  int n = scm_model_n_tensors (t->model);
  for (int i = 0; i < n; i++)
    {
      const char *name = scm_model_tensor_name (t->model, i);
      ScmCkptTensor *ct = scm_checkpoint_find_tensor (init, name);
      int shape[3] = { 0 };
      int nd = scm_model_tensor_shape (t->model, i, shape);
      gboolean ok = ct != NULL && ct->ndim == nd;
      for (int k = 0; ok && k < nd; k++)
        ok = ct->shape[k] == shape[k];
      if (ok && g_str_has_prefix (name, "head.") && !same_classes)
        ok = FALSE;
      if (ok)
        {
          memcpy (scm_model_tensor_data (t->model, SCM_TENSOR_PARAM, i), ct->param,
                  ct->numel * sizeof (float));
          t->n_carried++;
        }
      else
        g_ptr_array_add (missing, g_strdup (name));
    }
  g_ptr_array_add (missing, NULL);
  t->not_carried = (char **) g_ptr_array_free (g_steal_pointer (&missing), FALSE);
}

ScmTrainer *
scm_trainer_new (const ScmTrainOptions *opts, ScmTrainData *data, const ScmCheckpoint *init,
                 GError **error)
{
  if (!check_data (opts, data, error))
    {
      scm_train_data_free (data);
      return NULL;
    }
  g_autoptr (ScmTrainer) t = trainer_alloc (opts, data);
  int n_adt = stage_has_adt (opts->stage) ? (int) data->n_adt : 0;
  int n_classes = opts->stage == SCM_STAGE_PRETRAIN ? 0 : data->n_classes;
  if (init)
    {
      /* the architecture is the checkpoint's; the data must be aligned to it */
      t->config = init->config;
      if (data->n_genes != init->config.n_genes)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "the data has %" G_GINT64_FORMAT " genes but the checkpoint's model "
                       "takes %d", data->n_genes, init->config.n_genes);
          return NULL;
        }
      t->config.n_adt = n_adt;
      t->config.adt_tokens = n_adt / MAX (t->config.adt_tok_dim, 1);
      t->config.n_classes = n_classes;
      t->opts.preset.model = t->config;
    }
  else
    scm_preset_make_config (&opts->preset, (int) data->n_genes, n_adt, n_classes, &t->config);
  if (!scm_model_config_validate (&t->config, opts->stage, error))
    return NULL;
  t->model = scm_model_new (&t->config, opts->stage, opts->preset.batch, error);
  if (t->model == NULL)
    return NULL;
  scm_model_set_threads (t->model, t->opts.n_threads);

  /* Initialisation draws come first from the seed's stream 0, so the
   * training stream is the same whether or not weights are carried. */
  ScmRng init_rng;
  scm_rng_seed_stream (&init_rng, opts->seed, 0);
  scm_model_init_params (t->model, &init_rng);
  if (init)
    carry_params (t, init);
  scm_rng_seed_stream (&t->rng, opts->seed, 1);

  gint64 N = data->n_cells;
  t->role = g_new0 (guint8, MAX (N, 1));
  if (opts->stage == SCM_STAGE_PRETRAIN)
    {
      g_autofree guint8 *is_val = g_new0 (guint8, MAX (N, 1));
      if (opts->early_stopping && N >= 10)
        scm_split_random (N, opts->preset.val_fraction, opts->seed + 1, is_val);
      for (gint64 i = 0; i < N; i++)
        t->role[i] = is_val[i] ? SCM_SPLIT_HELDOUT : SCM_SPLIT_TRAIN;
    }
  else
    scm_split_stratified (data->labels, N, data->n_classes, opts->fraction, opts->seed + 2,
                          t->role);
  if (!index_roles (t, error) || !alloc_buffers (t, error))
    return NULL;
  t->order = g_new (gint32, MAX (t->n_train, 1));
  return g_steal_pointer (&t);
}

ScmTrainer *
scm_trainer_resume (const ScmCheckpoint *ck, ScmTrainData *data, int n_threads, GError **error)
{
  ScmTrainOptions o;
  scm_train_options_init (&o, (ScmStage) ck->stage, &ck->preset);
  o.max_epochs = ck->max_epochs;
  o.fraction = ck->fraction > 0 ? ck->fraction : 0.3;
  o.seed = ck->seed;
  o.n_threads = n_threads > 0 ? n_threads : 1;
  o.early_stopping = ck->early_stopping;
  if (!check_data (&o, data, error))
    {
      scm_train_data_free (data);
      return NULL;
    }
  g_autoptr (ScmTrainer) t = trainer_alloc (&o, data);
  t->config = ck->config;
  if (data->n_cells != ck->n_cells || data->n_genes != ck->config.n_genes
      || (stage_has_adt (o.stage) && data->n_adt != ck->config.n_adt))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "the data (%" G_GINT64_FORMAT " cells, %" G_GINT64_FORMAT " genes) is not "
                   "the data the checkpoint was trained on (%" G_GINT64_FORMAT " cells, %d genes)",
                   data->n_cells, data->n_genes, ck->n_cells, ck->config.n_genes);
      return NULL;
    }
  t->model = scm_model_new (&t->config, o.stage, o.preset.batch, error);
  if (t->model == NULL)
    return NULL;
  scm_model_set_threads (t->model, o.n_threads);
  int n = scm_model_n_tensors (t->model);
  for (int i = 0; i < n; i++)
    {
      const char *name = scm_model_tensor_name (t->model, i);
      ScmCkptTensor *ct = scm_checkpoint_find_tensor (ck, name);
      if (ct != NULL && ct->m == NULL && ct->v == NULL)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "the checkpoint holds only the model, without the optimizer state "
                       "(saved as model-only): it can be embedded or start a later stage, "
                       "but cannot be resumed");
          return NULL;
        }
      if (ct == NULL || ct->numel != scm_model_tensor_numel (t->model, i) || ct->m == NULL
          || ct->v == NULL)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                       "checkpoint: tensor '%s' (with its optimizer state) is missing or has "
                       "the wrong size; cannot resume", name);
          return NULL;
        }
      gsize bytes = ct->numel * sizeof (float);
      /* the run continues from the last step, not from the kept epoch */
      memcpy (scm_model_tensor_data (t->model, SCM_TENSOR_PARAM, i),
              ct->resume_param ? ct->resume_param : ct->param, bytes);
      memcpy (scm_model_tensor_data (t->model, SCM_TENSOR_ADAM_M, i), ct->m, bytes);
      memcpy (scm_model_tensor_data (t->model, SCM_TENSOR_ADAM_V, i), ct->v, bytes);
    }
  t->role = g_memdup2 (ck->role, (gsize) MAX (ck->n_cells, 1));
  if (!index_roles (t, error) || !alloc_buffers (t, error))
    return NULL;
  if (ck->n_order != t->n_train)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                   "checkpoint: the epoch order has %" G_GINT64_FORMAT " cells, the split %"
                   G_GINT64_FORMAT, ck->n_order, t->n_train);
      return NULL;
    }
  t->order = g_memdup2 (ck->order, (gsize) MAX (t->n_train, 1) * sizeof (gint32));
  t->rng = ck->rng;
  t->step = ck->step;
  t->epoch = ck->epoch;
  t->batch_in_epoch = ck->batch_in_epoch;
  t->finished = ck->finished;
  t->best_val_loss = ck->best_val_loss;
  t->bad_epochs = ck->bad_epochs;
  if (ck->best_epoch > 0)
    {
      /* ck's params are the kept epoch's: the same copy the uninterrupted
       * run holds */
      t->best_epoch = ck->best_epoch;
      t->best_params = g_new (float, scm_model_n_params (t->model));
      float *base = scm_model_family (t->model, SCM_TENSOR_PARAM);
      for (int i = 0; i < n; i++)
        {
          ScmCkptTensor *ct = scm_checkpoint_find_tensor (ck, scm_model_tensor_name (t->model, i));
          memcpy (t->best_params + (scm_model_tensor_data (t->model, SCM_TENSOR_PARAM, i) - base),
                  ct->param, ct->numel * sizeof (float));
        }
    }
  t->acc_loss = ck->acc_loss;
  t->acc_rna = ck->acc_rna;
  t->acc_adt = ck->acc_adt;
  t->acc_correct = ck->acc_correct;
  t->acc_n = ck->acc_n;
  t->acc_seconds = ck->acc_seconds;
  g_array_append_vals (t->epochs, ck->epochs->data, ck->epochs->len);
  g_array_append_vals (t->step_losses, ck->step_losses->data, ck->step_losses->len);
  t->not_carried = g_new0 (char *, 1);
  return g_steal_pointer (&t);
}

static void
gather (ScmTrainer *t, const gint32 *cells, int B)
{
  const ScmTrainData *d = t->data;
  gsize G = (gsize) d->n_genes, P = (gsize) d->n_adt;
  for (int b = 0; b < B; b++)
    {
      gint64 i = cells[b];
      memcpy (t->xb_rna + (gsize) b * G, d->rna + (gsize) i * G, G * sizeof (float));
      if (stage_has_adt (t->opts.stage))
        memcpy (t->xb_adt + (gsize) b * P, d->adt + (gsize) i * P, P * sizeof (float));
      t->yb[b] = d->labels ? d->labels[i] : 0;
    }
}

/* Stage 1: mean validation loss over the validation cells (fixed masks). */
static gboolean
validation_loss (ScmTrainer *t, double *out, GError **error)
{
  ScmRng vr;
  scm_rng_seed_stream (&vr, t->opts.seed, VAL_STREAM);
  double sum = 0;
  gint64 n = 0;
  int B = t->opts.preset.batch;
  for (gint64 s = 0; s < t->n_eval; s += B)
    {
      int b = (int) MIN ((gint64) B, t->n_eval - s);
      gather (t, t->eval_idx + s, b);
      ScmLosses l;
      if (!scm_model_forward_loss (t->model, t->xb_rna, t->xb_adt, NULL, b, &vr, &l, error))
        return FALSE;
      sum += l.total * b;
      n += b;
    }
  *out = n > 0 ? sum / n : NAN;
  return TRUE;
}

/* Stages 2, 3: accuracy and cross-entropy on the held-out cells. */
static gboolean
heldout_eval (ScmTrainer *t, double *acc, double *ce, GError **error)
{
  int B = t->opts.preset.batch, C = t->config.n_classes;
  g_autofree float *probs = g_try_malloc ((gsize) B * (gsize) C * sizeof (float));
  if (probs == NULL)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate probabilities");
      return FALSE;
    }
  gint64 correct = 0, n = 0;
  double sum = 0;
  for (gint64 s = 0; s < t->n_eval; s += B)
    {
      int b = (int) MIN ((gint64) B, t->n_eval - s);
      gather (t, t->eval_idx + s, b);
      if (!scm_model_eval (t->model, t->xb_rna, stage_has_adt (t->opts.stage) ? t->xb_adt : NULL,
                           b, NULL, probs, error))
        return FALSE;
      for (int k = 0; k < b; k++)
        {
          const float *p = probs + (gsize) k * C;
          int best = 0;
          for (int c = 1; c < C; c++)
            if (p[c] > p[best])
              best = c;
          int y = t->yb[k];
          correct += best == y;
          sum += -log (MAX ((double) p[y], 1e-30));
          n++;
        }
    }
  *acc = n > 0 ? (double) correct / n : NAN;
  *ce = n > 0 ? sum / n : NAN;
  return TRUE;
}

static gboolean
end_epoch (ScmTrainer *t, GError **error)
{
  gint64 t0 = g_get_monotonic_time ();
  ScmEpochRecord r;
  r.epoch = t->epoch + 1;
  r.lr = t->opts.preset.lr * scm_preset_lr_factor (&t->opts.preset, t->epoch);
  r.train_loss = t->acc_n > 0 ? t->acc_loss / t->acc_n : NAN;
  r.train_rna = r.train_adt = r.train_acc = r.val_loss = r.heldout_acc = NAN;
  if (t->opts.stage == SCM_STAGE_PRETRAIN)
    {
      r.train_rna = t->acc_n > 0 ? t->acc_rna / t->acc_n : NAN;
      r.train_adt = t->acc_n > 0 ? t->acc_adt / t->acc_n : NAN;
      if (t->n_eval > 0 && !validation_loss (t, &r.val_loss, error))
        return FALSE;
    }
  else
    {
      r.train_acc = t->acc_n > 0 ? (double) t->acc_correct / t->acc_n : NAN;
      if (t->n_eval > 0 && !heldout_eval (t, &r.heldout_acc, &r.val_loss, error))
        return FALSE;
    }
  r.seconds = t->acc_seconds + (g_get_monotonic_time () - t0) / 1e6;
  g_array_append_val (t->epochs, r);

  t->epoch++;
  t->batch_in_epoch = 0;
  t->acc_loss = t->acc_rna = t->acc_adt = t->acc_seconds = 0;
  t->acc_correct = t->acc_n = 0;
  /* Stage 1 keeps a copy of the parameters at the lowest validation loss
   * (the validation cells are its own split, never trained on, so choosing
   * on them is fair).  Stages 2 and 3 keep the last epoch: their held-out
   * cells are the evaluation set reported as the result, and choosing the
   * epoch on them would leak those labels into the model. */
  if (t->opts.stage == SCM_STAGE_PRETRAIN && t->n_eval > 0)
    {
      if (r.val_loss < t->best_val_loss)
        {
          t->best_val_loss = r.val_loss;
          t->bad_epochs = 0;
          t->best_epoch = t->epoch;
          gsize np = scm_model_n_params (t->model);
          if (t->best_params == NULL)
            t->best_params = g_new (float, np);
          memcpy (t->best_params, scm_model_family (t->model, SCM_TENSOR_PARAM),
                  np * sizeof (float));
        }
      else if (t->opts.early_stopping && ++t->bad_epochs >= t->opts.preset.patience)
        t->finished = TRUE;
    }
  if (t->epoch >= t->max_epochs)
    t->finished = TRUE;
  return TRUE;
}

gboolean
scm_trainer_step (ScmTrainer *t, ScmStepInfo *info, GError **error)
{
  if (t->finished)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "the training run is already finished");
      return FALSE;
    }
  gint64 t0 = g_get_monotonic_time ();
  int B = t->opts.preset.batch;
  if (t->batch_in_epoch == 0)
    {
      memcpy (t->order, t->train_idx, (gsize) t->n_train * sizeof (gint32));
      scm_rng_shuffle_i32 (&t->rng, t->order, (gsize) t->n_train);
    }
  gint64 start = (gint64) t->batch_in_epoch * B;
  int b = (int) MIN ((gint64) B, t->n_train - start);
  gather (t, t->order + start, b);

  ScmLosses l;
  scm_model_zero_grad (t->model);
  if (!scm_model_forward_backward (t->model, t->xb_rna,
                                   stage_has_adt (t->opts.stage) ? t->xb_adt : NULL,
                                   t->opts.stage == SCM_STAGE_PRETRAIN ? NULL : t->yb, b, &t->rng,
                                   &l, error))
    return FALSE;
  if (!isfinite (l.total))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "the loss became %g at step %" G_GINT64_FORMAT " (epoch %d); the learning "
                   "rate is too high for this data, or the input holds extreme values",
                   l.total, t->step + 1, t->epoch + 1);
      return FALSE;
    }
  const ScmTrainPreset *p = &t->opts.preset;
  ScmAdamWParams ap = { p->lr * scm_preset_lr_factor (p, t->epoch), p->beta1, p->beta2,
                        p->adam_eps, p->weight_decay };
  t->step++;
  scm_model_adamw_step (t->model, &ap, (int) t->step);

  t->acc_loss += l.total * b;
  t->acc_rna += l.rna * b;
  t->acc_adt += l.adt * b;
  t->acc_correct += l.n_correct;
  t->acc_n += b;
  float lf = (float) l.total;
  g_array_append_val (t->step_losses, lf);
  t->batch_in_epoch++;
  t->acc_seconds += (g_get_monotonic_time () - t0) / 1e6;

  ScmStepInfo si = { 0 };
  si.loss = l.total;
  si.step = t->step;
  si.epoch = t->epoch + 1;
  si.batch = t->batch_in_epoch;
  si.n_batches = t->n_batches;
  if (t->batch_in_epoch >= t->n_batches)
    {
      if (!end_epoch (t, error))
        return FALSE;
      si.epoch_done = TRUE;
    }
  si.finished = t->finished;
  if (info)
    *info = si;
  return TRUE;
}

gboolean
scm_trainer_is_finished (const ScmTrainer *t)
{
  return t->finished;
}

gboolean
scm_trainer_run (ScmTrainer *t, gint64 n_steps, GError **error)
{
  for (gint64 k = 0; (n_steps < 0 || k < n_steps) && !t->finished; k++)
    if (!scm_trainer_step (t, NULL, error))
      return FALSE;
  return TRUE;
}

ScmCheckpoint *
scm_trainer_to_checkpoint (ScmTrainer *t)
{
  ScmCheckpoint *ck = scm_checkpoint_new ();
  ck->stage = t->opts.stage;
  ck->config = t->config;
  ck->preset = t->opts.preset;
  ck->preset.model = t->config;
  ck->seed = t->opts.seed;
  ck->fraction = t->opts.fraction;
  ck->max_epochs = t->max_epochs;
  ck->early_stopping = t->opts.early_stopping;
  ck->step = t->step;
  ck->epoch = t->epoch;
  ck->batch_in_epoch = t->batch_in_epoch;
  ck->finished = t->finished;
  ck->rng = t->rng;
  ck->n_cells = t->data->n_cells;
  ck->role = g_memdup2 (t->role, (gsize) MAX (ck->n_cells, 1));
  ck->n_order = t->n_train;
  ck->order = g_memdup2 (t->order, (gsize) MAX (t->n_train, 1) * sizeof (gint32));
  ck->best_val_loss = t->best_val_loss;
  ck->best_epoch = t->best_params != NULL ? t->best_epoch : 0;
  ck->bad_epochs = t->bad_epochs;
  ck->acc_loss = t->acc_loss;
  ck->acc_rna = t->acc_rna;
  ck->acc_adt = t->acc_adt;
  ck->acc_correct = t->acc_correct;
  ck->acc_n = t->acc_n;
  ck->acc_seconds = t->acc_seconds;
  ck->genes = g_strdupv (t->data->genes);
  ck->proteins = stage_has_adt (t->opts.stage) && t->data->proteins ? g_strdupv (t->data->proteins)
                                                                      : g_new0 (char *, 1);
  ck->classes = t->opts.stage != SCM_STAGE_PRETRAIN && t->data->classes
                  ? g_strdupv (t->data->classes) : g_new0 (char *, 1);
  int n = scm_model_n_tensors (t->model);
  const float *base = scm_model_family (t->model, SCM_TENSOR_PARAM);
  for (int i = 0; i < n; i++)
    {
      int shape[3] = { 0 };
      int nd = scm_model_tensor_shape (t->model, i, shape);
      const float *cur = scm_model_tensor_data (t->model, SCM_TENSOR_PARAM, i);
      const float *model = t->best_params ? t->best_params + (cur - base) : cur;
      ScmCkptTensor *ct =
        scm_checkpoint_add_tensor (ck, scm_model_tensor_name (t->model, i), nd, shape, model,
                                   scm_model_tensor_data (t->model, SCM_TENSOR_ADAM_M, i),
                                   scm_model_tensor_data (t->model, SCM_TENSOR_ADAM_V, i));
      if (model != cur && memcmp (model, cur, ct->numel * sizeof (float)) != 0)
        ct->resume_param = g_memdup2 (cur, ct->numel * sizeof (float));
    }
  g_array_append_vals (ck->epochs, t->epochs->data, t->epochs->len);
  g_array_append_vals (ck->step_losses, t->step_losses->data, t->step_losses->len);
  return ck;
}

gboolean
scm_trainer_save (ScmTrainer *t, const char *path, GError **error)
{
  g_autoptr (ScmCheckpoint) ck = scm_trainer_to_checkpoint (t);
  return scm_checkpoint_save (ck, path, error);
}

ScmModel *
scm_trainer_get_model (ScmTrainer *t)
{
  return t->model;
}

const ScmTrainData *
scm_trainer_get_data (const ScmTrainer *t)
{
  return t->data;
}

const ScmTrainOptions *
scm_trainer_get_options (const ScmTrainer *t)
{
  return &t->opts;
}

const guint8 *
scm_trainer_get_roles (const ScmTrainer *t)
{
  return t->role;
}

const ScmEpochRecord *
scm_trainer_get_epochs (const ScmTrainer *t, guint *n)
{
  *n = t->epochs->len;
  return (const ScmEpochRecord *) t->epochs->data;
}

const float *
scm_trainer_get_step_losses (const ScmTrainer *t, guint *n)
{
  *n = t->step_losses->len;
  return (const float *) t->step_losses->data;
}

gint64
scm_trainer_get_step (const ScmTrainer *t)
{
  return t->step;
}

int
scm_trainer_get_epoch (const ScmTrainer *t)
{
  return t->epoch;
}

int
scm_trainer_get_max_epochs (const ScmTrainer *t)
{
  return t->max_epochs;
}

int
scm_trainer_get_batches_per_epoch (const ScmTrainer *t)
{
  return t->n_batches;
}

int
scm_trainer_get_best_epoch (const ScmTrainer *t)
{
  return t->best_params != NULL ? t->best_epoch : 0;
}

int
scm_trainer_get_n_carried (const ScmTrainer *t)
{
  return t->n_carried;
}

const char *const *
scm_trainer_get_not_carried (const ScmTrainer *t)
{
  return (const char *const *) t->not_carried;
}

/* ---- inference ---- */

ScmModel *
scm_model_from_checkpoint (const ScmCheckpoint *ck, int max_batch, GError **error)
{
  if (!scm_model_config_validate (&ck->config, (ScmStage) ck->stage, error))
    return NULL;
  /* inference only: no gradients, AdamW moments or training activations */
  ScmModel *m = scm_model_new_for_eval (&ck->config, (ScmStage) ck->stage, max_batch, error);
  if (m == NULL)
    return NULL;
  int n = scm_model_n_tensors (m);
  for (int i = 0; i < n; i++)
    {
      const char *name = scm_model_tensor_name (m, i);
      ScmCkptTensor *ct = scm_checkpoint_find_tensor (ck, name);
      if (ct == NULL || ct->numel != scm_model_tensor_numel (m, i))
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
                       "checkpoint: parameter '%s' is missing or has the wrong size", name);
          scm_model_free (m);
          return NULL;
        }
      memcpy (scm_model_tensor_data (m, SCM_TENSOR_PARAM, i), ct->param,
              ct->numel * sizeof (float));
    }
  return m;
}

gboolean
scm_train_infer (ScmModel *model, const ScmTrainData *d, float *embedding, float *probs,
                 GError **error)
{
  const ScmModelConfig *c = scm_model_get_config (model);
  ScmStage stage = scm_model_get_stage (model);
  gboolean adt = stage != SCM_STAGE_TRANSFER;
  if (d->n_genes != c->n_genes || (adt && d->n_adt != c->n_adt))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "the data has %" G_GINT64_FORMAT " genes / %" G_GINT64_FORMAT " proteins, "
                   "the model takes %d / %d", d->n_genes, d->n_adt, c->n_genes, c->n_adt);
      return FALSE;
    }
  if (probs && (stage == SCM_STAGE_PRETRAIN || c->n_classes <= 0))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "a stage-1 (pre-training) checkpoint has no classifier; fine-tune it with "
                   "stage 2 before predicting labels");
      return FALSE;
    }
  int B = scm_model_get_max_batch (model);
  gsize G = (gsize) d->n_genes, P = (gsize) d->n_adt, D = (gsize) c->dim;
  for (gint64 s = 0; s < d->n_cells; s += B)
    {
      int b = (int) MIN ((gint64) B, d->n_cells - s);
      if (!scm_model_eval (model, d->rna + (gsize) s * G, adt ? d->adt + (gsize) s * P : NULL, b,
                           embedding ? embedding + (gsize) s * D : NULL,
                           probs ? probs + (gsize) s * (gsize) c->n_classes : NULL, error))
        return FALSE;
    }
  return TRUE;
}

double
scm_train_accuracy (const float *probs, const gint32 *labels, const guint8 *roles, int want_role,
                    gint64 n, int C)
{
  gint64 ok = 0, tot = 0;
  for (gint64 i = 0; i < n; i++)
    {
      if (labels[i] < 0 || (want_role >= 0 && roles && roles[i] != want_role))
        continue;
      const float *p = probs + (gsize) i * C;
      int best = 0;
      for (int c = 1; c < C; c++)
        if (p[c] > p[best])
          best = c;
      ok += best == labels[i];
      tot++;
    }
  return tot > 0 ? (double) ok / tot : NAN;
}

gboolean
scm_train_annotate (ScmDataset *ds, const float *embedding, int dim, const float *probs,
                    const char *const *classes, int C, GError **error)
{
  gint64 N = ds->n_cells;
  if (embedding)
    {
      ScmMatrix *m = scm_matrix_new ("X_scmmae", N, dim, error);
      if (m == NULL)
        return FALSE;
      memcpy (m->data, embedding, (gsize) N * dim * sizeof (float));
      scm_dataset_set_obsm (ds, m);
    }
  if (probs)
    {
      gint32 *codes = g_new (gint32, MAX (N, 1));
      double *best_p = g_new (double, MAX (N, 1));
      for (gint64 i = 0; i < N; i++)
        {
          const float *p = probs + (gsize) i * C;
          int best = 0;
          for (int c = 1; c < C; c++)
            if (p[c] > p[best])
              best = c;
          codes[i] = best;
          best_p[i] = p[best];
        }
      char **cats = g_new0 (char *, C + 1);
      for (int c = 0; c < C; c++)
        cats[c] = g_strdup (classes[c]);
      scm_dataset_set_obs (ds, scm_column_new_categorical ("scmmae_prediction", N, codes, cats));
      scm_dataset_set_obs (ds, scm_column_new_numeric ("scmmae_probability", N, best_p));
    }
  return TRUE;
}

void
scm_train_data_options_for_checkpoint (const ScmCheckpoint *ck, ScmTrainDataOptions *o)
{
  memset (o, 0, sizeof *o);
  o->need_rna = TRUE;
  o->need_adt = ck->stage != SCM_STAGE_TRANSFER;
  o->genes = (const char *const *) ck->genes;
  o->proteins = o->need_adt ? (const char *const *) ck->proteins : NULL;
  o->tok_dim = ck->config.rna_tok_dim;
}

void
scm_trainer_set_max_epochs (ScmTrainer *t, int max_epochs)
{
  if (max_epochs <= 0)
    return;
  t->max_epochs = max_epochs;
  gboolean early = t->opts.stage == SCM_STAGE_PRETRAIN && t->opts.early_stopping && t->n_eval > 0
                   && t->bad_epochs >= t->opts.preset.patience;
  t->finished = t->epoch >= t->max_epochs || early;
}

char *
scm_train_resolve_labels (ScmDataset *ds, const char *spec, ScmLabelsReport *report,
                          GError **error)
{
  gboolean is_file = g_file_test (spec, G_FILE_TEST_IS_REGULAR);
  if (!is_file && scm_dataset_get_obs (ds, spec))
    return g_strdup (spec);
  if (!is_file && !g_str_has_suffix (spec, ".csv") && !g_str_has_suffix (spec, ".CSV"))
    {
      GString *names = g_string_new (NULL);
      for (guint i = 0; ds->obs && i < ds->obs->len; i++)
        g_string_append_printf (names, "%s%s", i ? ", " : "",
                                ((ScmColumn *) g_ptr_array_index (ds->obs, i))->name);
      g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND,
                   "%s: no obs column '%s' and no such labels CSV file (columns: %s)",
                   ds->path ? ds->path : "(dataset)", spec, names->len ? names->str : "none");
      g_string_free (names, TRUE);
      return NULL;
    }
  guint before = ds->obs ? ds->obs->len : 0;
  g_autoptr (GPtrArray) old_names = g_ptr_array_new ();
  for (guint i = 0; i < before; i++)
    g_ptr_array_add (old_names, ((ScmColumn *) g_ptr_array_index (ds->obs, i))->name);
  if (!scm_labels_join_csv (ds, spec, NULL, report, error))
    return NULL;
  /* The joined column is named after the CSV header: the one that is new
   * (or, when it replaced a column of the same name, the last one). */
  for (guint i = 0; i < ds->obs->len; i++)
    {
      ScmColumn *c = g_ptr_array_index (ds->obs, i);
      gboolean seen = FALSE;
      for (guint k = 0; k < old_names->len && !seen; k++)
        seen = old_names->pdata[k] == (gpointer) c->name;
      if (!seen)
        return g_strdup (c->name);
    }
  return g_strdup (((ScmColumn *) g_ptr_array_index (ds->obs, ds->obs->len - 1))->name);
}

ScmTrainData *
scm_train_data_for_stage (const ScmDataset *ds, ScmStage stage, const ScmTrainPreset *preset,
                          const ScmCheckpoint *from, const char *label_column,
                          ScmAlignReport *gene_report, ScmAlignReport *protein_report,
                          GError **error)
{
  ScmTrainDataOptions o;
  if (from)
    scm_train_data_options_for_checkpoint (from, &o);
  else
    {
      memset (&o, 0, sizeof o);
      o.need_rna = TRUE;
      o.n_genes = preset->n_genes;
      o.tok_dim = preset->model.rna_tok_dim;
    }
  o.need_adt = stage_has_adt (stage);
  if (!o.need_adt)
    o.proteins = NULL;
  if (stage != SCM_STAGE_PRETRAIN)
    {
      o.label_column = label_column;
      if (from && from->stage == (int) stage && from->classes && from->classes[0])
        o.classes = (const char *const *) from->classes;
    }
  return scm_train_data_from_dataset (ds, &o, gene_report, protein_report, error);
}

gboolean
scm_train_apply_checkpoint (ScmDataset *ds, const ScmCheckpoint *ck, gboolean predict,
                            int n_threads, ScmAlignReport *gene_report, GError **error)
{
  if (predict && (ck->stage == SCM_STAGE_PRETRAIN || ck->config.n_classes <= 0))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "a stage-1 (pre-training) checkpoint has no classifier; fine-tune it with "
                   "stage 2 (or 3) before predicting labels");
      return FALSE;
    }
  ScmTrainDataOptions o;
  scm_train_data_options_for_checkpoint (ck, &o);
  g_autoptr (ScmTrainData) d = scm_train_data_from_dataset (ds, &o, gene_report, NULL, error);
  if (d == NULL)
    return FALSE;
  ScmModel *m = scm_model_from_checkpoint (ck, 256, error);
  if (m == NULL)
    return FALSE;
  scm_model_set_threads (m, MAX (n_threads, 1));
  int D = ck->config.dim, C = ck->config.n_classes;
  g_autofree float *emb = g_try_malloc ((gsize) d->n_cells * D * sizeof (float));
  g_autofree float *probs = predict ? g_try_malloc ((gsize) d->n_cells * C * sizeof (float)) : NULL;
  gboolean ok = FALSE;
  if (emb == NULL || (predict && probs == NULL))
    g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "cannot allocate the embedding of %"
                 G_GINT64_FORMAT " cells", d->n_cells);
  else
    ok = scm_train_infer (m, d, emb, probs, error);
  scm_model_free (m);
  if (!ok)
    return FALSE;
  return scm_train_annotate (ds, emb, D, probs, (const char *const *) ck->classes, C, error);
}
