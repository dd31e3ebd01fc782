/* scm-export.c: labels CSV + log, annotated h5ad, scatter images (see header). */
#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <string.h>

#include "scm-error.h"
#include "scm-export.h"
#include "stats/scm-analyze.h"
#include "stats/scm-markers.h"
#include "util/scm-atomic-file.h"

gboolean
scm_export_image_format_from_path (const char *path, ScmImageFormat *format)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".png"))
    *format = SCM_IMAGE_PNG;
  else if (g_str_has_suffix (lower, ".svg"))
    *format = SCM_IMAGE_SVG;
  else if (g_str_has_suffix (lower, ".pdf"))
    *format = SCM_IMAGE_PDF;
  else
    return FALSE;
  return TRUE;
}

char *
scm_export_log_path (const char *labels_path)
{
  g_autofree char *base = g_str_has_suffix (labels_path, ".csv")
                          ? g_strndup (labels_path, strlen (labels_path) - 4)
                          : g_strdup (labels_path);
  return g_strdup_printf ("%s-log.csv", base);
}

static void
csv_field (GString *s, const char *v)
{
  if (v && strpbrk (v, ",\"\n\r"))
    {
      g_string_append_c (s, '"');
      for (const char *p = v; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (s, '"');
          g_string_append_c (s, *p);
        }
      g_string_append_c (s, '"');
    }
  else if (v)
    g_string_append (s, v);
}

gboolean
scm_export_labels_csv (ScmAnnotations *ann, char **barcodes, const char *path, GError **error)
{
  gint64 n = scm_annotations_get_n_cells (ann);
  if (barcodes && g_strv_length (barcodes) != (guint) n)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "%s: %u barcodes for %" G_GINT64_FORMAT " cells",
                   path, g_strv_length (barcodes), n);
      return FALSE;
    }
  GString *s = g_string_sized_new (32 * (gsize) n + 64);
  g_string_append (s, "barcode,label,cluster\n");
  for (gint64 i = 0; i < n; i++)
    {
      if (barcodes)
        csv_field (s, barcodes[i]);
      else
        g_string_append_printf (s, "cell%" G_GINT64_FORMAT, i);
      g_string_append_c (s, ',');
      csv_field (s, scm_annotations_get_label (ann, i));
      gint32 c = scm_annotations_get_cluster (ann, i);
      if (c >= 0)
        g_string_append_printf (s, ",%d\n", c);
      else
        g_string_append (s, ",\n");
    }
  gboolean ok = scm_atomic_write_contents (path, s->str, (gssize) s->len, error);
  g_string_free (s, TRUE);
  if (!ok)
    return FALSE;
  g_autofree char *log_path = scm_export_log_path (path);
  g_autofree char *log = scm_annotations_log_to_csv (ann);
  return scm_atomic_write_contents (log_path, log, -1, error);
}

/* ---- images ---- */

static void
draw_overlay (cairo_t *cr, ScmScatterModel *m, int width, int height, int plot_w, const char *title)
{
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, 14);
  if (title)
    {
      cairo_move_to (cr, 12, 20);
      cairo_show_text (cr, title);
    }
  double x = plot_w + 8, y = 30;
  if (scm_scatter_model_get_color_mode (m) == SCM_SCATTER_COLOR_CONTINUOUS)
    {
      float vmin, vmax;
      scm_scatter_model_get_value_range (m, &vmin, &vmax);
      scm_colormap_draw_bar (cr, x, y, 70, MIN (240, height - 60),
                             scm_scatter_model_get_colormap (m), vmin, vmax,
                             scm_scatter_model_get_title (m));
      return;
    }
  if (scm_scatter_model_get_color_mode (m) != SCM_SCATTER_COLOR_CATEGORICAL)
    return;
  cairo_set_font_size (cr, 12);
  cairo_move_to (cr, x, y + 12);
  cairo_show_text (cr, scm_scatter_model_get_title (m) ? scm_scatter_model_get_title (m) : "");
  y += 22;
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 11);
  for (guint c = 0; c < scm_scatter_model_get_n_categories (m) && y + 16 < height; c++)
    {
      if (!scm_scatter_model_get_category_visible (m, c))
        continue;
      double r, g, b;
      scm_color_to_rgb (scm_scatter_model_get_category_color (m, c), &r, &g, &b);
      cairo_set_source_rgb (cr, r, g, b);
      cairo_arc (cr, x + 5, y + 6, 5, 0, 2 * G_PI);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      cairo_move_to (cr, x + 16, y + 10);
      cairo_show_text (cr, scm_scatter_model_get_category_name (m, c));
      y += 16;
    }
}

