/* scm-train-page.c: the Train page (see scm-train-page.h).
 *
 * Three phases, each off the main thread:
 *   prepare  (GTask)  read the stage-3 file, build ScmTrainData, create the
 *                     trainer (new, from the previous stage, or resumed
 *                     from a checkpoint) and wrap it in an ScmJob;
 *   train    (ScmJob) the job's own worker; its notify callback only sets
 *                     a flag and schedules at most one idle, which pulls
 *                     the progress snapshot and the new history points;
 *   infer    (GTask)  embed every cell with the final model, keep a
 *                     checkpoint for the next stage.
 * The document's generation is remembered at start so an embedding for a
 * dataset that was replaced meanwhile is dropped.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "io/scm-io.h"
#include "model/scm-job.h"
#include "model/scm-train.h"
#include "scm-error.h"
#include "scm-page-util.h"
#include "scm-train-page.h"

typedef enum { MODE_NEW, MODE_RESUME } PrepMode;

static const char *preset_names[] = { "desktop", "paper", "tiny" };

/* Coalesces the job's per-step notifications into one pending idle. */
typedef struct {
  gatomicrefcount ref;
  GMutex          mutex;
  guint           idle_id;   /* guarded by mutex */
  GWeakRef        page;
} Pulse;

struct _ScmTrainPage
{
  AdwBin         parent_instance;

  ScmDocument   *document;
  ScmLossModel  *loss;
  ScmJob        *job;
  Pulse         *pulse;
  GCancellable  *cancellable;     /* prepare / infer tasks */
  ScmCheckpoint *last_ckpt;       /* the last finished stage, init for the next */
  struct _Save  *save;            /* the checkpoint save in flight, or NULL */
  char          *target_path;     /* stage 3 RNA-only file */
  char          *status;
  guint64        generation;      /* document generation at start */
  int            stage;           /* of the running job */
  guint          n_steps_shown;
  guint          n_epochs_shown;
  guint64        last_progress_gen;
  int            series_step, series_a, series_b, series_c;
  gboolean       preparing;
  gboolean       inferring;
  gboolean       end_seen;        /* job_update has handled the job's end */

  AdwComboRow   *stage_row;
  AdwComboRow   *preset_row;
  AdwComboRow   *label_row;
  AdwActionRow  *fraction_row;
  AdwActionRow  *target_row;
  GtkSpinButton *epochs_spin;
  GtkSpinButton *fraction_spin;
  GtkButton     *start_button;
  GtkButton     *pause_button;
  GtkButton     *cancel_button;
  GtkButton     *resume_ckpt_button;
  GtkButton     *save_ckpt_button;
  GtkLabel      *status_label;
  GtkProgressBar *progress_bar;
  ScmLossChart  *chart;
};

G_DEFINE_FINAL_TYPE (ScmTrainPage, scm_train_page, ADW_TYPE_BIN)

static void update_sensitivity (ScmTrainPage *self);

static void
set_status (ScmTrainPage *self, const char *text)
{
  g_free (self->status);
  self->status = g_strdup (text);
  gtk_label_set_text (self->status_label, text);
}

const char *
scm_train_page_get_status (ScmTrainPage *self)
{
  g_return_val_if_fail (SCM_IS_TRAIN_PAGE (self), NULL);
  return self->status;
}

ScmLossModel *
scm_train_page_get_loss_model (ScmTrainPage *self)
{
  g_return_val_if_fail (SCM_IS_TRAIN_PAGE (self), NULL);
  return self->loss;
}

gboolean
scm_train_page_is_running (ScmTrainPage *self)
{
  ScmJobProgress p;

  g_return_val_if_fail (SCM_IS_TRAIN_PAGE (self), FALSE);
  if (self->preparing || self->inferring)
    return TRUE;
  if (self->job == NULL)
    return FALSE;
  scm_job_get_progress (self->job, &p);
  /* An ended job counts as running until its end was handled (the
   * embedding step starts from there). */
  return p.state == SCM_JOB_RUNNING || p.state == SCM_JOB_PAUSED || p.state == SCM_JOB_READY ||
         !self->end_seen;
}

void
scm_train_page_set_preset (ScmTrainPage *self, const char *preset)
{
  g_return_if_fail (SCM_IS_TRAIN_PAGE (self));
  for (guint i = 0; i < G_N_ELEMENTS (preset_names); i++)
    if (g_strcmp0 (preset, preset_names[i]) == 0)
      adw_combo_row_set_selected (self->preset_row, i);
}

void
scm_train_page_set_epochs (ScmTrainPage *self, int epochs)
{
  g_return_if_fail (SCM_IS_TRAIN_PAGE (self));
  gtk_spin_button_set_value (self->epochs_spin, epochs);
}

void
scm_train_page_set_stage (ScmTrainPage *self, int stage)
{
  g_return_if_fail (SCM_IS_TRAIN_PAGE (self));
  g_return_if_fail (stage >= 1 && stage <= 3);
  adw_combo_row_set_selected (self->stage_row, (guint) stage - 1);
}

void
scm_train_page_set_target_path (ScmTrainPage *self, const char *path)
{
  g_return_if_fail (SCM_IS_TRAIN_PAGE (self));
  g_free (self->target_path);
  self->target_path = g_strdup (path);
  adw_action_row_set_subtitle (self->target_row, path ? path : _("None chosen"));
}

static int
selected_stage (ScmTrainPage *self)
{
  return (int) adw_combo_row_get_selected (self->stage_row) + 1;
}

static const char *
selected_preset (ScmTrainPage *self)
{
  guint i = adw_combo_row_get_selected (self->preset_row);
  return preset_names[MIN (i, G_N_ELEMENTS (preset_names) - 1)];
}

