/* scm-dotplot.c: layout: row labels left, rotated gene labels on top, a
 * size and colour key at the bottom right. */
#include "scm-dotplot.h"

#include <math.h>

#include "scm-colormap.h"

void
scm_dotplot_draw (cairo_t *cr, double width, double height, const ScmDotplotData *d)
{
  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (!d || d->n_groups == 0 || d->n_genes == 0)
    {
      cairo_restore (cr);
      return;
    }
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 11);
  double label_w = 0, gene_h = 0;
  cairo_text_extents_t ext;
  for (guint g = 0; g < d->n_groups; g++)
    {
      cairo_text_extents (cr, d->groups[g], &ext);
      label_w = MAX (label_w, ext.x_advance);
    }
  for (guint j = 0; j < d->n_genes; j++)
    {
      cairo_text_extents (cr, d->genes[j], &ext);
      gene_h = MAX (gene_h, ext.x_advance);
    }
  label_w = MIN (label_w + 10, width * 0.3);
  gene_h = MIN (gene_h * 0.75 + 10, height * 0.35);
  double key_h = 44;
  double cw = (width - label_w - 50) / d->n_genes;   /* room for the last rotated label */
  double ch = (height - gene_h - key_h - 10) / d->n_groups;
  double cell = MIN (cw, ch);
  if (cell < 2)
    {
      cairo_restore (cr);
      return;
    }
  double rmax = MIN (cell * 0.45, 9.0);
  double x0 = label_w, y0 = gene_h;

  /* Per-gene range of the means (standard scale per column). */
  for (guint j = 0; j < d->n_genes; j++)
    {
      double lo = INFINITY, hi = -INFINITY;
      for (guint g = 0; g < d->n_groups; g++)
        {
          double v = d->mean[g * d->n_genes + j];
          lo = MIN (lo, v);
          hi = MAX (hi, v);
        }
      for (guint g = 0; g < d->n_groups; g++)
        {
          double v = d->mean[g * d->n_genes + j];
          double t = hi > lo ? (v - lo) / (hi - lo) : 0.0;
          double f = d->frac[g * d->n_genes + j];
          double r = rmax * sqrt (CLAMP (f, 0, 1));  /* area ~ fraction */
          if (r < 0.6)
            continue;
          double red, green, blue;
          scm_color_to_rgb (scm_colormap_continuous (SCM_COLORMAP_VIRIDIS, (float) t), &red, &green, &blue);
          cairo_arc (cr, x0 + (j + 0.5) * cell, y0 + (g + 0.5) * cell, r, 0, 2 * G_PI);
          cairo_set_source_rgb (cr, red, green, blue);
          cairo_fill_preserve (cr);
          cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
          cairo_set_line_width (cr, 0.6);
          cairo_stroke (cr);
        }
    }
  /* Labels. */
  cairo_set_source_rgb (cr, 0.12, 0.12, 0.12);
  cairo_set_font_size (cr, MIN (11, cell * 0.8));
  for (guint g = 0; g < d->n_groups; g++)
    {
      cairo_text_extents (cr, d->groups[g], &ext);
      cairo_move_to (cr, x0 - 6 - ext.x_advance, y0 + (g + 0.5) * cell + ext.height / 2);
      cairo_show_text (cr, d->groups[g]);
    }
  for (guint j = 0; j < d->n_genes; j++)
    {
      cairo_save (cr);
      cairo_move_to (cr, x0 + (j + 0.5) * cell + 3, y0 - 4);
      cairo_rotate (cr, -G_PI / 3);
      cairo_show_text (cr, d->genes[j]);
      cairo_restore (cr);
    }
  /* Key: dot sizes for 20/50/100% and the colour ramp. */
  double ky = y0 + d->n_groups * cell + 14;
  cairo_set_font_size (cr, 10);
  const double fr[] = { 0.2, 0.5, 1.0 };
  double kx = x0;
  for (int i = 0; i < 3; i++)
    {
      cairo_arc (cr, kx + rmax, ky + rmax, rmax * sqrt (fr[i]), 0, 2 * G_PI);
      cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
      cairo_fill (cr);
      char buf[16];
      g_snprintf (buf, sizeof buf, "%d%%", (int) (fr[i] * 100));
      cairo_set_source_rgb (cr, 0.12, 0.12, 0.12);
      cairo_move_to (cr, kx + 2 * rmax + 3, ky + rmax + 4);
      cairo_show_text (cr, buf);
      kx += 2 * rmax + 40;
    }
  cairo_move_to (cr, kx + 6, ky + rmax + 4);
  cairo_show_text (cr, "mean (scaled): 0");
  cairo_text_extents (cr, "mean (scaled): 0", &ext);
  kx += 6 + ext.x_advance + 4;
  for (int i = 0; i < 60; i++)
    {
      double red, green, blue;
      scm_color_to_rgb (scm_colormap_continuous (SCM_COLORMAP_VIRIDIS, i / 59.f), &red, &green, &blue);
      cairo_set_source_rgb (cr, red, green, blue);
      cairo_rectangle (cr, kx + i, ky + rmax - 5, 1.2, 10);
      cairo_fill (cr);
    }
  cairo_set_source_rgb (cr, 0.12, 0.12, 0.12);
  cairo_move_to (cr, kx + 64, ky + rmax + 4);
  cairo_show_text (cr, "1");
  cairo_restore (cr);
}