gboolean
scm_export_scatter_image (ScmScatterModel *m, const ScmScatterViewport *vp, int width,
                          int height, float radius, const char *title, const char *path,
                          ScmImageFormat format, GError **error)
{
  if (width < 50 || height < 50 || width > 20000 || height > 20000)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "%s: bad image size %dx%d", path, width, height);
      return FALSE;
    }
  /* The legend or colour bar gets a column on the right. */
  int legend_w = scm_scatter_model_get_color_mode (m) == SCM_SCATTER_COLOR_UNIFORM ? 0 : 190;
  int plot_w = width - legend_w;
  g_autofree char *tmp = scm_atomic_file_begin (path, error);
  if (!tmp)
    return FALSE;
  cairo_surface_t *surface = NULL;
  if (format == SCM_IMAGE_PNG)
    {
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
      cairo_t *cr = cairo_create (surface);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      cairo_destroy (cr);
      cairo_surface_t *plot = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, plot_w, height);
      scm_scatter_model_render_surface (m, plot, vp, 16, radius);
      cr = cairo_create (surface);
      cairo_set_source_surface (cr, plot, 0, 0);
      cairo_paint (cr);
      draw_overlay (cr, m, width, height, plot_w, title);
      cairo_destroy (cr);
      cairo_surface_destroy (plot);
      cairo_status_t st = cairo_surface_write_to_png (surface, tmp);
      cairo_surface_destroy (surface);
      if (st != CAIRO_STATUS_SUCCESS)
        {
          scm_atomic_file_abort (tmp);
          g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot write PNG: %s", path,
                       cairo_status_to_string (st));
          return FALSE;
        }
      return scm_atomic_file_commit (tmp, path, error);
    }
  if (format == SCM_IMAGE_SVG)
    surface = cairo_svg_surface_create (tmp, width, height);
  else
    surface = cairo_pdf_surface_create (tmp, width, height);
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, plot_w, height);
  cairo_clip (cr);
  scm_scatter_model_render_cairo (m, cr, plot_w, height, vp, 16, radius);
  cairo_restore (cr);
  draw_overlay (cr, m, width, height, plot_w, title);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  cairo_status_t st = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (st != CAIRO_STATUS_SUCCESS)
    {
      scm_atomic_file_abort (tmp);
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot write the image: %s", path,
                   cairo_status_to_string (st));
      return FALSE;
    }
  return scm_atomic_file_commit (tmp, path, error);
}

/* ---- h5ad ---- */

