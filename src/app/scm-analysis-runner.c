/* scm-analysis-runner.c: PCA -> kNN -> Leiden -> UMAP in a GTask.
 *
 * The worker owns copies of its inputs (a dataset ref and a copy of the
 * representation) and never touches the document.  Results and status
 * lines go into a mutex-protected queue drained by at most one pending
 * idle on the main thread, which applies them through the document's
 * generation-checked setters.  Applying a new representation bumps the
 * document's generation, so the drain adopts the new generation for the
 * rest of the same run.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "scm-analysis-runner.h"
#include "scm-error.h"

#ifdef SCM_HAVE_PCA
#include "stats/scm-pca.h"
#endif
#include "preprocess/scm-normalize.h"
#ifdef SCM_HAVE_GRAPH
#include "analysis/scm-knn.h"
#include "analysis/scm-graph.h"
#include "analysis/scm-leiden.h"
#include "analysis/scm-umap.h"
#endif

typedef enum {
  ITEM_STATUS,
  ITEM_REPRESENTATION,
  ITEM_NEIGHBORS,
  ITEM_CLUSTERS,
  ITEM_UMAP,
  ITEM_MESSAGE,
} ItemKind;

typedef struct {
  ItemKind   kind;
  char      *text;
  ScmMatrix *matrix;
  ScmNeighborGraph *neighbors;
  gint32    *codes;
  float     *xy;
  ScmUmapRecord umap_record;
  gint64     n;
  guint      n_clusters;
  double     resolution;
} Item;

/* Shared between one worker and the main thread. */
typedef struct {
  gatomicrefcount    ref;
  GMutex             mutex;
  GQueue             items;        /* Item*, guarded by mutex */
  guint              idle_id;      /* guarded by mutex */
  GWeakRef           runner;       /* main thread only */
  guint64            generation;   /* main thread only */
  /* worker inputs */
  ScmDataset        *dataset;
  ScmMatrix         *representation;  /* NULL: compute PCA */
  double             resolution;
  GCancellable      *cancellable;
} Job;

struct _ScmAnalysisRunner
{
  GObject      parent_instance;
  ScmDocument *document;   /* weak: the window owns both */
  Job         *job;        /* running job, or NULL */
  double       resolution;
};

G_DEFINE_FINAL_TYPE (ScmAnalysisRunner, scm_analysis_runner, G_TYPE_OBJECT)

enum { MESSAGE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
item_free (Item *it)
{
  g_free (it->text);
  g_clear_pointer (&it->matrix, scm_matrix_free);
  g_clear_pointer (&it->neighbors, scm_neighbor_graph_unref);
  g_free (it->codes);
  g_free (it->xy);
  g_free (it);
}

static Job *
job_ref (Job *job)
{
  g_atomic_ref_count_inc (&job->ref);
  return job;
}

static void
job_unref (Job *job)
{
  if (!g_atomic_ref_count_dec (&job->ref))
    return;
  g_queue_clear_full (&job->items, (GDestroyNotify) item_free);
  g_mutex_clear (&job->mutex);
  g_weak_ref_clear (&job->runner);
  g_clear_pointer (&job->dataset, scm_dataset_unref);
  g_clear_pointer (&job->representation, scm_matrix_free);
  g_clear_object (&job->cancellable);
  g_free (job);
}

static gboolean drain_items (gpointer data);

/* Worker side: queue an item and make sure one idle will drain it. */
static void
job_post (Job *job, Item *it)
{
  g_mutex_lock (&job->mutex);
  g_queue_push_tail (&job->items, it);
  if (job->idle_id == 0)
    job->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT, drain_items, job_ref (job),
                                    (GDestroyNotify) job_unref);
  g_mutex_unlock (&job->mutex);
}

static void
job_status (Job *job, const char *text)
{
  Item *it = g_new0 (Item, 1);
  it->kind = ITEM_STATUS;
  it->text = g_strdup (text);
  job_post (job, it);
}

static void
job_message (Job *job, const char *text)
{
  Item *it = g_new0 (Item, 1);
  it->kind = ITEM_MESSAGE;
  it->text = g_strdup (text);
  job_post (job, it);
}

