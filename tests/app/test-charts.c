/* test-charts.c: chart models, tick computation and Cairo drawing of the
 * QC histograms and the loss chart, rendered into image surfaces (no
 * display needed). */
#include <math.h>

#include "scm-chart-axis.h"
#include "scm-chart-util.h"
#include "scm-loss-chart.h"
#include "scm-loss-model.h"
#include "scm-qc-model.h"
#include "scm-qc-plot.h"

/* ---- ticks ---- */

static void
test_ticks (void)
{
  ScmTicks t;
  char buf[32];

  scm_ticks_compute (&t, 0, 1, 5);
  g_assert_cmpfloat_with_epsilon (t.step, 0.2, 1e-12);
  g_assert_cmpfloat (t.lo, ==, 0);
  g_assert_cmpfloat_with_epsilon (t.hi, 1.0, 1e-12);
  g_assert_cmpuint (t.n, ==, 6);

  /* Covers the data, rounded outward to whole steps. */
  scm_ticks_compute (&t, 0.013, 0.98, 5);
  g_assert_cmpfloat (t.lo, <=, 0.013);
  g_assert_cmpfloat (t.hi, >=, 0.98);
  for (guint i = 0; i < t.n; i++)
    {
      double k = t.values[i] / t.step;
      g_assert_cmpfloat (fabs (k - round (k)), <, 1e-9);
    }

  scm_ticks_compute (&t, 3, 3, 5);            /* degenerate range */
  g_assert_cmpfloat (t.lo, <, 3);
  g_assert_cmpfloat (t.hi, >, 3);
  scm_ticks_compute (&t, NAN, 1, 5);
  g_assert_cmpuint (t.n, >=, 2);

  scm_ticks_compute (&t, 0, 12000, 4);
  scm_ticks_format (&t, 5000, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "5000");
  scm_ticks_format (&t, 10000, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "10k");
  scm_ticks_compute (&t, 0, 1, 4);
  scm_ticks_format (&t, 0.25, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "0.25");
  scm_ticks_compute (&t, 0, 10, 4);
  scm_ticks_format (&t, 7.5, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "7.5");
}

/* ---- pixels ---- */

typedef struct { guint8 r, g, b, a; } Px;

static Px
pixel (cairo_surface_t *s, int x, int y)
{
  guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  guint32 v = *(guint32 *) (data + y * stride + x * 4);   /* premultiplied ARGB32 */
  Px p = { (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff, v >> 24 };
  return p;
}

/* Count pixels in a rectangle close to an opaque colour. */
static int
count_color (cairo_surface_t *s, int x0, int y0, int x1, int y1, ScmRgba c)
{
  int n = 0;
  cairo_surface_flush (s);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        Px p = pixel (s, x, y);
        if (p.a > 240 && abs (p.r - (int) (c.r * 255)) < 12 && abs (p.g - (int) (c.g * 255)) < 12 &&
            abs (p.b - (int) (c.b * 255)) < 12)
          n++;
      }
  return n;
}

/* Pixels that are not (near) white: anything drawn, antialiased or not. */
static int
count_ink (cairo_surface_t *s, int x0, int y0, int x1, int y1)
{
  int n = 0;
  cairo_surface_flush (s);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        Px p = pixel (s, x, y);
        n += p.r < 235 || p.g < 235 || p.b < 235;
      }
  return n;
}

/* ---- QC model and plot ---- */

static ScmQcModel *
make_qc (void)
{
  gint64 n = 1000;
  float *total = g_new (float, n), *genes = g_new (float, n), *mito = g_new (float, n);

  for (gint64 i = 0; i < n; i++)
    {
      total[i] = 500 + 10 * i;          /* 500 .. 10490 */
      genes[i] = 200 + i;               /* 200 .. 1199 */
      mito[i] = (float) (i % 20);       /* 0 .. 19 % */
    }
  return scm_qc_model_new (n, total, genes, mito);
}