static char *
selected_label (ScmTrainPage *self)
{
  GObject *item = adw_combo_row_get_selected_item (self->label_row);
  if (item == NULL || !GTK_IS_STRING_OBJECT (item))
    return NULL;
  return g_strdup (gtk_string_object_get_string (GTK_STRING_OBJECT (item)));
}

/* ---- progress from the job ---- */

static void
pulse_unref (Pulse *pulse)
{
  if (!g_atomic_ref_count_dec (&pulse->ref))
    return;
  g_mutex_clear (&pulse->mutex);
  g_weak_ref_clear (&pulse->page);
  g_free (pulse);
}

static Pulse *
pulse_ref (Pulse *pulse)
{
  g_atomic_ref_count_inc (&pulse->ref);
  return pulse;
}

static void job_update (ScmTrainPage *self);

static gboolean
pulse_idle (gpointer data)
{
  Pulse *pulse = data;
  g_autoptr(ScmTrainPage) self = NULL;

  g_mutex_lock (&pulse->mutex);
  pulse->idle_id = 0;
  g_mutex_unlock (&pulse->mutex);

  self = g_weak_ref_get (&pulse->page);
  if (self != NULL && self->pulse == pulse)
    job_update (self);
  return G_SOURCE_REMOVE;
}

/* Worker thread: called after every step. */
static void
pulse_notify (ScmJob *job, gpointer user_data)
{
  Pulse *pulse = user_data;

  g_mutex_lock (&pulse->mutex);
  if (pulse->idle_id == 0)
    pulse->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, pulse_idle, pulse_ref (pulse),
                                      (GDestroyNotify) pulse_unref);
  g_mutex_unlock (&pulse->mutex);
}

static char *
format_duration (double s)
{
  if (!isfinite (s))
    return g_strdup (_("estimating time left"));
  if (s < 60)
    return g_strdup_printf (_("about %.0f s left"), MAX (s, 1));
  if (s < 3600)
    return g_strdup_printf (_("about %.0f min left"), ceil (s / 60));
  return g_strdup_printf (_("about %.1f h left"), s / 3600);
}

static void
setup_series (ScmTrainPage *self, int stage, int max_epochs)
{
  scm_loss_model_reset (self->loss, max_epochs);
  self->n_steps_shown = 0;
  self->n_epochs_shown = 0;
  self->last_progress_gen = 0;
  self->series_step = scm_loss_model_add_series (self->loss, _("Total loss (per batch)"),
                                                 SCM_LOSS_AXIS_LEFT);
  if (stage == SCM_STAGE_PRETRAIN)
    {
      self->series_a = scm_loss_model_add_series (self->loss, _("RNA reconstruction"), SCM_LOSS_AXIS_LEFT);
      self->series_b = scm_loss_model_add_series (self->loss, _("Protein reconstruction"), SCM_LOSS_AXIS_LEFT);
      self->series_c = scm_loss_model_add_series (self->loss, _("Validation loss"), SCM_LOSS_AXIS_LEFT);
    }
  else
    {
      self->series_a = scm_loss_model_add_series (self->loss, _("Held-out loss"), SCM_LOSS_AXIS_LEFT);
      self->series_b = scm_loss_model_add_series (self->loss, _("Held-out accuracy"), SCM_LOSS_AXIS_RIGHT);
      self->series_c = -1;
    }
}

static void
append_history (ScmTrainPage *self, const ScmJobProgress *p)
{
  g_autoptr(GArray) epochs = NULL;
  g_autoptr(GArray) steps = NULL;
  double per_epoch = MAX (p->n_batches, 1);

  scm_job_copy_history (self->job, &epochs, &steps);
  for (guint k = self->n_steps_shown; steps != NULL && k < steps->len; k++)
    scm_loss_model_append (self->loss, self->series_step, (k + 1) / per_epoch,
                           g_array_index (steps, float, k));
  self->n_steps_shown = steps ? steps->len : 0;

  for (guint k = self->n_epochs_shown; epochs != NULL && k < epochs->len; k++)
    {
      const ScmEpochRecord *r = &g_array_index (epochs, ScmEpochRecord, k);
      if (self->stage == SCM_STAGE_PRETRAIN)
        {
          scm_loss_model_append (self->loss, self->series_a, r->epoch, r->train_rna);
          scm_loss_model_append (self->loss, self->series_b, r->epoch, r->train_adt);
          if (self->series_c >= 0)
            scm_loss_model_append (self->loss, self->series_c, r->epoch, r->val_loss);
        }
      else
        {
          scm_loss_model_append (self->loss, self->series_a, r->epoch, r->val_loss);
          scm_loss_model_append (self->loss, self->series_b, r->epoch, r->heldout_acc);
        }
    }
  self->n_epochs_shown = epochs ? epochs->len : 0;
}

static void start_inference (ScmTrainPage *self);

