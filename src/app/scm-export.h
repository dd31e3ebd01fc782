/* scm-export.h: what leaves the app: labels, the annotated dataset, images.
 *
 *  - labels CSV: `barcode,label,cluster`, one row per cell, plus the
 *    annotation log beside it (<name>-log.csv) so a collaborator sees how
 *    each label was made;
 *  - a new .h5ad: the input data with the representation, UMAP, Leiden
 *    clusters, the neighbour graph they came from (obsp/distances,
 *    obsp/connectivities, uns/neighbors, as Scanpy's `neighbors`),
 *    annotation labels and Wilcoxon markers per cluster
 *    (uns/rank_genes_groups), written with scm_h5ad_write, never over the
 *    input file;
 *  - the current scatter view as PNG (fast renderer), SVG or PDF (vector
 *    paths), with its legend or colour bar.
 * Every file is written to a temporary name and renamed into place.  No GTK:
 * tests export without a display, and the page runs the h5ad export in a
 * worker thread.
 */
#pragma once

#include <gio/gio.h>

#include "analysis/scm-neighbors.h"
#include "io/scm-io.h"
#include "scm-scatter-model.h"
#include "session/scm-annotations.h"

G_BEGIN_DECLS

typedef enum {
  SCM_IMAGE_PNG,
  SCM_IMAGE_SVG,
  SCM_IMAGE_PDF,
} ScmImageFormat;

/* By extension (.png, .svg, .pdf, case-insensitive); FALSE if none of them. */
gboolean    scm_export_image_format_from_path (const char *path, ScmImageFormat *format);
/* "<dir>/<name>-log.csv" for "<dir>/<name>.csv". */
char       *scm_export_log_path       (const char *labels_path);

gboolean    scm_export_labels_csv     (ScmAnnotations *ann, char **barcodes, const char *path,
                                       GError **error);

gboolean    scm_export_scatter_image  (ScmScatterModel *model, const ScmScatterViewport *vp,
                                       int width, int height, float radius, const char *title,
                                       const char *path, ScmImageFormat format, GError **error);

/* Inputs for the annotated .h5ad (all borrowed; may be NULL except ds). */
typedef struct {
  const ScmDataset *ds;
  const ScmMatrix  *representation;   /* obsm/<name> */
  const float      *umap;             /* (n, 2) -> obsm/X_umap */
  const ScmUmapRecord *umap_record;   /* how umap was made -> uns/umap (with umap only) */
  const gint32     *clusters;         /* (n) -> obs/leiden */
  guint             n_clusters;
  ScmAnnotations   *annotations;      /* -> obs/annotation (+ log in uns) */
  gboolean          markers;          /* Wilcoxon per cluster into uns/rank_genes_groups */
  /* The neighbour graph the clusters came from -> obsp/distances,
   * obsp/connectivities, uns/neighbors (Scanpy's layout); all three or none. */
  const ScmKnn             *knn;
  const ScmGraph           *graph;
  const ScmNeighborsParams *neighbors;
} ScmExportH5adInput;

/* Builds the annotated copy of the dataset (tests look at it directly). */
ScmDataset *scm_export_build_dataset  (const ScmExportH5adInput *in, GCancellable *cancellable,
                                       GError **error);
gboolean    scm_export_h5ad           (const ScmExportH5adInput *in, const char *path,
                                       GCancellable *cancellable, GError **error);

G_END_DECLS
