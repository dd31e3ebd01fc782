/* test-model-ref.c: the C model against the PyTorch reference dumps,
 * tensor by tensor (../shared/reference/tiny_{f64,f32}[_noqkvbias]).
 *
 * For each folder and stage: load the initial parameters by name, inject
 * the reference's permutations, run forward + backward, then compare every
 * activation that has a counterpart, the losses, every gradient, and every
 * parameter after one AdamW step.  float64 must agree to 1e-9 relative
 * (max |a - b| / max |b|), float32 to 1e-4.  The worst tensor of each run
 * is reported with g_test_message.  Skips when the reference is absent.
 */
#include <math.h>
#include <string.h>

#include "scm-test-util.h"
#include "scm-ref-tensors.h"
#include "model/scm-model-f64.h"

/* A thin precision-neutral view of the model: everything through doubles. */
typedef struct {
  gboolean f64;
  ScmModel *m32;
  ScmModelF64 *m64;
} Any;

static void
any_new (Any *a, gboolean f64, const ScmModelConfig *c, ScmStage stage, int B, int micro)
{
  g_autoptr (GError) error = NULL;
  a->f64 = f64;
  a->m32 = NULL;
  a->m64 = NULL;
  if (f64)
    a->m64 = scm_model_f64_new_with_micro_batch (c, stage, B, micro, &error);
  else
    a->m32 = scm_model_new_with_micro_batch (c, stage, B, micro, &error);
  g_assert_no_error (error);
}

static void
any_free (Any *a)
{
  scm_model_free (a->m32);
  scm_model_f64_free (a->m64);
}

static int
any_n_tensors (Any *a)
{
  return a->f64 ? scm_model_f64_n_tensors (a->m64) : scm_model_n_tensors (a->m32);
}

static const char *
any_name (Any *a, int i)
{
  return a->f64 ? scm_model_f64_tensor_name (a->m64, i) : scm_model_tensor_name (a->m32, i);
}

static gsize
any_numel (Any *a, int i)
{
  return a->f64 ? scm_model_f64_tensor_numel (a->m64, i) : scm_model_tensor_numel (a->m32, i);
}

static void
any_get (Any *a, ScmTensorKind k, int i, double *dst)
{
  gsize n = any_numel (a, i);
  if (a->f64)
    memcpy (dst, scm_model_f64_tensor_data (a->m64, k, i), n * sizeof (double));
  else
    {
      const float *s = scm_model_tensor_data (a->m32, k, i);
      for (gsize j = 0; j < n; j++)
        dst[j] = s[j];
    }
}

static void
any_set (Any *a, ScmTensorKind k, int i, const double *src)
{
  gsize n = any_numel (a, i);
  if (a->f64)
    memcpy (scm_model_f64_tensor_data (a->m64, k, i), src, n * sizeof (double));
  else
    {
      float *d = scm_model_tensor_data (a->m32, k, i);
      for (gsize j = 0; j < n; j++)
        d[j] = (float) src[j];
    }
}

static float *
to_f32 (const double *x, gsize n)
{
  if (x == NULL)
    return NULL;
  float *f = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    f[i] = (float) x[i];
  return f;
}

static void
any_fwd_bwd (Any *a, const double *xr, gsize nr, const double *xa, gsize na, const gint32 *y,
             int B, ScmLosses *L)
{
  g_autoptr (GError) error = NULL;
  ScmRng rng;
  scm_rng_seed (&rng, 7);
  gboolean ok;
  if (a->f64)
    {
      scm_model_f64_zero_grad (a->m64);
      ok = scm_model_f64_forward_backward (a->m64, xr, xa, y, B, &rng, L, &error);
    }
  else
    {
      g_autofree float *fr = to_f32 (xr, nr);
      g_autofree float *fa = to_f32 (xa, na);
      scm_model_zero_grad (a->m32);
      ok = scm_model_forward_backward (a->m32, fr, fa, y, B, &rng, L, &error);
    }
  g_assert_no_error (error);
  g_assert_true (ok);
}

static gssize
any_act (Any *a, const char *name, double *dst, gsize n)
{
  if (a->f64)
    return scm_model_f64_debug_activation (a->m64, name, dst, n);
  g_autofree float *tmp = g_new (float, n);
  gssize k = scm_model_debug_activation (a->m32, name, tmp, n);
  for (gssize i = 0; i < k; i++)
    dst[i] = tmp[i];
  return k;
}

/* ---- the comparison ---- */

typedef struct {
  double worst;
  char *worst_name;
  int n_compared;
} Worst;