static void
job_update (ScmTrainPage *self)
{
  ScmJobProgress p;
  g_autofree char *text = NULL, *eta = NULL;
  double done;

  if (self->job == NULL)
    return;
  scm_job_get_progress (self->job, &p);
  if (p.generation == self->last_progress_gen)
    return;
  self->last_progress_gen = p.generation;

  append_history (self, &p);

  done = p.max_epochs > 0 && p.n_batches > 0
         ? ((double) p.epochs_done * p.n_batches + (p.state == SCM_JOB_RUNNING || p.state == SCM_JOB_PAUSED ? p.batch : 0)) /
           ((double) p.max_epochs * p.n_batches)
         : 0.0;
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (done, 0.0, 1.0));

  switch (p.state)
    {
    case SCM_JOB_READY:
    case SCM_JOB_RUNNING:
      eta = format_duration (p.eta_s);
      text = g_strdup_printf (_("Stage %d · epoch %d of %d · batch %d of %d · loss %.4g"),
                              p.stage, p.epoch, p.max_epochs, p.batch, p.n_batches, p.last_loss);
      gtk_progress_bar_set_text (self->progress_bar, eta);
      set_status (self, text);
      break;
    case SCM_JOB_PAUSED:
      text = g_strdup_printf (_("Paused at epoch %d of %d. Resume, or save a checkpoint to continue later."),
                              p.epoch, p.max_epochs);
      gtk_progress_bar_set_text (self->progress_bar, _("Paused"));
      set_status (self, text);
      break;
    case SCM_JOB_FINISHED:
      self->end_seen = TRUE;
      gtk_progress_bar_set_text (self->progress_bar, _("Computing the embedding…"));
      set_status (self, _("Training finished. Embedding all cells…"));
      start_inference (self);
      break;
    case SCM_JOB_CANCELLED:
      self->end_seen = TRUE;
      text = g_strdup_printf (_("Cancelled after %d of %d epochs."), p.epochs_done, p.max_epochs);
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelled"));
      set_status (self, text);
      scm_job_wait (self->job, NULL);
      break;
    case SCM_JOB_FAILED:
    default:
      {
        g_autoptr(GError) error = NULL;
        self->end_seen = TRUE;
        scm_job_wait (self->job, &error);
        text = g_strdup_printf (_("Training failed: %s"), error ? error->message : _("unknown error"));
        gtk_progress_bar_set_text (self->progress_bar, _("Failed"));
        set_status (self, text);
      }
      break;
    }
  update_sensitivity (self);
}

/* ---- prepare ---- */

typedef struct {
  PrepMode       mode;
  int            stage;
  char          *preset;
  int            epochs;
  char          *label;
  double         fraction;
  ScmDataset    *dataset;      /* the document's (stages 1, 2, resume) */
  char          *target_path;  /* stage 3 */
  char          *ckpt_path;    /* resume */
  ScmCheckpoint *init;         /* previous stage (owned; handed back) */
  /* results */
  ScmJob        *job;
  ScmDataset    *target;       /* stage 3 dataset */
  char          *report;
  int            max_epochs;
} Prep;

static void
prep_free (Prep *p)
{
  g_free (p->preset);
  g_free (p->label);
  g_clear_pointer (&p->dataset, scm_dataset_unref);
  g_free (p->target_path);
  g_free (p->ckpt_path);
  g_clear_pointer (&p->init, scm_checkpoint_free);
  g_clear_pointer (&p->job, scm_job_free);
  g_clear_pointer (&p->target, scm_dataset_unref);
  g_free (p->report);
  g_free (p);
}

static void
prepare_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Prep *p = task_data;
  GError *error = NULL;
  ScmTrainPreset preset;
  ScmTrainOptions opts;
  ScmTrainDataOptions dopts;
  ScmAlignReport genes = { 0 }, proteins = { 0 };
  ScmTrainData *data = NULL;
  ScmTrainer *trainer = NULL;
  const ScmDataset *ds = p->dataset;
  g_autoptr(ScmCheckpoint) resume = NULL;

  if (p->mode == MODE_RESUME)
    {
      resume = scm_checkpoint_load (p->ckpt_path, TRUE, &error);
      if (resume == NULL)
        goto fail;
      p->stage = resume->stage;
      scm_train_data_options_for_checkpoint (resume, &dopts);
      dopts.n_genes = resume->genes ? g_strv_length (resume->genes) : 0;
      dopts.label_column = resume->stage >= SCM_STAGE_FINETUNE ? p->label : NULL;
      if (resume->classes != NULL && resume->classes[0] != NULL)
        dopts.classes = (const char *const *) resume->classes;
      if (resume->stage >= SCM_STAGE_FINETUNE && p->label == NULL)
        {
          g_set_error (&error, SCM_ERROR, SCM_ERROR_INVALID,
                       _("%s is a stage %d checkpoint: choose the label column it was trained on"),
                       p->ckpt_path, resume->stage);
          goto fail;
        }
      data = scm_train_data_from_dataset (ds, &dopts, &genes, &proteins, &error);
      if (data == NULL)
        goto fail;
      trainer = scm_trainer_resume (resume, data, 1, &error);
      if (trainer == NULL)
        goto fail;
    }
  else
    {
      if (!scm_preset_lookup (p->preset, &preset, &error))
        goto fail;
      if (p->stage == SCM_STAGE_TRANSFER)
        {
          p->target = scm_dataset_read (p->target_path, NULL, &error);
          if (p->target == NULL)
            goto fail;
          ds = p->target;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        goto fail;

      scm_train_options_init (&opts, p->stage, &preset);
      opts.max_epochs = p->epochs;
      opts.fraction = p->fraction;
      opts.n_threads = 1;

      if (p->init != NULL)
        {
          scm_train_data_options_for_checkpoint (p->init, &dopts);
          dopts.n_genes = p->init->genes ? g_strv_length (p->init->genes) : 0;
          if (p->stage == SCM_STAGE_TRANSFER)
            {
              dopts.need_adt = FALSE;
              dopts.proteins = NULL;
            }
          if (p->init->classes != NULL && p->init->classes[0] != NULL)
            dopts.classes = (const char *const *) p->init->classes;
        }
      else
        {
          memset (&dopts, 0, sizeof dopts);
          dopts.need_rna = TRUE;
          dopts.need_adt = p->stage != SCM_STAGE_TRANSFER;
          dopts.n_genes = preset.n_genes;
          dopts.tok_dim = preset.model.rna_tok_dim;
        }
      dopts.label_column = p->stage >= SCM_STAGE_FINETUNE ? p->label : NULL;

      data = scm_train_data_from_dataset (ds, &dopts, &genes, &proteins, &error);
      if (data == NULL)
        goto fail;
      trainer = scm_trainer_new (&opts, data, p->init, &error);
      if (trainer == NULL)
        goto fail;
    }

  {
    g_autofree char *g = scm_align_report_describe (&genes, _("genes"));
    g_autofree char *a = proteins.n_wanted > 0 ? scm_align_report_describe (&proteins, _("proteins")) : NULL;
    p->report = a ? g_strdup_printf ("%s; %s", g, a) : g_strdup (g);
  }
  p->max_epochs = scm_trainer_get_max_epochs (trainer);
  p->job = scm_job_new (trainer);
  scm_align_report_clear (&genes);
  scm_align_report_clear (&proteins);
  g_task_return_boolean (task, TRUE);
  return;

fail:
  scm_align_report_clear (&genes);
  scm_align_report_clear (&proteins);
  g_task_return_error (task, error);
}

