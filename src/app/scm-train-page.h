/* scm-train-page.h: the Train page.
 *
 * Stage (1 pre-train on CITE-seq, 2 fine-tune on a label column, 3
 * transfer to an RNA-only file), preset and epochs; Start / Pause / Cancel
 * / Resume from a checkpoint; live loss curves (ScmLossChart) and a
 * progress bar with ETA.  When training ends the embedding replaces the
 * document's representation.
 */
#pragma once

#include <adwaita.h>

#include "scm-document.h"
#include "scm-loss-chart.h"

G_BEGIN_DECLS

#define SCM_TYPE_TRAIN_PAGE (scm_train_page_get_type ())
G_DECLARE_FINAL_TYPE (ScmTrainPage, scm_train_page, SCM, TRAIN_PAGE, AdwBin)

void          scm_train_page_set_document (ScmTrainPage *self, ScmDocument *document);
/* Cancels a running job (window closing). */
void          scm_train_page_cancel       (ScmTrainPage *self);
/* For tests: the chart's model, whether a job runs, start as the button does. */
ScmLossModel *scm_train_page_get_loss_model (ScmTrainPage *self);
gboolean      scm_train_page_is_running   (ScmTrainPage *self);
void          scm_train_page_start        (ScmTrainPage *self);
/* "desktop", "paper" or "tiny". */
void          scm_train_page_set_preset   (ScmTrainPage *self, const char *preset);
void          scm_train_page_set_epochs   (ScmTrainPage *self, int epochs);
/* 1, 2 or 3 (resets epochs to the preset's default for the stage). */
void          scm_train_page_set_stage    (ScmTrainPage *self, int stage);
/* The RNA-only file for stage 3 (what the Choose button sets). */
void          scm_train_page_set_target_path (ScmTrainPage *self, const char *path);
/* What the Pause/Resume button, the Save Checkpoint… and Resume from
 * Checkpoint… dialogs do. */
void          scm_train_page_toggle_pause (ScmTrainPage *self);
/* Writes the paused (or cancelled) run, or the last finished stage, to
 * path in a GTask; the page's buttons stay locked until it is done. */
void          scm_train_page_save_checkpoint_async  (ScmTrainPage *self, const char *path,
                                                     GCancellable *cancellable,
                                                     GAsyncReadyCallback callback, gpointer user_data);
gboolean      scm_train_page_save_checkpoint_finish (ScmTrainPage *self, GAsyncResult *result,
                                                     GError **error);
gboolean      scm_train_page_is_saving              (ScmTrainPage *self);
/* What the Save dialog does: save, then report in the status line (and a
 * toast on failure). */
void          scm_train_page_save_checkpoint        (ScmTrainPage *self, const char *path);
void          scm_train_page_resume_from_checkpoint (ScmTrainPage *self, const char *path);
/* Last state line shown (finished, failed, cancelled...). */
const char   *scm_train_page_get_status   (ScmTrainPage *self);

G_END_DECLS
