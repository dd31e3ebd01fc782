/* test-train.c: the training loop on real cells at the tiny preset.
 *
 * A few hundred pbmc10k cells (64 genes, 14 proteins) keep every case well
 * under a few seconds: losses go down, a checkpointed + resumed run is
 * bit-for-bit the uninterrupted one, and stage 1 -> 2 -> 3 carries weights
 * by name onto an RNA-only file (pbmc3k).
 */
#include "io/scm-io.h"
#include "model/scm-train.h"
#include "scm-error.h"
#include "scm-test-util.h"
#include "util/scm-blas.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static ScmDataset *
load_subset (const char *rel, gint64 every)
{
  g_autofree char *path = scm_test_shared_path (rel);
  if (path == NULL)
    return NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmDataset) ds = scm_dataset_read (path, NULL, &error);
  g_assert_no_error (error);
  g_autofree guint8 *keep = g_new0 (guint8, ds->n_cells);
  for (gint64 i = 0; i < ds->n_cells; i += every)
    keep[i] = 1;
  ScmDataset *sub = scm_dataset_subset_cells (ds, keep, &error);
  g_assert_no_error (error);
  return sub;
}

static ScmTrainData *
tiny_data (const ScmDataset *ds, gboolean adt, const char *labels, const ScmCheckpoint *from)
{
  ScmTrainDataOptions o = { 0 };
  if (from)
    scm_train_data_options_for_checkpoint (from, &o);
  o.need_rna = TRUE;
  o.need_adt = adt;
  if (!from)
    {
      o.n_genes = 64;
      o.tok_dim = 8;
    }
  o.label_column = labels;
  g_autoptr (GError) error = NULL;
  ScmTrainData *d = scm_train_data_from_dataset (ds, &o, NULL, NULL, &error);
  g_assert_no_error (error);
  return d;
}

static ScmTrainer *
tiny_trainer (ScmStage stage, ScmTrainData *d, int epochs, const ScmCheckpoint *from)
{
  ScmTrainPreset p;
  g_assert_true (scm_preset_lookup ("tiny", &p, NULL));
  ScmTrainOptions o;
  scm_train_options_init (&o, stage, &p);
  o.max_epochs = epochs;
  o.seed = 11;
  g_autoptr (GError) error = NULL;
  ScmTrainer *t = scm_trainer_new (&o, d, from, &error);
  g_assert_no_error (error);
  return t;
}

static void
test_loss_decreases (void)
{
  g_autoptr (ScmDataset) ds = load_subset ("pbmc10k/pbmc10k.h5ad", 20);   /* 343 cells */
  if (ds == NULL)
    return;
  g_autoptr (ScmTrainer) t = tiny_trainer (SCM_STAGE_PRETRAIN, tiny_data (ds, TRUE, NULL, NULL),
                                           6, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_trainer_run (t, -1, &error));
  g_assert_no_error (error);
  guint n = 0;
  const ScmEpochRecord *e = scm_trainer_get_epochs (t, &n);
  g_assert_cmpuint (n, ==, 6);
  for (guint i = 0; i < n; i++)
    g_test_message ("stage 1 epoch %u: train %.4f (rna %.4f adt %.4f) val %.4f", i + 1,
                    e[i].train_loss, e[i].train_rna, e[i].train_adt, e[i].val_loss);
  g_assert_true (isfinite (e[0].train_loss));
  g_assert_cmpfloat (e[n - 1].train_loss, <, e[0].train_loss);
  g_assert_cmpfloat (e[n - 1].val_loss, <, e[0].val_loss);

  /* stage 2 from it: carried by name, loss goes down, accuracies reported */
  g_autoptr (ScmCheckpoint) ck = scm_trainer_to_checkpoint (t);
  g_autoptr (ScmTrainer) t2 = tiny_trainer (SCM_STAGE_FINETUNE,
                                            tiny_data (ds, TRUE, "cell_type", ck), 6, ck);
  g_assert_cmpint (scm_trainer_get_n_carried (t2), >, 20);
  const char *const *nc = scm_trainer_get_not_carried (t2);
  g_assert_cmpstr (nc[0], ==, "head.weight");
  g_assert_cmpstr (nc[1], ==, "head.bias");
  g_assert_null (nc[2]);
  g_assert_true (scm_trainer_run (t2, -1, &error));
  g_assert_no_error (error);
  e = scm_trainer_get_epochs (t2, &n);
  for (guint i = 0; i < n; i++)
    g_test_message ("stage 2 epoch %u: train %.4f acc %.3f held-out ce %.4f acc %.3f", i + 1,
                    e[i].train_loss, e[i].train_acc, e[i].val_loss, e[i].heldout_acc);
  g_assert_cmpfloat (e[n - 1].train_loss, <, e[0].train_loss);
  g_assert_cmpfloat (e[n - 1].heldout_acc, >, 0.3);   /* 8 classes; chance ~ 0.33 for the biggest */
  /* the split is stratified 30% of labelled cells */
  const guint8 *roles = scm_trainer_get_roles (t2);
  gint64 tr = 0;
  for (gint64 i = 0; i < ds->n_cells; i++)
    tr += roles[i] == SCM_SPLIT_TRAIN;
  g_assert_cmpint (tr, >=, (gint64) (0.3 * ds->n_cells) - 8);
  g_assert_cmpint (tr, <=, (gint64) (0.3 * ds->n_cells) + 8);
}