static void
prepare_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ScmTrainPage) self = user_data;
  Prep *p = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  self->preparing = FALSE;
  /* Hand the init checkpoint back for another attempt. */
  if (self->last_ckpt == NULL)
    self->last_ckpt = g_steal_pointer (&p->init);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *msg = g_strdup_printf (_("Could not start training: %s"), error->message);
      set_status (self, msg);
      gtk_progress_bar_set_text (self->progress_bar, "");
      update_sensitivity (self);
      return;
    }

  g_clear_pointer (&self->job, scm_job_free);
  self->job = g_steal_pointer (&p->job);
  self->end_seen = FALSE;
  self->stage = p->stage;
  if (p->target != NULL)
    g_object_set_data_full (G_OBJECT (self), "target-dataset", scm_dataset_ref (p->target),
                            (GDestroyNotify) scm_dataset_unref);
  else
    g_object_set_data (G_OBJECT (self), "target-dataset", NULL);

  setup_series (self, self->stage, p->max_epochs);
  if (self->pulse != NULL)
    {
      g_weak_ref_set (&self->pulse->page, NULL);
      pulse_unref (self->pulse);
    }
  self->pulse = g_new0 (Pulse, 1);
  g_atomic_ref_count_init (&self->pulse->ref);
  g_mutex_init (&self->pulse->mutex);
  g_weak_ref_init (&self->pulse->page, self);
  /* The job holds one ref through its notify data until the page frees it. */
  scm_job_set_notify (self->job, pulse_notify, self->pulse);

  {
    g_autofree char *msg = g_strdup_printf (_("Starting stage %d: %s"), self->stage, p->report);
    set_status (self, msg);
  }
  if (!scm_job_start (self->job, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("Could not start training: %s"), error->message);
      set_status (self, msg);
    }
  update_sensitivity (self);
}