static void
test_qc_model (void)
{
  g_autoptr(ScmQcModel) qc = make_qc ();
  const ScmHistogram *h = scm_qc_model_get_histogram (qc, SCM_QC_N_FEATURES);
  gint64 sum = 0;
  double lo, hi;
  guint changed = 0;

  g_assert_nonnull (h);
  for (guint b = 0; b < h->n_bins; b++)
    sum += h->counts[b];
  g_assert_cmpint (sum, ==, 1000);
  g_assert_true (h->log_scale);
  g_assert_false (scm_qc_model_get_histogram (qc, SCM_QC_PCT_MITO)->log_scale);
  g_assert_cmpint (scm_qc_model_count_kept (qc), ==, 1000);

  g_signal_connect_swapped (qc, "changed", G_CALLBACK (g_atomic_int_inc), &changed);
  scm_qc_model_set_threshold (qc, SCM_QC_PCT_MITO, 0, 9.5);      /* keeps i % 20 < 10 */
  g_assert_cmpint (scm_qc_model_count_kept (qc), ==, 500);
  scm_qc_model_set_threshold (qc, SCM_QC_N_FEATURES, 700, 2000); /* i >= 500 */
  g_assert_cmpint (scm_qc_model_count_kept (qc), ==, 250);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_cmpint (scm_qc_model_get_keep (qc)[0], ==, 0);
  g_assert_cmpint (scm_qc_model_get_keep (qc)[500], ==, 1);
  g_assert_cmpint (scm_qc_model_get_keep (qc)[510], ==, 0);

  /* Swapped bounds are reordered. */
  scm_qc_model_set_threshold (qc, SCM_QC_N_FEATURES, 2000, 700);
  scm_qc_model_get_threshold (qc, SCM_QC_N_FEATURES, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 700);
  g_assert_cmpfloat (hi, ==, 2000);

  /* Kept counts per bin follow ALL thresholds: with genes >= 700 the
   * mito histogram keeps only the cells i >= 500. */
  scm_qc_model_set_threshold (qc, SCM_QC_PCT_MITO, 0, 100);
  {
    const gint64 *kept = scm_qc_model_get_kept_counts (qc, SCM_QC_PCT_MITO);
    const ScmHistogram *hm = scm_qc_model_get_histogram (qc, SCM_QC_PCT_MITO);
    gint64 total_kept = 0, total = 0;
    for (guint b = 0; b < hm->n_bins; b++)
      {
        g_assert_cmpint (kept[b], <=, hm->counts[b]);
        total_kept += kept[b];
        total += hm->counts[b];
      }
    g_assert_cmpint (total, ==, 1000);
    g_assert_cmpint (total_kept, ==, 500);
  }

  scm_qc_model_reset_thresholds (qc);
  g_assert_cmpint (scm_qc_model_count_kept (qc), ==, 1000);
}