ScmDataset *
scm_export_build_dataset (const ScmExportH5adInput *in, GCancellable *cancellable, GError **error)
{
  const ScmDataset *ds = in->ds;
  gint64 n = ds->n_cells;
  g_autofree guint8 *keep = g_try_malloc (MAX (n, 1));
  if (!keep)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "export: out of memory");
      return NULL;
    }
  memset (keep, 1, MAX (n, 1));
  ScmDataset *out = scm_dataset_subset_cells (ds, keep, error);
  if (!out)
    return NULL;
  g_clear_pointer (&out->path, g_free);   /* a new file, not the input */
  if (in->representation && in->representation->n_rows == n)
    {
      const ScmMatrix *r = in->representation;
      ScmMatrix *m = scm_matrix_new (r->name ? r->name : "X_rep", n, r->n_cols, error);
      if (!m)
        goto fail;
      memcpy (m->data, r->data, sizeof (float) * n * r->n_cols);
      scm_dataset_set_obsm (out, m);
    }
  if (in->umap)
    {
      ScmMatrix *m = scm_matrix_new ("X_umap", n, 2, error);
      if (!m)
        goto fail;
      memcpy (m->data, in->umap, sizeof (float) * n * 2);
      scm_dataset_set_obsm (out, m);
      if (in->umap_record)
        scm_umap_record_store (out, in->umap_record);
    }
  if (in->clusters)
    {
      gint32 *codes = g_new (gint32, MAX (n, 1));
      memcpy (codes, in->clusters, sizeof (gint32) * n);
      char **cats = g_new0 (char *, in->n_clusters + 1);
      for (guint c = 0; c < in->n_clusters; c++)
        cats[c] = g_strdup_printf ("%u", c);
      scm_dataset_set_obs (out, scm_column_new_categorical ("leiden", n, codes, cats));
    }
  if (in->knn && in->graph && in->neighbors &&
      !scm_neighbors_store (out, in->knn, in->graph, in->neighbors, error))
    goto fail;
  if (in->annotations && scm_annotations_get_n_cells (in->annotations) == n)
    {
      scm_dataset_set_obs (out, scm_annotations_to_label_column (in->annotations, "annotation"));
      /* The log travels with the data: one string per applied operation. */
      guint na = scm_annotations_get_n_applied (in->annotations);
      char **lines = g_new0 (char *, na + 1);
      for (guint j = 0; j < na; j++)
        {
          const ScmAnnotOp *op = scm_annotations_get_op (in->annotations, j);
          g_autofree char *d = scm_annotations_describe_op (in->annotations, j);
          GDateTime *dt = g_date_time_new_from_unix_utc (op->time_us / G_USEC_PER_SEC);
          g_autofree char *t = dt ? g_date_time_format_iso8601 (dt) : g_strdup ("");
          if (dt)
            g_date_time_unref (dt);
          lines[j] = g_strdup_printf ("%s\t%s\t%s", t, op->source, d);
        }
      ScmUnsNode *g = scm_uns_group_new ("annotation_log");
      scm_uns_set (g, scm_uns_strings_new ("entries", lines));
      scm_uns_set (out->uns, g);
    }
  if (in->markers && in->clusters && in->n_clusters >= 2 && ds->rna && ds->rna->X.n_rows == n)
    {
      ScmCsr values = { 0 };
      ScmRankTest rt = { 0 };
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      if (!scm_modality_marker_values (ds, SCM_MODALITY_RNA, &values, error) ||
          !scm_wilcoxon (&values, in->clusters, (gint32) in->n_clusters, -1, NULL, &rt, error))
        {
          scm_csr_clear (&values);
          scm_rank_test_clear (&rt);
          goto fail;
        }
      char **groups = g_new0 (char *, in->n_clusters + 1);
      for (guint c = 0; c < in->n_clusters; c++)
        groups[c] = g_strdup_printf ("%u", c);
      scm_markers_to_uns (out, &rt, groups, ds->rna->names, 100, "leiden", "rest", "rna");
      g_strfreev (groups);
      scm_csr_clear (&values);
      scm_rank_test_clear (&rt);
    }
  return out;
fail:
  scm_dataset_unref (out);
  return NULL;
}

gboolean
scm_export_h5ad (const ScmExportH5adInput *in, const char *path, GCancellable *cancellable,
                 GError **error)
{
  if (in->ds->path)
    {
      g_autofree char *a = g_canonicalize_filename (in->ds->path, NULL);
      g_autofree char *b = g_canonicalize_filename (path, NULL);
      if (g_strcmp0 (a, b) == 0)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                       "%s: this is the input file; export to a new file instead", path);
          return FALSE;
        }
    }
  g_autoptr (ScmDataset) out = scm_export_build_dataset (in, cancellable, error);
  if (!out)
    return FALSE;
  return scm_h5ad_write (out, path, error);
}