static void
start_prepare (ScmTrainPage *self, PrepMode mode, const char *ckpt_path)
{
  g_autoptr(GTask) task = NULL;
  ScmDataset *ds;
  Prep *p;

  if (self->document == NULL || (ds = scm_document_get_dataset (self->document)) == NULL)
    {
      set_status (self, _("Open a dataset first."));
      return;
    }
  if (scm_train_page_is_running (self))
    return;

  p = g_new0 (Prep, 1);
  p->mode = mode;
  p->stage = selected_stage (self);
  p->preset = g_strdup (selected_preset (self));
  p->epochs = gtk_spin_button_get_value_as_int (self->epochs_spin);
  p->label = selected_label (self);
  p->fraction = gtk_spin_button_get_value (self->fraction_spin);
  p->dataset = scm_dataset_ref (ds);
  p->ckpt_path = g_strdup (ckpt_path);

  if (mode == MODE_NEW)
    {
      if (p->stage == SCM_STAGE_PRETRAIN && (ds->rna == NULL || ds->adt == NULL))
        {
          set_status (self, _("Stage 1 needs RNA and protein counts (CITE-seq). This dataset "
                              "has only one modality: fine-tune (stage 2) or transfer (stage 3) instead."));
          prep_free (p);
          return;
        }
      if (p->stage >= SCM_STAGE_FINETUNE && p->label == NULL)
        {
          set_status (self, _("Choose a label column to fine-tune on."));
          prep_free (p);
          return;
        }
      if (p->stage == SCM_STAGE_TRANSFER)
        {
          if (self->target_path == NULL)
            {
              set_status (self, _("Choose the RNA-only dataset to transfer to."));
              prep_free (p);
              return;
            }
          p->target_path = g_strdup (self->target_path);
        }
      /* A later stage starts from the last finished one when there is one. */
      if (p->stage >= SCM_STAGE_FINETUNE && self->last_ckpt != NULL &&
          self->last_ckpt->stage <= p->stage)
        p->init = g_steal_pointer (&self->last_ckpt);
    }

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation = scm_document_get_generation (self->document);
  self->preparing = TRUE;
  set_status (self, _("Preparing the training data…"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Preparing…"));
  update_sensitivity (self);

  task = g_task_new (NULL, self->cancellable, prepare_done, g_object_ref (self));
  g_task_set_source_tag (task, start_prepare);
  g_task_set_name (task, "[scm] prepare training");
  g_task_set_task_data (task, p, (GDestroyNotify) prep_free);
  g_task_run_in_thread (task, prepare_thread);
}

void
scm_train_page_start (ScmTrainPage *self)
{
  g_return_if_fail (SCM_IS_TRAIN_PAGE (self));
  start_prepare (self, MODE_NEW, NULL);
}

/* ---- inference after training ---- */

typedef struct {
  ScmTrainer    *trainer;
  int            stage;
  /* results */
  ScmCheckpoint *ckpt;
  float         *embedding;   /* (n, dim) */
  float         *probs;       /* (n, n_classes) or NULL */
  gint64         n;
  int            dim;
  int            n_classes;
  char         **classes;
  double         heldout_acc;
} Infer;

static void
infer_free (Infer *in)
{
  g_clear_pointer (&in->trainer, scm_trainer_free);
  g_clear_pointer (&in->ckpt, scm_checkpoint_free);
  g_free (in->embedding);
  g_free (in->probs);
  g_strfreev (in->classes);
  g_free (in);
}

static void
infer_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Infer *in = task_data;
  GError *error = NULL;
  const ScmTrainData *data = scm_trainer_get_data (in->trainer);

  in->ckpt = scm_trainer_to_checkpoint (in->trainer);
  in->n = data->n_cells;
  in->dim = in->ckpt->config.dim;
  in->embedding = g_try_new (float, (gsize) in->n * in->dim);
  if (in->embedding == NULL)
    {
      g_task_return_new_error (task, SCM_ERROR, SCM_ERROR_NO_MEMORY,
                               _("Not enough memory for the embedding of %lld cells"), (long long) in->n);
      return;
    }
  if (in->stage >= SCM_STAGE_FINETUNE && data->n_classes > 0)
    {
      in->n_classes = data->n_classes;
      in->probs = g_try_new (float, (gsize) in->n * in->n_classes);
      in->classes = g_strdupv (data->classes);
    }
  /* Embed with the checkpoint's model, not the trainer's live one: in
   * stage 1 that is the epoch with the lowest validation loss, the model
   * that is saved and that `scmmae embed` would use. */
  ScmModel *model = scm_model_from_checkpoint (in->ckpt, 256, &error);
  if (model == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  scm_model_set_threads (model, scm_trainer_get_options (in->trainer)->n_threads);
  gboolean ok = scm_train_infer (model, data, in->embedding, in->probs, &error);
  scm_model_free (model);
  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  if (in->probs != NULL)
    in->heldout_acc = scm_train_accuracy (in->probs, data->labels, scm_trainer_get_roles (in->trainer),
                                          SCM_SPLIT_HELDOUT, in->n, in->n_classes);
  g_task_return_boolean (task, TRUE);
}

static ScmColumn *
prediction_column (const Infer *in)
{
  gint32 *codes = g_new (gint32, MAX (in->n, 1));
  for (gint64 i = 0; i < in->n; i++)
    {
      const float *row = in->probs + i * in->n_classes;
      int best = 0;
      for (int c = 1; c < in->n_classes; c++)
        if (row[c] > row[best])
          best = c;
      codes[i] = best;
    }
  return scm_column_new_categorical ("scmmae_prediction", in->n, codes, g_strdupv (in->classes));
}

static void
infer_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ScmTrainPage) self = user_data;
  Infer *in = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(ScmMatrix) m = NULL;
  ScmDataset *target = g_object_get_data (G_OBJECT (self), "target-dataset");
  g_autofree char *msg = NULL;

  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  self->inferring = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      msg = g_strdup_printf (_("Could not compute the embedding: %s"), error->message);
      set_status (self, msg);
      update_sensitivity (self);
      return;
    }

  g_clear_pointer (&self->last_ckpt, scm_checkpoint_free);
  self->last_ckpt = g_steal_pointer (&in->ckpt);

  m = scm_matrix_new ("X_scmmae", in->n, in->dim, NULL);
  if (m != NULL)
    memcpy (m->data, in->embedding, sizeof (float) * in->n * in->dim);

  if (target != NULL)
    {
      /* Stage 3: the RNA-only dataset becomes the document's. */
      scm_train_annotate (target, in->embedding, in->dim, in->probs,
                          (const char *const *) in->classes, in->n_classes, NULL);
      scm_document_set_dataset (self->document, target);
      self->generation = scm_document_get_generation (self->document);
      g_object_set_data (G_OBJECT (self), "target-dataset", NULL);
    }

  if (m != NULL && scm_document_set_representation (self->document, self->generation,
                                                    g_steal_pointer (&m)))
    {
      if (in->probs != NULL && target == NULL)
        scm_document_set_label_column (self->document, prediction_column (in));
      if (in->probs != NULL && isfinite (in->heldout_acc))
        msg = g_strdup_printf (_("Finished. The scMMAE embedding (%d dimensions) replaces the PCA "
                                 "baseline; predictions are in “scmmae_prediction” "
                                 "(%.1f %% correct on held-out labelled cells)."),
                               in->dim, 100 * in->heldout_acc);
      else
        msg = g_strdup_printf (_("Finished. The scMMAE embedding (%d dimensions) replaces the PCA "
                                 "baseline; the Explore page updates shortly."), in->dim);
      gtk_widget_activate_action (GTK_WIDGET (self), "win.reanalyse", NULL);
    }
  else
    msg = g_strdup (_("Finished, but the dataset changed during training: the embedding was discarded."));

  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Done"));
  set_status (self, msg);
  update_sensitivity (self);
}

