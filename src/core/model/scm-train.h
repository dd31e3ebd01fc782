/* scm-train.h: the scMMAE training loop (stages 1, 2, 3) and inference.
 *
 * A trainer owns one ScmModel, the training matrices and every piece of
 * state that decides the next step: the RNG (epoch orders, masks,
 * dropout), the current epoch's cell order, the split, the schedule and
 * early-stopping counters, the running epoch sums.  All of it goes into a
 * checkpoint, so a run resumed from one is bit-for-bit the run that was
 * never interrupted (same seed, same thread counts).
 *
 * The schedule follows the original scripts: AdamW at lr * f(e) with
 * f(e) = min((e+1)/warmup, 0.5 (cos(pi e / total) + 1)), stepped per
 * epoch; stage 1 holds out a validation split and stops after `patience`
 * epochs without a better validation loss; stages 2 and 3 fine-tune on a
 * stratified labelled fraction and report held-out accuracy per epoch
 * (never used to stop: that would leak the held-out labels).  The model a
 * checkpoint holds is, in stage 1, the epoch with the lowest validation
 * loss, and in stages 2 and 3 the last epoch trained (choosing on the
 * held-out cells would leak them); the last step's parameters stay in the
 * checkpoint as resume state (scm-checkpoint.h).
 *
 * A trainer is driven by one thread at a time (see scm-job.h for the
 * threaded wrapper the app uses).
 */
#pragma once

#include "model/scm-checkpoint.h"
#include "model/scm-model.h"
#include "model/scm-presets.h"
#include "model/scm-train-data.h"
#include "scm-dataset.h"
#include "io/scm-io.h"

G_BEGIN_DECLS

typedef struct {
  ScmStage       stage;
  ScmTrainPreset preset;
  int            max_epochs;     /* 0 = the preset's count for the stage */
  double         fraction;       /* labelled fraction in stages 2, 3 (0.3) */
  guint64        seed;
  int            n_threads;      /* model workers (1); BLAS threads are the caller's */
  gboolean       early_stopping; /* stage 1 (TRUE) */
} ScmTrainOptions;

void scm_train_options_init (ScmTrainOptions *o, ScmStage stage, const ScmTrainPreset *preset);

typedef struct _ScmTrainer ScmTrainer;

/* A new run on `data` (the trainer takes ownership).  Stages 2 and 3 need
 * labels in data.  init: NULL (random initialisation from the seed) or a
 * checkpoint of an earlier stage whose tensors are carried over by name
 * and shape; the architecture then comes from init's configuration and
 * `data` must already be aligned to init's genes (and proteins).  The head
 * is carried only when the class lists are identical. */
ScmTrainer *scm_trainer_new    (const ScmTrainOptions *opts, ScmTrainData *data,
                                const ScmCheckpoint *init, GError **error);
/* Continues the run saved in ck (with its optimizer state) on `data`
 * (taken), which must be the same cells and features.  n_threads: 0 = 1. */
ScmTrainer *scm_trainer_resume (const ScmCheckpoint *ck, ScmTrainData *data, int n_threads,
                                GError **error);
void        scm_trainer_free   (ScmTrainer *t);

typedef struct {
  double  loss;         /* this step's total loss */
  gint64  step;         /* steps taken so far (after this one) */
  int     epoch;        /* 1-based epoch this step belonged to */
  int     batch;        /* 1-based batch within it */
  int     n_batches;
  gboolean epoch_done;  /* this step ended an epoch: a record was appended */
  gboolean finished;    /* the run is over (max epochs or early stopping) */
} ScmStepInfo;

/* One optimisation step (plus the end-of-epoch evaluation when it ends
 * an epoch).  Calling it on a finished trainer is an error. */
gboolean scm_trainer_step        (ScmTrainer *t, ScmStepInfo *info, GError **error);
gboolean scm_trainer_is_finished (const ScmTrainer *t);
/* Steps until finished or for at most n_steps (< 0: no limit). */
gboolean scm_trainer_run         (ScmTrainer *t, gint64 n_steps, GError **error);

ScmCheckpoint *scm_trainer_to_checkpoint (ScmTrainer *t);
gboolean       scm_trainer_save          (ScmTrainer *t, const char *path, GError **error);