static void
test_qc_from_dataset (void)
{
  g_autoptr(ScmDataset) ds = scm_dataset_new ();
  g_autoptr(ScmQcModel) qc = NULL;
  const float *mito, *total, *genes;
  /* 3 cells x 3 genes: MT-CO1 is mitochondrial. */
  static const gint64 indptr[] = { 0, 2, 3, 3 };
  static const gint32 indices[] = { 0, 2, 1 };
  static const float data[] = { 3, 1, 5 };

  ds->n_cells = 3;
  ds->rna = scm_modality_new (SCM_MODALITY_RNA);
  g_assert_true (scm_csr_alloc (&ds->rna->X, 3, 3, 3, NULL));
  memcpy (ds->rna->X.indptr, indptr, sizeof indptr);
  memcpy (ds->rna->X.indices, indices, sizeof indices);
  memcpy (ds->rna->X.data, data, sizeof data);
  ds->rna->names = g_strsplit ("CD3E,ACTB,MT-CO1", ",", -1);

  qc = scm_qc_model_new_from_dataset (ds);
  total = scm_qc_model_get_values (qc, SCM_QC_TOTAL_COUNTS);
  genes = scm_qc_model_get_values (qc, SCM_QC_N_FEATURES);
  mito = scm_qc_model_get_values (qc, SCM_QC_PCT_MITO);
  g_assert_nonnull (mito);
  g_assert_cmpfloat (total[0], ==, 4);
  g_assert_cmpfloat (genes[0], ==, 2);
  g_assert_cmpfloat_with_epsilon (mito[0], 25.0, 1e-5);
  g_assert_cmpfloat (mito[1], ==, 0);
  g_assert_cmpfloat (total[2], ==, 0);      /* empty cell */
  g_assert_cmpfloat (mito[2], ==, 0);

  /* No mitochondrial genes: the metric is absent, not all zeros. */
  g_strfreev (ds->rna->names);
  ds->rna->names = g_strsplit ("CD3E,ACTB,CD14", ",", -1);
  g_clear_object (&qc);
  qc = scm_qc_model_new_from_dataset (ds);
  g_assert_false (scm_qc_model_has_metric (qc, SCM_QC_PCT_MITO));
}

static void
test_qc_draw (void)
{
  g_autoptr(ScmQcModel) qc = make_qc ();
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 320, 180);
  cairo_t *cr = cairo_create (s);
  ScmChartStyle style;
  ScmPlotArea a;
  int x_thr, bars_kept, bars_dim;

  scm_chart_style_init (&style, FALSE);
  style.bg = (ScmRgba) { 1, 1, 1, 1 };
  scm_qc_model_set_threshold (qc, SCM_QC_PCT_MITO, 0, 10);
  scm_qc_plot_draw (cr, 320, 180, qc, SCM_QC_PCT_MITO, &style);
  cairo_destroy (cr);
  {
    g_autofree char *png = g_build_filename (g_test_get_dir (G_TEST_BUILT), "test-qc-draw.png", NULL);
    cairo_surface_write_to_png (s, png);
  }

  scm_qc_plot_get_area (320, 180, &a);
  x_thr = (int) scm_qc_plot_value_to_x (qc, SCM_QC_PCT_MITO, 320, 10);
  g_assert_cmpint (x_thr, >, a.x);
  g_assert_cmpint (x_thr, <, a.x + a.width);
  /* Bars left of the threshold are full accent colour, right of it dimmed. */
  bars_kept = count_color (s, a.x, a.y, x_thr - 3, a.y + a.height, style.accent);
  bars_dim = count_color (s, x_thr + 3, a.y, a.x + a.width, a.y + a.height, style.accent);
  g_assert_cmpint (bars_kept, >, 500);
  g_assert_cmpint (bars_dim, ==, 0);
  /* The threshold line is drawn in red. */
  g_assert_cmpint (count_color (s, x_thr - 2, a.y, x_thr + 3, a.y + a.height,
                                (ScmRgba) { 0.88, 0.11, 0.14, 1 }), >, 50);
  /* Round trip of the axis mapping (log axis too). */
  g_assert_cmpfloat_with_epsilon (scm_qc_plot_x_to_value (qc, SCM_QC_TOTAL_COUNTS, 320,
                                    scm_qc_plot_value_to_x (qc, SCM_QC_TOTAL_COUNTS, 320, 2000)),
                                  2000, 1e-6 * 2000);
  cairo_surface_destroy (s);
}

/* ---- loss model and chart ---- */