static void
start_inference (ScmTrainPage *self)
{
  g_autoptr(GTask) task = NULL;
  Infer *in;
  ScmTrainer *trainer;

  if (self->inferring)
    return;
  scm_job_wait (self->job, NULL);
  trainer = scm_job_steal_trainer (self->job);
  if (trainer == NULL)
    return;

  in = g_new0 (Infer, 1);
  in->trainer = trainer;
  in->stage = self->stage;
  self->inferring = TRUE;

  task = g_task_new (NULL, self->cancellable, infer_done, g_object_ref (self));
  g_task_set_source_tag (task, start_inference);
  g_task_set_name (task, "[scm] embed cells");
  g_task_set_task_data (task, in, (GDestroyNotify) infer_free);
  g_task_run_in_thread (task, infer_thread);
}

/* ---- buttons ---- */

static void
update_sensitivity (ScmTrainPage *self)
{
  gboolean has_data = self->document != NULL && scm_document_has_dataset (self->document);
  ScmJobProgress p = { .state = SCM_JOB_FINISHED };
  gboolean active, paused, saving;
  int stage = selected_stage (self);

  if (self->job != NULL)
    scm_job_get_progress (self->job, &p);
  active = self->job != NULL && (p.state == SCM_JOB_RUNNING || p.state == SCM_JOB_PAUSED ||
                                 p.state == SCM_JOB_READY);
  paused = active && p.state == SCM_JOB_PAUSED;
  active = active || self->preparing || self->inferring;
  saving = self->save != NULL;

  /* While a save writes the job or the last stage, nothing may replace,
   * resume or free them (see Save). */
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), has_data && !active && !saving);
  gtk_widget_set_sensitive (GTK_WIDGET (self->resume_ckpt_button), has_data && !active && !saving);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pause_button),
                            self->job != NULL && active && !self->inferring && !saving);
  gtk_button_set_label (self->pause_button, paused ? _("_Resume") : _("_Pause"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), active && !self->inferring && !saving);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_ckpt_button),
                            !saving && (paused || (!active && (self->last_ckpt != NULL ||
                                                   (self->job != NULL && p.state == SCM_JOB_CANCELLED)))));
  gtk_widget_set_sensitive (GTK_WIDGET (self->stage_row), !active);
  gtk_widget_set_sensitive (GTK_WIDGET (self->preset_row), !active);
  gtk_widget_set_sensitive (GTK_WIDGET (self->epochs_spin), !active);
  gtk_widget_set_visible (GTK_WIDGET (self->label_row), stage >= SCM_STAGE_FINETUNE);
  gtk_widget_set_visible (GTK_WIDGET (self->fraction_row), stage >= SCM_STAGE_FINETUNE);
  gtk_widget_set_visible (GTK_WIDGET (self->target_row), stage == SCM_STAGE_TRANSFER);
}

static void
start_clicked (ScmTrainPage *self)
{
  scm_train_page_start (self);
}

static void
pause_clicked (ScmTrainPage *self)
{
  scm_train_page_toggle_pause (self);
}

void
scm_train_page_toggle_pause (ScmTrainPage *self)
{
  ScmJobProgress p;

  g_return_if_fail (SCM_IS_TRAIN_PAGE (self));
  if (self->job == NULL)
    return;
  scm_job_get_progress (self->job, &p);
  if (p.state == SCM_JOB_PAUSED)
    scm_job_resume (self->job);
  else
    scm_job_pause (self->job);
}

static void
cancel_clicked (ScmTrainPage *self)
{
  scm_train_page_cancel (self);
}

void
scm_train_page_cancel (ScmTrainPage *self)
{
  g_return_if_fail (SCM_IS_TRAIN_PAGE (self));

  if (self->cancellable != NULL && (self->preparing || self->inferring))
    {
      g_cancellable_cancel (self->cancellable);
      self->preparing = self->inferring = FALSE;
      set_status (self, _("Cancelled."));
    }
  if (self->job != NULL)
    scm_job_cancel (self->job);
  update_sensitivity (self);
}

static void
chooser_filters (GtkFileChooser *chooser, const char *name, const char *const *patterns)
{
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
  g_object_unref (filter);
}

static GtkFileChooserNative *
make_chooser (ScmTrainPage *self, const char *title, GtkFileChooserAction action, const char *accept)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, action,
                                 accept, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  return chooser;
}

static void
target_response (GtkNativeDialog *dialog, int response, ScmTrainPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      scm_train_page_set_target_path (self, path);
    }
  g_object_unref (dialog);
}