static void
note (Worst *w, const char *name, double err, double tol)
{
  w->n_compared++;
  if (err > w->worst || w->worst_name == NULL)
    {
      w->worst = err;
      g_free (w->worst_name);
      w->worst_name = g_strdup (name);
    }
  if (!(err <= tol))
    g_test_message ("MISMATCH %s: relative error %.3g > %.1g", name, err, tol);
}

static ScmModelConfig
tiny_config (gboolean qkv_bias)
{
  /* ref_scmmae.py tiny_config() */
  ScmModelConfig c = {
    .n_genes = 40, .rna_tokens = 4, .rna_tok_dim = 10,
    .n_adt = 3, .adt_tokens = 3, .adt_tok_dim = 1,
    .dim = 16, .heads = 2, .mlp_ratio = 4, .enc_depth = 2, .dec_depth = 1,
    .mask_ratio = 0.15, .mask_ratio_adt = 0.15, .dropout = 0.0, .ln_eps = 1e-5,
    .n_classes = 5, .w_rna = 0.7, .w_adt = 0.3, .qkv_bias = qkv_bias,
  };
  return c;
}

static void
run_folder_stage (const char *folder, int stage, int micro)
{
  g_autofree char *dir = scm_test_reference_path (folder);
  if (dir == NULL)
    return;
  g_autoptr (GError) error = NULL;
  ScmRefTensors *r = scm_ref_tensors_open (dir, &error);
  g_assert_no_error (error);
  gboolean f64 = strstr (folder, "f64") != NULL;
  gboolean qkv_bias = strstr (folder, "noqkvbias") == NULL;
  double tol = f64 ? 1e-9 : 1e-4;
  ScmModelConfig c = tiny_config (qkv_bias);
  const int B = 4;

  gsize nr, na, ny;
  g_autofree double *xr = scm_ref_tensors_get_f64 (r, "input.x_rna", &nr);
  g_autofree double *xa = scm_ref_tensors_get_f64 (r, "input.x_adt", &na);
  g_autofree gint32 *y = scm_ref_tensors_get_i32 (r, "input.y", &ny);
  g_autofree gint32 *fr = scm_ref_tensors_get_i32 (r, "input.fwd_rna", NULL);
  g_autofree gint32 *fa = scm_ref_tensors_get_i32 (r, "input.fwd_adt", NULL);
  g_assert_nonnull (xr);
  g_assert_nonnull (xa);
  g_assert_nonnull (y);
  g_assert_cmpuint (nr, ==, (gsize) B * c.n_genes);

  Any a;
  any_new (&a, f64, &c, (ScmStage) stage, B, micro);
  if (stage == 1)
    {
      if (f64)
        scm_model_f64_set_fixed_perms (a.m64, fr, fa, B);
      else
        scm_model_set_fixed_perms (a.m32, fr, fa, B);
    }

  /* parameters by name, both ways */
  g_autofree char *pfx = g_strdup_printf ("s%d.param.", stage);
  int n_ref_params = 0;
  for (guint i = 0; i < r->entries->len; i++)
    if (g_str_has_prefix (g_array_index (r->entries, ScmRefEntry, i).name, pfx))
      n_ref_params++;
  g_assert_cmpint (any_n_tensors (&a), ==, n_ref_params);
  for (int i = 0; i < any_n_tensors (&a); i++)
    {
      g_autofree char *nm = g_strdup_printf ("%s%s", pfx, any_name (&a, i));
      gsize n = 0;
      g_autofree double *v = scm_ref_tensors_get_f64 (r, nm, &n);
      if (v == NULL)
        g_error ("reference has no %s", nm);
      g_assert_cmpuint (n, ==, any_numel (&a, i));
      any_set (&a, SCM_TENSOR_PARAM, i, v);
    }

  ScmLosses L;
  any_fwd_bwd (&a, xr, nr, stage == 3 ? NULL : xa, na, stage == 1 ? NULL : y, B, &L);

  Worst w = { 0 };
  /* loss */
  {
    g_autofree char *nm = g_strdup_printf ("s%d.loss", stage);
    g_autofree double *ref = scm_ref_tensors_get_f64 (r, nm, NULL);
    g_assert_nonnull (ref);
    note (&w, nm, fabs (L.total - ref[0]) / MAX (fabs (ref[0]), 1e-30), tol);
    if (stage == 1)
      {
        g_autofree double *lr = scm_ref_tensors_get_f64 (r, "s1.act.loss_rna", NULL);
        g_autofree double *la = scm_ref_tensors_get_f64 (r, "s1.act.loss_adt", NULL);
        note (&w, "s1.act.loss_rna", fabs (L.rna - lr[0]) / fabs (lr[0]), tol);
        note (&w, "s1.act.loss_adt", fabs (L.adt - la[0]) / fabs (la[0]), tol);
      }
  }
  /* activations (only meaningful when the whole batch is one micro-batch) */
  int n_act = 0;
  if (micro >= B)
    {
      g_autofree char *apfx = g_strdup_printf ("s%d.act.", stage);
      for (guint i = 0; i < r->entries->len; i++)
        {
          const ScmRefEntry *e = &g_array_index (r->entries, ScmRefEntry, i);
          if (!g_str_has_prefix (e->name, apfx) || g_str_has_prefix (e->name + strlen (apfx), "loss_"))
            continue;
          g_autofree double *ref = scm_ref_tensors_get_f64 (r, e->name, NULL);
          g_autofree double *mine = g_new0 (double, e->numel + 1);
          gssize k = any_act (&a, e->name + strlen (apfx), mine, e->numel + 1);
          if (k <= 0)
            g_error ("model has no activation %s", e->name);
          g_assert_cmpint (k, ==, (gssize) e->numel);
          note (&w, e->name, scm_ref_rel_error (mine, ref, e->numel, 1e-30), tol);
          n_act++;
        }
      g_assert_cmpint (n_act, >, 10);
    }
  /* gradients */
  for (int i = 0; i < any_n_tensors (&a); i++)
    {
      g_autofree char *nm = g_strdup_printf ("s%d.grad.%s", stage, any_name (&a, i));
      gsize n = any_numel (&a, i);
      g_autofree double *ref = scm_ref_tensors_get_f64 (r, nm, NULL);
      g_autofree double *mine = g_new (double, n);
      any_get (&a, SCM_TENSOR_GRAD, i, mine);
      note (&w, nm, scm_ref_rel_error (mine, ref, n, 1e-12), tol);
    }
  /* One AdamW step.  In float32 the step starts from the REFERENCE
   * gradients: for parameters whose true gradient is zero (the k part of
   * the qkv bias: softmax ignores a per-row constant) both sides hold float
   * noise of ~1e-9, and AdamW's first step turns any noise above eps into
   * a full +-lr move, so comparing end to end would test the noise.  In
   * float64 the noise is below eps and the whole chain is compared. */
  if (!f64)
    for (int i = 0; i < any_n_tensors (&a); i++)
      {
        g_autofree char *nm = g_strdup_printf ("s%d.grad.%s", stage, any_name (&a, i));
        g_autofree double *ref = scm_ref_tensors_get_f64 (r, nm, NULL);
        any_set (&a, SCM_TENSOR_GRAD, i, ref);
      }
  ScmAdamWParams hp = { 5e-4 * 128 / 256, 0.9, 0.999, 1e-8, 1e-4 };
  if (f64)
    scm_model_f64_adamw_step (a.m64, &hp, 1);
  else
    scm_model_adamw_step (a.m32, &hp, 1);
  for (int i = 0; i < any_n_tensors (&a); i++)
    {
      g_autofree char *nm = g_strdup_printf ("s%d.param_after_step1.%s", stage, any_name (&a, i));
      gsize n = any_numel (&a, i);
      g_autofree double *ref = scm_ref_tensors_get_f64 (r, nm, NULL);
      g_autofree double *mine = g_new (double, n);
      any_get (&a, SCM_TENSOR_PARAM, i, mine);
      note (&w, nm, scm_ref_rel_error (mine, ref, n, 1e-12), tol);
    }
  g_test_message ("%s stage %d micro %d: %d tensors (%d activations), worst %s rel %.3g (tol %.0e)",
                  folder, stage, micro, w.n_compared, n_act, w.worst_name, w.worst, tol);
  g_assert_cmpfloat (w.worst, <=, tol);
  g_free (w.worst_name);
  any_free (&a);
  scm_ref_tensors_free (r);
}

typedef struct {
  const char *folder;
  int stage;
  int micro;
} Case;

static void
test_case (gconstpointer data)
{
  const Case *k = data;
  run_folder_stage (k->folder, k->stage, k->micro);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  static const char *folders[] = { "tiny_f64_noqkvbias", "tiny_f64", "tiny_f32_noqkvbias", "tiny_f32" };
  static Case cases[4 * 3 * 2];
  int n = 0;
  for (int f = 0; f < 4; f++)
    for (int s = 1; s <= 3; s++)
      for (int mi = 0; mi < 2; mi++)
        {
          /* micro 4 = whole batch (activations checked); micro 3 = two
           * micro-batches of 3 and 1 (gradient accumulation checked) */
          if (mi == 1 && f >= 2)
            continue;
          cases[n] = (Case) { folders[f], s, mi == 0 ? 4 : 3 };
          g_autofree char *path = g_strdup_printf ("/model/reference/%s/stage%d/micro%d",
                                                   folders[f], s, cases[n].micro);
          g_test_add_data_func (path, &cases[n], test_case);
          n++;
        }
  return g_test_run ();
}