static void
test_loss_model (void)
{
  g_autoptr(ScmLossModel) m = scm_loss_model_new ();
  double lo, hi;
  int s, acc;

  scm_loss_model_reset (m, 10);
  s = scm_loss_model_add_series (m, "loss", SCM_LOSS_AXIS_LEFT);
  acc = scm_loss_model_add_series (m, "acc", SCM_LOSS_AXIS_RIGHT);
  g_assert_cmpint (s, ==, 0);
  g_assert_cmpint (acc, ==, 1);
  for (int i = 1; i <= 10; i++)
    scm_loss_model_append (m, s, i, 1.0 / i);
  scm_loss_model_append (m, s, 11, NAN);                 /* ignored */
  g_assert_cmpuint (scm_loss_model_get_n_points (m, s), ==, 10);
  g_assert_true (scm_loss_model_get_y_range (m, SCM_LOSS_AXIS_LEFT, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0.1);
  g_assert_cmpfloat (hi, ==, 1.0);
  g_assert_false (scm_loss_model_get_y_range (m, SCM_LOSS_AXIS_RIGHT, NULL, NULL));

  g_assert_cmpint (scm_loss_model_nearest (m, s, 0.2), ==, 0);
  g_assert_cmpint (scm_loss_model_nearest (m, s, 3.4), ==, 2);
  g_assert_cmpint (scm_loss_model_nearest (m, s, 3.6), ==, 3);
  g_assert_cmpint (scm_loss_model_nearest (m, s, 99), ==, 9);
  g_assert_cmpint (scm_loss_model_nearest (m, acc, 3), ==, -1);

  /* A resumed run repeating epochs replaces the tail, keeping x sorted. */
  scm_loss_model_append (m, s, 8, 0.5);
  g_assert_cmpuint (scm_loss_model_get_n_points (m, s), ==, 8);
  g_assert_cmpfloat (scm_loss_model_get_y (m, s)[7], ==, 0.5);
  g_assert_cmpfloat (scm_loss_model_get_x_max (m), ==, 10);
}

static void
test_loss_draw (void)
{
  g_autoptr(ScmLossModel) m = scm_loss_model_new ();
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 600, 300);
  cairo_t *cr = cairo_create (s);
  ScmChartStyle style;
  ScmLossArea a;
  ScmRgba c0 = scm_chart_series_color (0), c1 = scm_chart_series_color (1);
  int n0_left, n0_right, n1;

  scm_loss_model_reset (m, 20);
  scm_loss_model_add_series (m, "Total loss", SCM_LOSS_AXIS_LEFT);
  scm_loss_model_add_series (m, "Held-out accuracy", SCM_LOSS_AXIS_RIGHT);
  /* 61 points up to epoch 6 of 20: few enough to be drawn as a full line. */
  for (int i = 0; i <= 60; i++)
    scm_loss_model_append (m, 0, i / 10.0, 2.0 * exp (-i / 30.0));
  for (int e = 1; e <= 10; e++)
    scm_loss_model_append (m, 1, e, 0.5 + 0.04 * e);

  scm_chart_style_init (&style, FALSE);
  style.bg = (ScmRgba) { 1, 1, 1, 1 };
  scm_loss_chart_draw (cr, 600, 300, m, &style, 5.0);
  cairo_destroy (cr);
  {
    g_autofree char *png = g_build_filename (g_test_get_dir (G_TEST_BUILT), "test-loss-draw.png", NULL);
    cairo_surface_write_to_png (s, png);
  }

  scm_loss_chart_get_area (m, 600, 300, &a);
  /* The curve covers the first half of the x range only (10 of 20 epochs). */
  n0_left = count_color (s, a.x, a.y, a.x + a.width / 2 - 4, a.y + a.height, c0);
  n0_right = count_color (s, a.x + a.width / 2 + 8, a.y, a.x + a.width, a.y + a.height, c0);
  n1 = count_color (s, a.x, a.y, a.x + a.width / 2, a.y + a.height, c1);
  g_assert_cmpint (n0_left, >, 200);
  g_assert_cmpint (n0_right, ==, 0);
  g_assert_cmpint (n1, >, 50);
  /* The loss starts high: the first point sits near the top of the plot. */
  g_assert_cmpint (count_color (s, a.x, a.y, a.x + 6, a.y + a.height * 0.2, c0), >, 0);
  /* x mapping used for hover is consistent with the axis (0 .. 20). */
  g_assert_cmpfloat_with_epsilon (scm_loss_chart_x_at (m, 600, 300, a.x + a.width / 2), 10, 1e-9);
  cairo_surface_destroy (s);
}