static void
choose_target_clicked (ScmTrainPage *self)
{
  static const char *const pats[] = { "*.h5ad", "*.h5mu", "*.h5", NULL };
  GtkFileChooserNative *chooser = make_chooser (self, _("Choose an RNA-only Dataset"),
                                                GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"));
  chooser_filters (GTK_FILE_CHOOSER (chooser), _("Single-cell datasets"), pats);
  g_signal_connect (chooser, "response", G_CALLBACK (target_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
resume_response (GtkNativeDialog *dialog, int response, ScmTrainPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        scm_train_page_resume_from_checkpoint (self, path);
    }
  g_object_unref (dialog);
}

static void
resume_ckpt_clicked (ScmTrainPage *self)
{
  static const char *const pats[] = { "*.scmckpt", "*.ckpt", "*.h5", NULL };
  GtkFileChooserNative *chooser = make_chooser (self, _("Resume from Checkpoint"),
                                                GTK_FILE_CHOOSER_ACTION_OPEN, _("_Resume"));
  chooser_filters (GTK_FILE_CHOOSER (chooser), _("scMMAE checkpoints"), pats);
  g_signal_connect (chooser, "response", G_CALLBACK (resume_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Saving a checkpoint writes tens of megabytes of HDF5: done in a GTask.
 * scm_job_save_checkpoint and scm_checkpoint_save take scm_h5_lock()
 * themselves, so the write is serialised with every other HDF5 access in
 * the process (loader, exports, the prepare step).
 *
 * The worker writes what the page owns (the paused job, or the last
 * finished stage) in place rather than a copy: ScmJob cannot hand out a
 * snapshot while paused.  While the save runs the page keeps both alive
 * and unchanged: Start, Resume, Pause, Cancel and Save are insensitive.
 * If the page is disposed meanwhile it hands them to the task instead of
 * freeing them (orphan_*), and the task frees them after the worker. */
typedef struct _Save {
  ScmJob        *job;          /* lent: the paused/cancelled job to write, or NULL */
  const ScmCheckpoint *ckpt;   /* lent: the finished stage to write, or NULL */
  char          *path;
  ScmJob        *orphan_job;   /* owned after dispose */
  Pulse         *orphan_pulse; /* the orphan job's notify data, freed after it */
  ScmCheckpoint *orphan_ckpt;  /* owned after dispose */
} Save;

static void
save_free (Save *s)
{
  g_clear_pointer (&s->orphan_job, scm_job_free);
  g_clear_pointer (&s->orphan_pulse, pulse_unref);
  g_clear_pointer (&s->orphan_ckpt, scm_checkpoint_free);
  g_free (s->path);
  g_free (s);
}

static void
save_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Save *s = task_data;
  GError *error = NULL;
  gboolean ok = s->job != NULL ? scm_job_save_checkpoint (s->job, s->path, &error)
                               : scm_checkpoint_save (s->ckpt, s->path, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Back on the main thread: unlock the buttons, then complete the caller's task. */
static void
save_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) outer = user_data;
  ScmTrainPage *self = g_task_get_source_object (outer);
  Save *s = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* Only the current save owns the page's state (dispose clears it). */
  if (self->save == s)
    {
      self->save = NULL;
      update_sensitivity (self);
    }
  if (ok)
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
}

void
scm_train_page_save_checkpoint_async (ScmTrainPage *self, const char *path, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  ScmJobProgress p = { 0 };
  Save *s;

  g_return_if_fail (SCM_IS_TRAIN_PAGE (self));
  g_return_if_fail (path != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, scm_train_page_save_checkpoint_async);
  if (self->save != NULL)
    {
      g_task_return_new_error (outer, SCM_ERROR, SCM_ERROR_INVALID,
                               _("A checkpoint is being saved already"));
      return;
    }
  s = g_new0 (Save, 1);
  s->path = g_strdup (path);
  if (self->job != NULL)
    scm_job_get_progress (self->job, &p);
  if (self->job != NULL && (p.state == SCM_JOB_PAUSED || p.state == SCM_JOB_CANCELLED))
    s->job = self->job;
  else if (self->last_ckpt != NULL && !scm_train_page_is_running (self))
    s->ckpt = self->last_ckpt;
  else
    {
      save_free (s);
      g_task_return_new_error (outer, SCM_ERROR, SCM_ERROR_INVALID,
                               _("Nothing to save: pause the training, or let it finish, first"));
      return;
    }
  self->save = s;
  update_sensitivity (self);

  task = g_task_new (NULL, cancellable, save_done, g_steal_pointer (&outer));
  g_task_set_source_tag (task, save_thread);
  g_task_set_name (task, "[scm] save checkpoint");
  g_task_set_task_data (task, s, (GDestroyNotify) save_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
scm_train_page_save_checkpoint_finish (ScmTrainPage *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == scm_train_page_save_checkpoint_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
scm_train_page_is_saving (ScmTrainPage *self)
{
  g_return_val_if_fail (SCM_IS_TRAIN_PAGE (self), FALSE);
  return self->save != NULL;
}

void
scm_train_page_resume_from_checkpoint (ScmTrainPage *self, const char *path)
{
  g_return_if_fail (SCM_IS_TRAIN_PAGE (self));
  g_return_if_fail (path != NULL);
  start_prepare (self, MODE_RESUME, path);
}

static void
checkpoint_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ScmTrainPage *self = SCM_TRAIN_PAGE (source);
  g_autofree char *path = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;

  if (scm_train_page_save_checkpoint_finish (self, result, &error))
    msg = g_strdup_printf (_("Checkpoint saved to %s"), path);
  else
    msg = g_strdup_printf (_("Could not save the checkpoint: %s"), error->message);
  /* Disposed meanwhile (window closed): nobody to tell. */
  if (self->document == NULL)
    return;
  set_status (self, msg);
  if (error != NULL)
    scm_page_add_toast (GTK_WIDGET (self), msg);
}

void
scm_train_page_save_checkpoint (ScmTrainPage *self, const char *path)
{
  g_return_if_fail (SCM_IS_TRAIN_PAGE (self));
  g_return_if_fail (path != NULL);
  set_status (self, _("Saving the checkpoint…"));
  scm_train_page_save_checkpoint_async (self, path, NULL, checkpoint_saved, g_strdup (path));
}

static void
save_response (GtkNativeDialog *dialog, int response, ScmTrainPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        scm_train_page_save_checkpoint (self, path);
    }
  g_object_unref (dialog);
}

static void
save_ckpt_clicked (ScmTrainPage *self)
{
  GtkFileChooserNative *chooser = make_chooser (self, _("Save Checkpoint"),
                                                GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "scmmae.scmckpt");
  g_signal_connect (chooser, "response", G_CALLBACK (save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- document ---- */

static void
reload_labels (ScmTrainPage *self)
{
  g_auto(GStrv) names = self->document ? scm_document_list_label_columns (self->document) : NULL;
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autofree char *previous = selected_label (self);
  guint select = 0, n = 0;
  gboolean kept = FALSE;

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      /* Our own output and unsupervised clusters make poor training labels. */
      if (g_str_equal (names[i], "leiden") || g_str_equal (names[i], "scmmae_prediction"))
        continue;
      /* Keep the user's choice across label changes (new annotations);
       * otherwise prefer a column named cell_type. */
      if (previous != NULL && g_str_equal (names[i], previous))
        {
          select = n;
          kept = TRUE;
        }
      else if (!kept && g_str_equal (names[i], "cell_type"))
        select = n;
      gtk_string_list_append (list, names[i]);
      n++;
    }
  adw_combo_row_set_model (self->label_row, G_LIST_MODEL (list));
  if (n > 0)
    adw_combo_row_set_selected (self->label_row, select);
}

static void
document_changed (ScmTrainPage *self, guint what)
{
  if (what & (SCM_DOCUMENT_CHANGE_DATASET | SCM_DOCUMENT_CHANGE_LABELS))
    reload_labels (self);
  if (what & SCM_DOCUMENT_CHANGE_DATASET)
    {
      if (!scm_train_page_is_running (self) && self->document &&
          scm_document_has_dataset (self->document))
        {
          ScmDataset *ds = scm_document_get_dataset (self->document);
          set_status (self, ds->adt != NULL
                      ? _("Ready. Start with stage 1 to learn a joint RNA + protein embedding.")
                      : _("Ready. This dataset has RNA only: use stage 2 or 3."));
          if (ds->adt == NULL && selected_stage (self) == SCM_STAGE_PRETRAIN)
            adw_combo_row_set_selected (self->stage_row, 1);
        }
    }
  update_sensitivity (self);
}

void
scm_train_page_set_document (ScmTrainPage *self, ScmDocument *document)
{
  g_return_if_fail (SCM_IS_TRAIN_PAGE (self));

  if (self->document != NULL)
    g_signal_handlers_disconnect_by_func (self->document, document_changed, self);
  g_set_object (&self->document, document);
  if (document != NULL)
    g_signal_connect_swapped (document, "changed", G_CALLBACK (document_changed), self);
  document_changed (self, SCM_DOCUMENT_CHANGE_DATASET);
}

static void
stage_changed (ScmTrainPage *self)
{
  ScmTrainPreset preset;
  int stage = selected_stage (self);

  if (scm_preset_lookup (selected_preset (self), &preset, NULL) && stage >= 1 && stage <= 3)
    gtk_spin_button_set_value (self->epochs_spin, preset.epochs[stage]);
  update_sensitivity (self);
}

static void
scm_train_page_dispose (GObject *object)
{
  ScmTrainPage *self = SCM_TRAIN_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  /* A save still writing the job or the last stage frees them when done. */
  if (self->save != NULL)
    {
      if (self->save->job != NULL)
        {
          self->save->orphan_job = g_steal_pointer (&self->job);
          /* The job may still notify while it is cancelled at the end. */
          if (self->pulse != NULL)
            self->save->orphan_pulse = pulse_ref (self->pulse);
        }
      if (self->save->ckpt != NULL)
        self->save->orphan_ckpt = g_steal_pointer (&self->last_ckpt);
      self->save = NULL;
    }
  /* Joins the worker; after this no notify can run. */
  g_clear_pointer (&self->job, scm_job_free);
  if (self->pulse != NULL)
    {
      g_weak_ref_set (&self->pulse->page, NULL);
      g_clear_pointer (&self->pulse, pulse_unref);
    }
  g_clear_object (&self->cancellable);
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_func (self->document, document_changed, self);
  g_clear_object (&self->document);
  g_clear_pointer (&self->last_ckpt, scm_checkpoint_free);
  /* AdwBin still points at the template's root child: drop it first so
   * dispose_template does not unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCM_TYPE_TRAIN_PAGE);
  G_OBJECT_CLASS (scm_train_page_parent_class)->dispose (object);
}

static void
scm_train_page_finalize (GObject *object)
{
  ScmTrainPage *self = SCM_TRAIN_PAGE (object);

  g_clear_object (&self->loss);
  g_free (self->target_path);
  g_free (self->status);
  G_OBJECT_CLASS (scm_train_page_parent_class)->finalize (object);
}

static void
scm_train_page_class_init (ScmTrainPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scm_train_page_dispose;
  object_class->finalize = scm_train_page_finalize;

  g_type_ensure (SCM_TYPE_LOSS_CHART);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/scmmae/Studio/ui/scm-train-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, stage_row);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, preset_row);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, label_row);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, fraction_row);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, target_row);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, fraction_spin);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, start_button);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, pause_button);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, resume_ckpt_button);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, save_ckpt_button);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ScmTrainPage, chart);
  gtk_widget_class_bind_template_callback (widget_class, start_clicked);
  gtk_widget_class_bind_template_callback (widget_class, pause_clicked);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, resume_ckpt_clicked);
  gtk_widget_class_bind_template_callback (widget_class, save_ckpt_clicked);
  gtk_widget_class_bind_template_callback (widget_class, choose_target_clicked);
}

static void
scm_train_page_init (ScmTrainPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->loss = scm_loss_model_new ();
  scm_loss_chart_set_model (self->chart, self->loss);
  self->series_step = self->series_a = self->series_b = self->series_c = -1;
  g_signal_connect_swapped (self->stage_row, "notify::selected", G_CALLBACK (stage_changed), self);
  g_signal_connect_swapped (self->preset_row, "notify::selected", G_CALLBACK (stage_changed), self);
  stage_changed (self);
}