static void
assert_same_state (ScmTrainer *a, ScmTrainer *b)
{
  ScmModel *ma = scm_trainer_get_model (a), *mb = scm_trainer_get_model (b);
  gsize n = scm_model_n_params (ma);
  g_assert_cmpuint (n, ==, scm_model_n_params (mb));
  ScmTensorKind kinds[3] = { SCM_TENSOR_PARAM, SCM_TENSOR_ADAM_M, SCM_TENSOR_ADAM_V };
  for (int k = 0; k < 3; k++)
    {
      const float *x = scm_model_family (ma, kinds[k]), *y = scm_model_family (mb, kinds[k]);
      gsize diff = 0;
      for (gsize i = 0; i < n; i++)
        diff += memcmp (&x[i], &y[i], sizeof (float)) != 0;
      if (diff)
        g_test_message ("family %d: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " values differ",
                        k, diff, n);
      g_assert_cmpuint (diff, ==, 0);
    }
  guint na, nb;
  const float *la = scm_trainer_get_step_losses (a, &na), *lb = scm_trainer_get_step_losses (b, &nb);
  g_assert_cmpuint (na, ==, nb);
  g_assert_cmpmem (la, na * sizeof (float), lb, nb * sizeof (float));
  const ScmEpochRecord *ea = scm_trainer_get_epochs (a, &na), *eb = scm_trainer_get_epochs (b, &nb);
  g_assert_cmpuint (na, ==, nb);
  for (guint i = 0; i < na; i++)
    {
      g_assert_cmpfloat (ea[i].train_loss, ==, eb[i].train_loss);
      g_assert_true (ea[i].val_loss == eb[i].val_loss
                     || (isnan (ea[i].val_loss) && isnan (eb[i].val_loss)));
    }
}

