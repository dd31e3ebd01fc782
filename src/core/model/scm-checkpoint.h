/* scm-checkpoint.h: everything needed to resume or reuse an scMMAE run,
 * in one HDF5 file.
 *
 * Layout (all under /, format attribute "scmmae-checkpoint", version 2):
 *   attributes   stage, step, epoch, batch_in_epoch, seed, preset, ...
 *   /config      attributes: every ScmModelConfig and ScmTrainPreset field
 *   /params/<name>          float32, PyTorch shapes: THE MODEL, what embed,
 *                           predict and a later stage use (stage 1: the epoch
 *                           with the lowest validation loss; stages 2, 3: the
 *                           last epoch, see scm-train.h)
 *   /resume_params/<name>   the parameters of the last step, only when they
 *                           differ from /params (stage 1 after a worse epoch)
 *   /adam_m/<name>, /adam_v/<name>   AdamW moments of the last step
 *   /state       rng (uint64 x 4), order (int32, this epoch's cell order),
 *                role (uint8 per cell: split), schedule + accumulator
 *                attributes, best_epoch
 * Resuming continues from /resume_params (else /params), the moments and
 * /state, so it stays bit-exact whichever epoch /params holds.  Version 1
 * files (no /resume_params, no best_epoch: /params was the last step) are
 * still read.
 *   /genes, /proteins, /classes   variable-length UTF-8 strings
 *   /history/epochs  (n_epochs, SCM_CKPT_EPOCH_COLS) float64, /history/steps float32
 * Tensor names are the model's (PyTorch named_parameters) names, so a
 * later stage picks what it needs by name.
 *
 * The file is written to a temporary name and renamed (scm-atomic-file.h);
 * every HDF5 call happens under scm_h5_lock().  This module knows nothing
 * about ScmModel: the trainer fills and applies the struct.
 */
#pragma once

#include <glib.h>

#include "model/scm-presets.h"
#include "util/scm-rng.h"

G_BEGIN_DECLS

typedef struct {
  char   *name;
  int     ndim;
  int     shape[3];
  gsize   numel;
  float  *param;   /* (numel) the model's parameters (/params) */
  float  *resume_param; /* (numel) the last step's, when not equal to param; else NULL */
  float  *m;       /* AdamW first moment, or NULL (not stored) */
  float  *v;       /* AdamW second moment, or NULL */
} ScmCkptTensor;

/* One finished epoch.  NaN where a value does not apply to the stage. */
typedef struct {
  double epoch;        /* 1-based */
  double lr;
  double train_loss;   /* batch-size-weighted mean over the epoch */
  double train_rna;    /* stage 1 reconstruction terms */
  double train_adt;
  double train_acc;    /* stages 2/3: running accuracy over the epoch's batches */
  double val_loss;     /* stage 1: validation loss; 2/3: held-out cross-entropy */
  double heldout_acc;  /* stages 2/3 */
  double seconds;      /* wall time of the epoch (training + evaluation) */
} ScmEpochRecord;

#define SCM_CKPT_EPOCH_COLS 9

typedef struct {
  int             stage;
  ScmModelConfig  config;
  ScmTrainPreset  preset;
  guint64         seed;
  double          fraction;        /* labelled fraction (stages 2, 3) */
  int             max_epochs;
  gboolean        early_stopping;

  /* progress */
  gint64          step;            /* AdamW steps taken */
  int             epoch;           /* epochs completed */
  int             batch_in_epoch;  /* next batch of the current epoch */
  gboolean        finished;        /* max epochs reached or early-stopped */
  ScmRng          rng;             /* masks and dropout; epoch orders */
  gint64          n_cells;
  gint32         *order;           /* (n_order) this epoch's training cell order */
  gint64          n_order;
  guint8         *role;            /* (n_cells) SCM_SPLIT_* or val flag */
  /* schedule / early stopping */
  double          best_val_loss;
  int             best_epoch;      /* 1-based epoch whose parameters are in param; 0: none
                                    * kept apart (param is the last step) */
  int             bad_epochs;
  /* accumulators of the epoch in progress */
  double          acc_loss, acc_rna, acc_adt;
  gint64          acc_correct, acc_n;
  double          acc_seconds;

  char          **genes;           /* GStrv */
  char          **proteins;        /* GStrv, may be empty */
  char          **classes;         /* GStrv, may be empty */

  GPtrArray      *tensors;         /* ScmCkptTensor* */
  GArray         *epochs;          /* ScmEpochRecord */
  GArray         *step_losses;     /* float, one per step */
} ScmCheckpoint;

ScmCheckpoint *scm_checkpoint_new   (void);
void           scm_checkpoint_free  (ScmCheckpoint *ck);
/* Adds a tensor; copies name and data (m, v may be NULL). */
ScmCkptTensor *scm_checkpoint_add_tensor  (ScmCheckpoint *ck, const char *name, int ndim,
                                           const int *shape, const float *param,
                                           const float *m, const float *v);
ScmCkptTensor *scm_checkpoint_find_tensor (const ScmCheckpoint *ck, const char *name);

/* Frees the AdamW moments and resume parameters of every tensor: the file
 * then holds only the model (for embed, predict and a later stage; about a
 * third of a resumable one, e.g. ~65 instead of ~195-260 MB at the desktop
 * size, dominated by the 4000 x 4000 RNA token layer) and can no longer be
 * resumed. */
void           scm_checkpoint_drop_resume_state (ScmCheckpoint *ck);

gboolean       scm_checkpoint_save  (const ScmCheckpoint *ck, const char *path, GError **error);
/* with_optimizer = FALSE skips the AdamW moments and resume parameters
 * (inference, transfer: they need only param). */
ScmCheckpoint *scm_checkpoint_load  (const char *path, gboolean with_optimizer, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmCheckpoint, scm_checkpoint_free)

G_END_DECLS
