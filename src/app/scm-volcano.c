/* scm-volcano.c: axes with ticks, threshold lines, points, labels. */
#include "scm-volcano.h"

#include <math.h>
#include <stdlib.h>

double
scm_volcano_y (double padj, double y_cap)
{
  if (!(padj > 0))
    return isnan (padj) ? 0 : y_cap;
  return MIN (-log10 (padj), y_cap);
}

typedef struct { double key; gint64 i; } Ranked;

static int
cmp_desc (const void *a, const void *b)
{
  double x = ((const Ranked *) a)->key, y = ((const Ranked *) b)->key;
  return (x < y) - (x > y);
}

void
scm_volcano_draw (cairo_t *cr, double width, double height, const ScmVolcanoData *d)
{
  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (!d || d->n == 0)
    {
      cairo_restore (cr);
      return;
    }
  double fc_t = d->fc_threshold > 0 ? d->fc_threshold : 1.0;
  double p_t = d->p_threshold > 0 ? d->p_threshold : 0.05;
  /* Ranges: symmetric x, y up to the largest finite -log10 p (capped at 300). */
  double xmax = 1.0, ymax = 1.0;
  for (gint64 i = 0; i < d->n; i++)
    {
      if (isfinite (d->logfc[i]))
        xmax = MAX (xmax, fabs (d->logfc[i]));
      if (d->padj[i] > 0)
        ymax = MAX (ymax, -log10 (d->padj[i]));
    }
  xmax = MIN (xmax, 15.0) * 1.05;
  ymax = MIN (ymax, 300.0) * 1.08;
  double L = 48, R = 12, T = 26, B = 36;
  double pw = width - L - R, ph = height - T - B;
  if (pw < 20 || ph < 20)
    {
      cairo_restore (cr);
      return;
    }
#define PX(x) (L + ((x) + xmax) / (2 * xmax) * pw)
#define PY(y) (T + ph - (y) / ymax * ph)
  cairo_set_line_width (cr, 1);
  cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
  cairo_rectangle (cr, L + 0.5, T + 0.5, pw, ph);
  cairo_stroke (cr);
  /* Threshold lines. */
  double dash[] = { 3, 3 };
  cairo_set_dash (cr, dash, 2, 0);
  cairo_set_source_rgb (cr, 0.6, 0.6, 0.6);
  cairo_move_to (cr, PX (-fc_t), T);
  cairo_line_to (cr, PX (-fc_t), T + ph);
  cairo_move_to (cr, PX (fc_t), T);
  cairo_line_to (cr, PX (fc_t), T + ph);
  cairo_move_to (cr, L, PY (-log10 (p_t)));
  cairo_line_to (cr, L + pw, PY (-log10 (p_t)));
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  /* Points: grey first, then significant on top. */
  for (int pass = 0; pass < 2; pass++)
    for (gint64 i = 0; i < d->n; i++)
      {
        double x = d->logfc[i], p = d->padj[i];
        if (!isfinite (x) || isnan (p))
          continue;
        gboolean sig = p < p_t && fabs (x) >= fc_t;
        if ((pass == 1) != sig)
          continue;
        x = CLAMP (x, -xmax, xmax);
        double y = scm_volcano_y (p, ymax);
        if (sig && x > 0)
          cairo_set_source_rgb (cr, 0.84, 0.15, 0.16);
        else if (sig)
          cairo_set_source_rgb (cr, 0.12, 0.47, 0.71);
        else
          cairo_set_source_rgb (cr, 0.72, 0.72, 0.72);
        cairo_arc (cr, PX (x), PY (y), sig ? 2.4 : 1.6, 0, 2 * G_PI);
        cairo_fill (cr);
      }
  /* Name the strongest significant genes (by -log10 p times |FC|). */
  int nl = d->n_labels > 0 ? d->n_labels : 10;
  Ranked *r = g_new (Ranked, d->n);
  gint64 m = 0;
  for (gint64 i = 0; i < d->n; i++)
    if (d->names && isfinite (d->logfc[i]) && d->padj[i] < p_t && fabs (d->logfc[i]) >= fc_t)
      {
        /* Most significant first; fold change only breaks ties (ranking by
         * the product favours barely detected genes at the x clamp). */
        r[m].key = scm_volcano_y (d->padj[i], ymax) + 1e-3 * fabs (d->logfc[i]);
        r[m].i = i;
        m++;
      }
  qsort (r, m, sizeof (Ranked), cmp_desc);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 10);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  /* Greedy placement: a label that would overlap one already drawn is
   * skipped (many genes share p = 0 at the top of the axis). */
  double *boxes = g_new (double, 4 * (gsize) MAX (nl, 1));
  int placed = 0;
  for (gint64 k = 0; k < m && placed < nl; k++)
    {
      gint64 i = r[k].i;
      double x = CLAMP (d->logfc[i], -xmax, xmax);
      cairo_text_extents_t te;
      cairo_text_extents (cr, d->names[i], &te);
      double bx = PX (x) + 3, by = PY (scm_volcano_y (d->padj[i], ymax)) - 3;
      if (bx + te.x_advance > L + pw)
        bx = PX (x) - 3 - te.x_advance;   /* keep inside the plot */
      if (by - 10 < T)
        by = T + 10;
      gboolean overlap = FALSE;
      for (int q = 0; q < placed && !overlap; q++)
        overlap = bx < boxes[4 * q + 2] && bx + te.x_advance > boxes[4 * q] &&
                  by - 10 < boxes[4 * q + 3] && by > boxes[4 * q + 1];
      if (overlap)
        continue;
      boxes[4 * placed] = bx;
      boxes[4 * placed + 1] = by - 10;
      boxes[4 * placed + 2] = bx + te.x_advance;
      boxes[4 * placed + 3] = by;
      placed++;
      cairo_move_to (cr, bx, by);
      cairo_show_text (cr, d->names[i]);
    }
  g_free (boxes);
  g_free (r);
  /* Axes labels and ticks. */
  cairo_set_font_size (cr, 10);
  char buf[32];
  for (int t = -(int) floor (xmax); t <= (int) floor (xmax); t += MAX (1, (int) (xmax / 4)))
    {
      g_snprintf (buf, sizeof buf, "%d", t);
      cairo_move_to (cr, PX (t) - 3, T + ph + 13);
      cairo_show_text (cr, buf);
    }
  double ystep = pow (10, floor (log10 (ymax))) / (ymax / pow (10, floor (log10 (ymax))) < 2 ? 2 : 1);
  for (double y = 0; y <= ymax; y += ystep)
    {
      g_snprintf (buf, sizeof buf, "%g", y);
      cairo_move_to (cr, L - 6 - 6 * strlen (buf), PY (y) + 4);
      cairo_show_text (cr, buf);
    }
  cairo_set_font_size (cr, 11);
  cairo_move_to (cr, L + pw / 2 - 30, height - 6);
  cairo_show_text (cr, "log2 fold change");
  cairo_save (cr);
  cairo_move_to (cr, 12, T + ph / 2 + 40);
  cairo_rotate (cr, -G_PI / 2);
  cairo_show_text (cr, "-log10 adjusted p");
  cairo_restore (cr);
  if (d->title)
    {
      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
      cairo_set_font_size (cr, 12);
      cairo_move_to (cr, L, 16);
      cairo_show_text (cr, d->title);
    }
#undef PX
#undef PY
  cairo_restore (cr);
}