static gboolean
drain_items (gpointer data)
{
  Job *job = data;
  g_autoptr(ScmAnalysisRunner) self = g_weak_ref_get (&job->runner);
  GQueue items = G_QUEUE_INIT;

  g_mutex_lock (&job->mutex);
  items = job->items;
  g_queue_init (&job->items);
  job->idle_id = 0;
  g_mutex_unlock (&job->mutex);

  for (Item *it; (it = g_queue_pop_head (&items)) != NULL; item_free (it))
    {
      ScmDocument *doc;

      /* Runner gone, or this job superseded/cancelled: drop. */
      if (self == NULL || self->job != job || g_cancellable_is_cancelled (job->cancellable))
        continue;
      doc = self->document;

      switch (it->kind)
        {
        case ITEM_STATUS:
          scm_document_set_status (doc, TRUE, it->text);
          break;
        case ITEM_MESSAGE:
          g_signal_emit (self, signals[MESSAGE], 0, it->text, FALSE);
          break;
        case ITEM_REPRESENTATION:
          if (scm_document_set_representation (doc, job->generation, g_steal_pointer (&it->matrix)))
            job->generation = scm_document_get_generation (doc);
          break;
        case ITEM_NEIGHBORS:
          scm_document_set_neighbors (doc, job->generation, g_steal_pointer (&it->neighbors));
          break;
        case ITEM_CLUSTERS:
          scm_document_set_clusters (doc, job->generation, it->codes, it->n, it->n_clusters,
                                     it->resolution);
          break;
        case ITEM_UMAP:
          scm_document_set_umap (doc, job->generation, it->xy, it->n, &it->umap_record);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return G_SOURCE_REMOVE;
}

ScmNeighborGraph *
scm_neighbor_graph_build (const ScmKnn *knn, int k, const ScmKnnOptions *kopts,
                          const char *use_rep, GError **error)
{
  g_autoptr(ScmNeighborGraph) g = scm_neighbor_graph_new ();

  if (!scm_knn_prefix (knn, k, &g->knn, error) ||
      !scm_graph_umap_connectivities (&g->knn, &g->graph, error))
    return NULL;
  g->metric = kopts->metric;
  g->use_rep = g_strdup (use_rep != NULL ? use_rep : "X_pca");
  g->knn_method = g_strdup (scm_knn_method_name (scm_knn_resolve_method (kopts->method, knn->n)));
  g->random_state = kopts->seed;
  return g_steal_pointer (&g);
}

#ifdef SCM_HAVE_GRAPH
/* The same choices as `scmmae analyze` (stats/scm-analyze.c): one kNN
 * search with k = 20, its first 20 columns for the Leiden graph and its
 * first 15 for the UMAP graph, seed 0, so app and CLI agree. */
#define LEIDEN_K 20
#define UMAP_K   15

static gboolean
run_graph (Job *job, const ScmMatrix *rep, GError **error)
{
  ScmKnnOptions kopts;
  ScmLeidenOptions lopts;
  ScmUmapOptions uopts;
  ScmKnn knn = { 0 }, knn_part = { 0 };
  ScmGraph graph = { 0 };
  g_autoptr(ScmNeighborGraph) neighbors = NULL;
  gint32 *membership = NULL;
  gint32 n_clusters = 0;
  double quality = 0.0;
  float *xy = NULL;
  gboolean ok = FALSE;
  gint64 n = rep->n_rows;
  int k_leiden = (int) MIN (LEIDEN_K, n), k_umap = (int) MIN (UMAP_K, n);

  if (n < 3)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   _("%lld cells are too few for clustering"), (long long) n);
      return FALSE;
    }

  job_status (job, _("Finding nearest neighbours…"));
  scm_knn_options_init (&kopts);
  kopts.k = MAX (k_leiden, k_umap);
  kopts.n_threads = 0;
  kopts.cancellable = job->cancellable;
  if (!scm_knn_compute (rep->data, n, rep->n_cols, &kopts, &knn, error))
    goto out;
  /* The Leiden graph goes to the document too (for the export); the
   * worker only reads it once built. */
  neighbors = scm_neighbor_graph_build (&knn, k_leiden, &kopts, rep->name, error);
  if (neighbors == NULL)
    goto out;

  job_status (job, _("Clustering cells (Leiden)…"));
  scm_leiden_options_init (&lopts);
  lopts.resolution = job->resolution;
  lopts.cancellable = job->cancellable;
  membership = g_try_new0 (gint32, n);
  if (membership == NULL)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, _("Out of memory for %lld cells"), (long long) n);
      goto out;
    }
  if (!scm_leiden (&neighbors->graph, &lopts, membership, &n_clusters, &quality, error))
    goto out;
  {
    Item *it = g_new0 (Item, 1);
    it->kind = ITEM_NEIGHBORS;
    it->neighbors = g_steal_pointer (&neighbors);
    job_post (job, it);
  }
  {
    Item *it = g_new0 (Item, 1);
    it->kind = ITEM_CLUSTERS;
    it->codes = g_steal_pointer (&membership);
    it->n = n;
    it->n_clusters = (guint) n_clusters;
    it->resolution = job->resolution;
    job_post (job, it);
  }

  job_status (job, _("Computing the UMAP layout…"));
  if (!scm_knn_prefix (&knn, k_umap, &knn_part, error) ||
      !scm_graph_umap_connectivities (&knn_part, &graph, error))
    goto out;
  scm_umap_options_init (&uopts);
  uopts.n_threads = 0;   /* all processors; reproducible per thread count (scm-umap.h) */
  uopts.cancellable = job->cancellable;
  xy = g_try_new0 (float, n * 2);
  if (xy == NULL)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, _("Out of memory for %lld cells"), (long long) n);
      goto out;
    }
  if (!scm_umap_layout (&graph, &uopts, xy, error))
    goto out;
  {
    Item *it = g_new0 (Item, 1);
    it->kind = ITEM_UMAP;
    it->xy = g_steal_pointer (&xy);
    scm_umap_record_init (&it->umap_record, &uopts, k_umap);
    it->n = n;
    job_post (job, it);
  }
  ok = TRUE;