static void
resume_case (ScmStage stage, const char *labels)
{
  g_autoptr (ScmDataset) ds = load_subset ("pbmc10k/pbmc10k.h5ad", 25);   /* 275 cells */
  if (ds == NULL)
    return;
  /* 275 cells: stage 1 trains on ~248 (8 batches of 32), stage 2 on ~82 (3) */
  g_autoptr (ScmTrainer) straight = tiny_trainer (stage, tiny_data (ds, TRUE, labels, NULL), 3,
                                                  NULL);
  int nb = scm_trainer_get_batches_per_epoch (straight);
  gint64 total = 3 * nb;
  gint64 half = total / 2 + 1;   /* odd split point: mid-epoch */
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_trainer_run (straight, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (scm_trainer_get_step (straight), ==, total);

  g_autoptr (ScmTrainer) first = tiny_trainer (stage, tiny_data (ds, TRUE, labels, NULL), 3, NULL);
  g_assert_true (scm_trainer_run (first, half, &error));
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "half.h5", NULL);
  g_assert_true (scm_trainer_save (first, path, &error));
  g_assert_no_error (error);

  g_autoptr (ScmCheckpoint) ck = scm_checkpoint_load (path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ck->step, ==, half);
  ScmTrainDataOptions o;
  scm_train_data_options_for_checkpoint (ck, &o);
  o.label_column = labels;
  o.classes = ck->classes && ck->classes[0] ? (const char *const *) ck->classes : NULL;
  ScmTrainData *d = scm_train_data_from_dataset (ds, &o, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (ScmTrainer) resumed = scm_trainer_resume (ck, d, 1, &error);
  g_assert_no_error (error);
  g_assert_true (scm_trainer_run (resumed, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (scm_trainer_get_step (resumed), ==, total);
  assert_same_state (straight, resumed);
  if (stage == SCM_STAGE_PRETRAIN)
    {
      /* the checkpoint was taken mid-epoch 2, after epoch 1 was kept: its
       * model (epoch 1) and its resume state differ, and the resumed run
       * must start from the latter */
      g_assert_cmpint (ck->best_epoch, ==, 1);
      gsize with_resume = 0;
      for (guint i = 0; i < ck->tensors->len; i++)
        with_resume += ((ScmCkptTensor *) g_ptr_array_index (ck->tensors, i))->resume_param != NULL;
      g_assert_cmpuint (with_resume, >, 0);
    }
  /* the kept model is the same too */
  g_assert_cmpint (scm_trainer_get_best_epoch (straight), ==, scm_trainer_get_best_epoch (resumed));
  g_autoptr (ScmCheckpoint) ca = scm_trainer_to_checkpoint (straight);
  g_autoptr (ScmCheckpoint) cb = scm_trainer_to_checkpoint (resumed);
  g_assert_cmpuint (ca->tensors->len, ==, cb->tensors->len);
  for (guint i = 0; i < ca->tensors->len; i++)
    {
      ScmCkptTensor *x = g_ptr_array_index (ca->tensors, i), *y = g_ptr_array_index (cb->tensors, i);
      g_assert_cmpmem (x->param, x->numel * sizeof (float), y->param, y->numel * sizeof (float));
      g_assert_true ((x->resume_param == NULL) == (y->resume_param == NULL));
    }
  scm_test_rmdir (dir);
}

/* Stage 1 writes the parameters of the epoch with the lowest validation
 * loss as the model, and the last step's as resume state.  Three ordinary
 * epochs, then three with a learning rate 1000x too high (set in the
 * checkpoint before resuming): AdamW moves every weight by about the
 * learning rate per step, which wrecks the fit, so the validation loss
 * rises whatever the BLAS kernels' rounding and the kept epoch is not the
 * last.  The kept copy also has to survive the save and resume. */
static void
test_stage1_keeps_best (void)
{
  g_autoptr (ScmDataset) ds = load_subset ("pbmc10k/pbmc10k.h5ad", 25);   /* 275 cells */
  if (ds == NULL)
    return;
  int E = 6;
  g_autoptr (GError) error = NULL;
  g_autoptr (ScmTrainer) t1 = tiny_trainer (SCM_STAGE_PRETRAIN, tiny_data (ds, TRUE, NULL, NULL),
                                            E, NULL);
  gsize np = scm_model_n_params (scm_trainer_get_model (t1));
  g_autofree float *snap = g_new (float, (gsize) E * np);
  int done = 0;
  while (done < 3)
    {
      ScmStepInfo info;
      g_assert_true (scm_trainer_step (t1, &info, &error));
      if (info.epoch_done)
        memcpy (snap + (gsize) done++ * np,
                scm_model_family (scm_trainer_get_model (t1), SCM_TENSOR_PARAM),
                np * sizeof (float));
    }
  g_autoptr (ScmCheckpoint) mid = scm_trainer_to_checkpoint (t1);
  mid->preset.lr *= 1000;
  g_autoptr (ScmTrainer) t = scm_trainer_resume (mid, tiny_data (ds, TRUE, NULL, NULL), 1, &error);
  g_assert_no_error (error);
  ScmModel *m = scm_trainer_get_model (t);
  while (!scm_trainer_is_finished (t))
    {
      ScmStepInfo info;
      g_assert_true (scm_trainer_step (t, &info, &error));
      if (info.epoch_done)
        memcpy (snap + (gsize) done++ * np, scm_model_family (m, SCM_TENSOR_PARAM),
                np * sizeof (float));
    }
  guint n = 0;
  const ScmEpochRecord *e = scm_trainer_get_epochs (t, &n);
  g_assert_cmpuint (n, ==, (guint) E);
  g_assert_cmpint (done, ==, E);
  guint best = 0;
  for (guint i = 0; i < n; i++)
    {
      g_test_message ("epoch %u: val loss %.5f", i + 1, e[i].val_loss);
      if (e[i].val_loss < e[best].val_loss)
        best = i;
    }
  g_assert_cmpuint (best + 1, <, n); /* the case this test is about */
  g_assert_cmpint (scm_trainer_get_best_epoch (t), ==, (int) best + 1);

  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "best.h5", NULL);
  g_assert_true (scm_trainer_save (t, path, &error));
  g_assert_no_error (error);
  g_autoptr (ScmCheckpoint) ck = scm_checkpoint_load (path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ck->best_epoch, ==, (int) best + 1);
  const float *base = scm_model_family (m, SCM_TENSOR_PARAM);
  for (int i = 0; i < scm_model_n_tensors (m); i++)
    {
      const float *cur = scm_model_tensor_data (m, SCM_TENSOR_PARAM, i);
      ScmCkptTensor *ct = scm_checkpoint_find_tensor (ck, scm_model_tensor_name (m, i));
      g_assert_nonnull (ct);
      gsize bytes = ct->numel * sizeof (float);
      g_assert_cmpmem (ct->param, bytes, snap + (gsize) best * np + (cur - base), bytes);
      g_assert_cmpmem (ct->resume_param ? ct->resume_param : ct->param, bytes, cur, bytes);
    }
  /* inference reads the kept epoch; a reader without the optimizer state
   * does not load the resume copy */
  g_autoptr (ScmCheckpoint) lean = scm_checkpoint_load (path, FALSE, &error);
  g_assert_no_error (error);
  ScmModel *em = scm_model_from_checkpoint (lean, 8, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (scm_model_family (em, SCM_TENSOR_PARAM), np * sizeof (float),
                   snap + (gsize) best * np, np * sizeof (float));
  for (guint i = 0; i < lean->tensors->len; i++)
    g_assert_null (((ScmCkptTensor *) g_ptr_array_index (lean->tensors, i))->resume_param);
  scm_model_free (em);
  scm_test_rmdir (dir);
}

/* A model-only checkpoint: the same model, no optimizer state, smaller,
 * refused for resuming but fine for inference. */
static void
test_model_only (void)
{
  g_autoptr (ScmDataset) ds = load_subset ("pbmc10k/pbmc10k.h5ad", 25);
  if (ds == NULL)
    return;
  g_autoptr (ScmTrainer) t = tiny_trainer (SCM_STAGE_PRETRAIN, tiny_data (ds, TRUE, NULL, NULL),
                                           2, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_trainer_run (t, scm_trainer_get_batches_per_epoch (t) + 2, &error));
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *full = g_build_filename (dir, "full.h5", NULL);
  g_autofree char *lean = g_build_filename (dir, "lean.h5", NULL);
  g_assert_true (scm_trainer_save (t, full, &error));
  g_autoptr (ScmCheckpoint) ck = scm_trainer_to_checkpoint (t);
  scm_checkpoint_drop_resume_state (ck);
  g_assert_true (scm_checkpoint_save (ck, lean, &error));
  g_assert_no_error (error);
  GStatBuf sf, sl;
  g_assert_cmpint (g_stat (full, &sf), ==, 0);
  g_assert_cmpint (g_stat (lean, &sl), ==, 0);
  g_test_message ("tiny stage-1 checkpoint: %lld bytes resumable, %lld model-only",
                  (long long) sf.st_size, (long long) sl.st_size);
  g_assert_cmpint (sl.st_size, <, sf.st_size);

  g_autoptr (ScmCheckpoint) a = scm_checkpoint_load (full, TRUE, &error);
  g_autoptr (ScmCheckpoint) b = scm_checkpoint_load (lean, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (b->best_epoch, ==, a->best_epoch);
  for (guint i = 0; i < a->tensors->len; i++)
    {
      ScmCkptTensor *x = g_ptr_array_index (a->tensors, i), *y = g_ptr_array_index (b->tensors, i);
      g_assert_cmpmem (x->param, x->numel * sizeof (float), y->param, y->numel * sizeof (float));
      g_assert_null (y->m);
      g_assert_null (y->v);
      g_assert_null (y->resume_param);
    }
  g_assert_null (scm_trainer_resume (b, tiny_data (ds, TRUE, NULL, NULL), 1, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
  g_clear_error (&error);
  ScmModel *m = scm_model_from_checkpoint (b, 8, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  scm_model_free (m);
  scm_test_rmdir (dir);
}

static void
test_resume_stage1 (void)
{
  resume_case (SCM_STAGE_PRETRAIN, NULL);
}

static void
test_resume_stage2 (void)
{
  resume_case (SCM_STAGE_FINETUNE, "cell_type");
}

static void
test_transfer (void)
{
  g_autoptr (ScmDataset) ds = load_subset ("pbmc10k/pbmc10k.h5ad", 25);
  g_autoptr (ScmDataset) rna = load_subset ("pbmc3k/pbmc3k.h5ad", 10);   /* 264 cells */
  if (ds == NULL || rna == NULL)
    return;
  g_autoptr (ScmTrainer) t2 = tiny_trainer (SCM_STAGE_FINETUNE,
                                            tiny_data (ds, TRUE, "cell_type", NULL), 1, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_trainer_run (t2, -1, &error));
  g_autoptr (ScmCheckpoint) ck = scm_trainer_to_checkpoint (t2);

  /* pbmc3k has 13714 genes; the tiny model's 64 pbmc10k HVGs align by symbol */
  ScmTrainDataOptions o;
  scm_train_data_options_for_checkpoint (ck, &o);
  o.need_adt = FALSE;
  o.label_column = "cell_type";
  ScmAlignReport rep = { 0 };
  ScmTrainData *d = scm_train_data_from_dataset (rna, &o, &rep, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *desc = scm_align_report_describe (&rep, "genes");
  g_test_message ("alignment: %s", desc);
  g_assert_cmpint (rep.n_wanted, ==, 64);
  g_assert_cmpint (rep.n_found + rep.n_missing, ==, 64);
  g_assert_cmpint (rep.n_found, >=, 32);
  scm_align_report_clear (&rep);
  g_autoptr (ScmTrainer) t3 = tiny_trainer (SCM_STAGE_TRANSFER, d, 3, ck);
  /* the RNA encoder and ca_rna come over; fc and the 9-class head are new */
  g_assert_cmpint (scm_trainer_get_n_carried (t3), >, 10);
  gboolean fc_new = FALSE;
  for (const char *const *s = scm_trainer_get_not_carried (t3); *s; s++)
    {
      g_assert_false (g_str_has_prefix (*s, "enc_rna."));
      fc_new |= g_str_has_prefix (*s, "fc.");
    }
  g_assert_true (fc_new);
  g_assert_true (scm_trainer_run (t3, -1, &error));
  g_assert_no_error (error);
  guint n;
  const ScmEpochRecord *e = scm_trainer_get_epochs (t3, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_true (isfinite (e[2].heldout_acc));

  /* inference: embedding + probabilities for every cell, annotated into a dataset */
  const ScmTrainData *td = scm_trainer_get_data (t3);
  ScmModel *m = scm_trainer_get_model (t3);
  int D = scm_model_get_config (m)->dim, C = td->n_classes;
  g_autofree float *emb = g_new (float, td->n_cells * D);
  g_autofree float *probs = g_new (float, td->n_cells * C);
  g_assert_true (scm_train_infer (m, td, emb, probs, &error));
  g_assert_no_error (error);
  double s = 0;
  for (int c = 0; c < C; c++)
    s += probs[c];
  g_assert_cmpfloat_with_epsilon (s, 1.0, 1e-5);
  g_assert_true (scm_train_annotate (rna, emb, D, probs, (const char *const *) td->classes, C,
                                     &error));
  g_assert_nonnull (scm_dataset_get_obsm (rna, "X_scmmae"));
  ScmColumn *pred = scm_dataset_get_obs (rna, "scmmae_prediction");
  g_assert_nonnull (pred);
  g_assert_cmpint (pred->kind, ==, SCM_COLUMN_CATEGORICAL);
  g_assert_nonnull (scm_dataset_get_obs (rna, "scmmae_probability"));
}

static void
test_stage1_no_probs (void)
{
  g_autoptr (ScmDataset) ds = load_subset ("pbmc10k/pbmc10k.h5ad", 50);
  if (ds == NULL)
    return;
  g_autoptr (ScmTrainer) t = tiny_trainer (SCM_STAGE_PRETRAIN, tiny_data (ds, TRUE, NULL, NULL),
                                           1, NULL);
  const ScmTrainData *d = scm_trainer_get_data (t);
  g_autofree float *probs = g_new (float, d->n_cells * 8);
  g_autoptr (GError) error = NULL;
  g_assert_false (scm_train_infer (scm_trainer_get_model (t), d, NULL, probs, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_INVALID);
}

/* Two runs with the same seed and 2 threads (model workers and BLAS) give
 * the same bits. */
static void
test_deterministic_threads (void)
{
  g_autoptr (ScmDataset) ds = load_subset ("pbmc10k/pbmc10k.h5ad", 40);
  if (ds == NULL)
    return;
  scm_blas_set_threads (2);
  ScmTrainer *t[2];
  for (int k = 0; k < 2; k++)
    {
      ScmTrainPreset p;
      g_assert_true (scm_preset_lookup ("tiny", &p, NULL));
      ScmTrainOptions o;
      scm_train_options_init (&o, SCM_STAGE_FINETUNE, &p);
      o.max_epochs = 2;
      o.seed = 3;
      o.n_threads = 2;
      g_autoptr (GError) error = NULL;
      t[k] = scm_trainer_new (&o, tiny_data (ds, TRUE, "cell_type", NULL), NULL, &error);
      g_assert_no_error (error);
      g_assert_true (scm_trainer_run (t[k], -1, &error));
      g_assert_no_error (error);
    }
  assert_same_state (t[0], t[1]);
  scm_trainer_free (t[0]);
  scm_trainer_free (t[1]);
  scm_blas_set_threads (1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/train/loss-decreases", test_loss_decreases);
  g_test_add_func ("/model/train/resume-bit-exact-stage1", test_resume_stage1);
  g_test_add_func ("/model/train/resume-bit-exact-stage2", test_resume_stage2);
  g_test_add_func ("/model/train/stage1-keeps-best-epoch", test_stage1_keeps_best);
  g_test_add_func ("/model/train/model-only-checkpoint", test_model_only);
  g_test_add_func ("/model/train/transfer-stage3", test_transfer);
  g_test_add_func ("/model/train/stage1-has-no-classifier", test_stage1_no_probs);
  g_test_add_func ("/model/train/deterministic-2-threads", test_deterministic_threads);
  return g_test_run ();
}