ScmModel           *scm_trainer_get_model    (ScmTrainer *t);
const ScmTrainData *scm_trainer_get_data     (const ScmTrainer *t);
const ScmTrainOptions *scm_trainer_get_options (const ScmTrainer *t);
/* SCM_SPLIT_TRAIN / SCM_SPLIT_HELDOUT (stage 1: validation) / EXCLUDED per cell. */
const guint8       *scm_trainer_get_roles    (const ScmTrainer *t);
const ScmEpochRecord *scm_trainer_get_epochs (const ScmTrainer *t, guint *n);
const float        *scm_trainer_get_step_losses (const ScmTrainer *t, guint *n);
gint64              scm_trainer_get_step     (const ScmTrainer *t);
int                 scm_trainer_get_epoch    (const ScmTrainer *t);   /* completed */
int                 scm_trainer_get_max_epochs (const ScmTrainer *t);
int                 scm_trainer_get_batches_per_epoch (const ScmTrainer *t);
/* Stage 1: the 1-based epoch with the lowest validation loss so far, whose
 * parameters a checkpoint holds as the model; 0 when none is kept apart
 * (stages 2, 3, no validation split, or before the first epoch ends). */
int                 scm_trainer_get_best_epoch (const ScmTrainer *t);
/* Carried tensors when built from an earlier stage; NULL-terminated lists. */
int                 scm_trainer_get_n_carried (const ScmTrainer *t);
const char *const  *scm_trainer_get_not_carried (const ScmTrainer *t);

/* ---- inference ---- */

/* An inference-only model (scm_model_new_for_eval) with the checkpoint's
 * configuration, stage and parameters. */
ScmModel *scm_model_from_checkpoint (const ScmCheckpoint *ck, int max_batch, GError **error);
/* Embedding (n_cells, dim) and, when probs != NULL, class probabilities
 * (n_cells, n_classes) of every cell of data, in batches of the model's
 * max_batch. */
gboolean  scm_train_infer (ScmModel *model, const ScmTrainData *data, float *embedding,
                           float *probs, GError **error);
/* Accuracy of argmax(probs) on cells with role == want_role (any role if
 * want_role < 0) and a label; NaN when there are none. */
double    scm_train_accuracy (const float *probs, const gint32 *labels, const guint8 *roles,
                              int want_role, gint64 n, int n_classes);
/* Adds obsm "X_scmmae" (n, dim) and, with probs, obs "scmmae_prediction"
 * (categorical over classes) and "scmmae_probability" (max probability). */
gboolean  scm_train_annotate (ScmDataset *ds, const float *embedding, int dim,
                              const float *probs, const char *const *classes, int n_classes,
                              GError **error);

/* Raises (or lowers) the epoch limit of a run, e.g. to continue a
 * finished one; clears the finished flag when epochs remain (an early
 * stop is not undone). */
void      scm_trainer_set_max_epochs (ScmTrainer *t, int max_epochs);

/* `spec` names an obs column, or a `barcode,<label>` CSV file (an existing
 * path, or any name ending in .csv) that is joined into ds by barcode.
 * Returns the obs column name to use (newly allocated).  report may be NULL. */
char     *scm_train_resolve_labels (ScmDataset *ds, const char *spec, ScmLabelsReport *report,
                                    GError **error);

/* The training matrices for `stage` from ds: genes (and proteins) aligned
 * to `from` when given, else the preset's gene count; labels from
 * label_column (stages 2, 3); for a resumed run (from->stage == stage) the
 * class list is the checkpoint's.  Reports may be NULL. */
ScmTrainData *scm_train_data_for_stage (const ScmDataset *ds, ScmStage stage,
                                        const ScmTrainPreset *preset, const ScmCheckpoint *from,
                                        const char *label_column, ScmAlignReport *gene_report,
                                        ScmAlignReport *protein_report, GError **error);

/* Embeds every cell of ds with the checkpoint's model (genes and proteins
 * aligned by name) and adds obsm X_scmmae; with predict (stage 2/3
 * checkpoints) also obs scmmae_prediction / scmmae_probability.  Batches
 * of 256 cells, n_threads model workers.  gene_report may be NULL. */
gboolean scm_train_apply_checkpoint (ScmDataset *ds, const ScmCheckpoint *ck, gboolean predict,
                                     int n_threads, ScmAlignReport *gene_report, GError **error);

/* Options to load data for a checkpoint (genes/proteins aligned to it). */
void      scm_train_data_options_for_checkpoint (const ScmCheckpoint *ck,
                                                 ScmTrainDataOptions *o);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmTrainer, scm_trainer_free)

G_END_DECLS