/* ---- shared axes (scm-chart-axis.h) ---- */

static void
test_axes_draw (void)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 300, 200);
  cairo_t *cr = cairo_create (s);
  const ScmChartArea a = { 50, 20, 200, 140 };
  ScmChartStyle style;
  ScmTicks yt;
  /* Opaque, distinct colours so every pixel can be attributed. */
  const ScmRgba grid = { 0, 0.8, 0, 1 }, fg = { 0.8, 0, 0.8, 1 };
  const double xs[] = { 50, 150, 250 };
  const char *const labels[] = { "0", "5", "10" };

  scm_chart_style_init (&style, FALSE);
  style.grid = grid;
  style.fg = fg;
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  scm_ticks_compute (&yt, 0, 100, 4);
  scm_chart_draw_y_grid (cr, &a, &yt, &style);
  scm_chart_draw_x_axis (cr, &a, 3, xs, labels, &style);
  cairo_destroy (cr);
  {
    g_autofree char *png = g_build_filename (g_test_get_dir (G_TEST_BUILT), "test-axes-draw.png", NULL);
    cairo_surface_write_to_png (s, png);
  }

  /* The axis mapping: lo at the bottom edge, hi at the top. */
  g_assert_cmpfloat (scm_chart_axis_y (&a, &yt, yt.lo), ==, a.y + a.height);
  g_assert_cmpfloat (scm_chart_axis_y (&a, &yt, yt.hi), ==, a.y);
  /* One full-width grid row per tick, in the grid colour (the bottom one
   * is overdrawn by the x axis base line). */
  g_assert_cmpuint (yt.n, >=, 3);
  for (guint i = 1; i < yt.n; i++)
    {
      int y = (int) round (scm_chart_axis_y (&a, &yt, yt.values[i]));
      g_assert_cmpint (count_color (s, a.x, y, a.x + a.width, y + 1, grid), ==, (int) a.width);
    }
  /* Between grid rows the plot stays empty. */
  g_assert_cmpint (count_color (s, a.x, a.y + 5, a.x + a.width, a.y + 30, grid), ==, 0);
  /* Value labels left of the area (text is antialiased: count ink). */
  g_assert_cmpint (count_ink (s, 0, a.y - 8, a.x, a.y + a.height + 8), >, 40);
  g_assert_cmpint (count_ink (s, 0, 0, a.x, a.y - 8), ==, 0);
  /* Base line, tick marks below it at each x, labels under the marks. */
  int base = (int) (a.y + a.height);
  g_assert_cmpint (count_color (s, a.x, base, a.x + a.width, base + 1, fg), ==, (int) a.width);
  for (guint i = 0; i < G_N_ELEMENTS (xs); i++)
    g_assert_cmpint (count_color (s, xs[i], base + 1, xs[i] + 1, base + 4, fg), ==, 3);
  g_assert_cmpint (count_color (s, 100, base + 1, 140, base + 4, fg), ==, 0);
  g_assert_cmpint (count_ink (s, xs[1] - 10, base + 6, xs[1] + 10, 200), >, 5);
  g_assert_cmpint (count_ink (s, xs[1] + 20, base + 6, xs[2] - 20, 200), ==, 0);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/ticks/nice", test_ticks);
  g_test_add_func ("/app/chart/axes", test_axes_draw);
  g_test_add_func ("/app/qc/model", test_qc_model);
  g_test_add_func ("/app/qc/from-dataset", test_qc_from_dataset);
  g_test_add_func ("/app/qc/draw", test_qc_draw);
  g_test_add_func ("/app/loss/model", test_loss_model);
  g_test_add_func ("/app/loss/draw", test_loss_draw);
  return g_test_run ();
}