out:
  scm_knn_clear (&knn);
  scm_knn_clear (&knn_part);
  scm_graph_clear (&graph);
  g_free (membership);
  g_free (xy);
  return ok;
}
#endif

static void
analysis_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  ScmMatrix *rep = job->representation;
  ScmMatrix *pca = NULL;

  if (rep == NULL && job->dataset->rna == NULL && job->dataset->adt != NULL)
    {
      /* Protein-only data (e.g. an ADT panel): a few dozen CLR-normalised
       * proteins are the representation themselves, no PCA needed. */
      const ScmCsr *X = &job->dataset->adt->X;
      Item *it;

      job_status (job, _("Normalising protein counts (CLR)…"));
      pca = scm_matrix_new ("X_adt_clr", X->n_rows, X->n_cols, &error);
      if (pca == NULL)
        goto fail;
      scm_clr_csr (X, pca->data);
      it = g_new0 (Item, 1);
      it->kind = ITEM_REPRESENTATION;
      it->matrix = scm_matrix_new (pca->name, pca->n_rows, pca->n_cols, &error);
      if (it->matrix == NULL)
        {
          g_free (it);
          goto fail;
        }
      memcpy (it->matrix->data, pca->data, sizeof (float) * pca->n_rows * pca->n_cols);
      job_post (job, it);
      rep = pca;
    }

  if (rep == NULL)
    {
#ifdef SCM_HAVE_PCA
      job_status (job, _("Computing the PCA baseline…"));
      pca = scm_pca_baseline (job->dataset, 50, cancellable, &error);
      if (pca == NULL)
        goto fail;
      {
        /* The document takes this copy; the worker keeps using `pca`. */
        Item *it = g_new0 (Item, 1);
        it->kind = ITEM_REPRESENTATION;
        it->matrix = scm_matrix_new (pca->name, pca->n_rows, pca->n_cols, &error);
        if (it->matrix == NULL)
          {
            g_free (it);
            goto fail;
          }
        memcpy (it->matrix->data, pca->data, sizeof (float) * pca->n_rows * pca->n_cols);
        job_post (job, it);
      }
      rep = pca;
#else
      job_message (job, _("PCA is not available in this build yet; the Explore page "
                          "will fill in after training."));
      goto done;
#endif
    }

#ifdef SCM_HAVE_GRAPH
  if (!run_graph (job, rep, &error))
    goto fail;
#else
  job_message (job, _("Clustering and UMAP are not available in this build yet."));
#endif
  goto done;

fail:
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, SCM_ERROR, SCM_ERROR_CANCELLED))
    {
      g_autofree char *msg = g_strdup_printf (_("Analysis failed: %s"), error->message);
      Item *it = g_new0 (Item, 1);
      it->kind = ITEM_MESSAGE;
      it->text = g_steal_pointer (&msg);
      job_post (job, it);
    }
done:
  g_clear_pointer (&pca, scm_matrix_free);
  (void) job_message;
  g_task_return_boolean (task, TRUE);
}

static void
analysis_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = user_data;
  g_autoptr(ScmAnalysisRunner) self = g_weak_ref_get (&job->runner);

  /* Items posted last are still queued: drain them before declaring done. */
  drain_items (job_ref (job));
  job_unref (job);

  if (self != NULL && self->job == job)
    {
      job_unref (self->job);
      self->job = NULL;
      scm_document_set_status (self->document, FALSE, NULL);
    }
  job_unref (job);
}

void
scm_analysis_runner_cancel (ScmAnalysisRunner *self)
{
  g_return_if_fail (SCM_IS_ANALYSIS_RUNNER (self));

  if (self->job == NULL)
    return;
  g_cancellable_cancel (self->job->cancellable);
  job_unref (self->job);
  self->job = NULL;
  if (self->document != NULL)
    scm_document_set_status (self->document, FALSE, NULL);
}

void
scm_analysis_runner_start (ScmAnalysisRunner *self)
{
  g_autoptr(GTask) task = NULL;
  ScmDataset *ds;
  const ScmMatrix *rep;
  Job *job;

  g_return_if_fail (SCM_IS_ANALYSIS_RUNNER (self));

  scm_analysis_runner_cancel (self);
  if (self->document == NULL || (ds = scm_document_get_dataset (self->document)) == NULL)
    return;

  job = g_new0 (Job, 1);
  g_atomic_ref_count_init (&job->ref);
  g_mutex_init (&job->mutex);
  g_queue_init (&job->items);
  g_weak_ref_init (&job->runner, self);
  job->generation = scm_document_get_generation (self->document);
  job->dataset = scm_dataset_ref (ds);
  job->resolution = self->resolution;
  job->cancellable = g_cancellable_new ();
  rep = scm_document_get_representation (self->document);
  if (rep != NULL)
    {
      job->representation = scm_matrix_new (rep->name, rep->n_rows, rep->n_cols, NULL);
      if (job->representation != NULL)
        memcpy (job->representation->data, rep->data,
                sizeof (float) * rep->n_rows * rep->n_cols);
    }
  self->job = job;   /* the runner's ref */

  scm_document_set_status (self->document, TRUE, _("Analysing cells…"));
  task = g_task_new (NULL, job->cancellable, analysis_done, job_ref (job));
  g_task_set_source_tag (task, scm_analysis_runner_start);
  g_task_set_name (task, "[scm] analysis");
  g_task_set_task_data (task, job_ref (job), (GDestroyNotify) job_unref);
  g_task_run_in_thread (task, analysis_thread);
}

gboolean
scm_analysis_runner_is_running (ScmAnalysisRunner *self)
{
  g_return_val_if_fail (SCM_IS_ANALYSIS_RUNNER (self), FALSE);
  return self->job != NULL;
}

void
scm_analysis_runner_set_resolution (ScmAnalysisRunner *self, double resolution)
{
  g_return_if_fail (SCM_IS_ANALYSIS_RUNNER (self));
  self->resolution = resolution > 0 ? resolution : 1.0;
}

static void
scm_analysis_runner_dispose (GObject *object)
{
  ScmAnalysisRunner *self = SCM_ANALYSIS_RUNNER (object);

  scm_analysis_runner_cancel (self);
  g_clear_weak_pointer (&self->document);
  G_OBJECT_CLASS (scm_analysis_runner_parent_class)->dispose (object);
}

static void
scm_analysis_runner_class_init (ScmAnalysisRunnerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = scm_analysis_runner_dispose;

  /**
   * ScmAnalysisRunner::message: a line for the user (a toast).
   * @text: the message
   * @is_error: whether it reports a failure
   */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                   G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
scm_analysis_runner_init (ScmAnalysisRunner *self)
{
  self->resolution = 1.0;
}

ScmAnalysisRunner *
scm_analysis_runner_new (ScmDocument *document)
{
  ScmAnalysisRunner *self = g_object_new (SCM_TYPE_ANALYSIS_RUNNER, NULL);
  g_set_weak_pointer (&self->document, document);
  return self;
}
