/* test-checkpoint.c: checkpoint files round-trip every field exactly, and
 * damaged or foreign files give clear errors. */
#include "model/scm-checkpoint.h"
#include "scm-error.h"
#include "scm-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static ScmCheckpoint *
make_checkpoint (void)
{
  ScmCheckpoint *ck = scm_checkpoint_new ();
  g_assert_true (scm_preset_lookup ("tiny", &ck->preset, NULL));
  scm_preset_make_config (&ck->preset, 64, 3, 5, &ck->config);
  ck->stage = 2;
  ck->seed = G_GUINT64_CONSTANT (0xfeedfacecafebeef);
  ck->fraction = 0.3;
  ck->max_epochs = 7;
  ck->early_stopping = TRUE;
  ck->step = 123;
  ck->epoch = 4;
  ck->batch_in_epoch = 2;
  scm_rng_seed (&ck->rng, 99);
  ck->n_cells = 10;
  ck->n_order = 6;
  ck->order = g_new (gint32, 6);
  for (int i = 0; i < 6; i++)
    ck->order[i] = 9 - i;
  ck->role = g_new (guint8, 10);
  for (int i = 0; i < 10; i++)
    ck->role[i] = (guint8) (i % 3);
  ck->best_val_loss = 0.125;
  ck->bad_epochs = 2;
  ck->acc_loss = 1.5;
  ck->acc_n = 64;
  ck->acc_correct = 17;
  ck->genes = g_strsplit ("CD3E MS4A1 NKG7", " ", -1);
  ck->proteins = g_strsplit ("CD3 CD4 CD8a", " ", -1);
  ck->classes = g_strsplit ("B,T cell,NK,Mono,DC", ",", -1);
  int s1[2] = { 4, 3 }, s2[1] = { 5 }, s3[3] = { 1, 1, 16 };
  float a[16], m[16], v[16];
  for (int i = 0; i < 16; i++)
    {
      a[i] = (float) sin (i) * 1e-3f;
      m[i] = (float) i / 7.0f;
      v[i] = 1e-9f * (float) i;
    }
  scm_checkpoint_add_tensor (ck, "enc_rna.blocks.0.qkv.weight", 2, s1, a, m, v);
  scm_checkpoint_add_tensor (ck, "head.bias", 1, s2, a + 3, m + 3, v + 3);
  scm_checkpoint_add_tensor (ck, "enc_rna.cls_token", 3, s3, a, m, v);
  ScmEpochRecord e = { 1, 5e-4, 2.0, NAN, NAN, 0.5, 1.9, 0.6, 3.25 };
  g_array_append_val (ck->epochs, e);
  float sl[3] = { 2.5f, 2.25f, 2.0f };
  g_array_append_vals (ck->step_losses, sl, 3);
  return ck;
}

static void
test_round_trip (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "ck.h5", NULL);
  g_autoptr (ScmCheckpoint) ck = make_checkpoint ();
  g_autoptr (GError) error = NULL;
  g_assert_true (scm_checkpoint_save (ck, path, &error));
  g_assert_no_error (error);
  g_autoptr (ScmCheckpoint) r = scm_checkpoint_load (path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->stage, ==, 2);
  g_assert_cmpuint (r->seed, ==, ck->seed);
  g_assert_cmpint (r->step, ==, 123);
  g_assert_cmpint (r->epoch, ==, 4);
  g_assert_cmpint (r->batch_in_epoch, ==, 2);
  g_assert_cmpint (r->max_epochs, ==, 7);
  g_assert_true (r->early_stopping);
  g_assert_cmpmem (&r->rng, sizeof r->rng, &ck->rng, sizeof ck->rng);
  g_assert_cmpmem (&r->config, sizeof r->config, &ck->config, sizeof ck->config);
  g_assert_cmpstr (r->preset.name, ==, "tiny");
  g_assert_cmpint (r->preset.batch, ==, ck->preset.batch);
  g_assert_cmpfloat (r->preset.lr, ==, ck->preset.lr);
  g_assert_cmpint (r->n_order, ==, 6);
  g_assert_cmpmem (r->order, 6 * 4, ck->order, 6 * 4);
  g_assert_cmpint (r->n_cells, ==, 10);
  g_assert_cmpmem (r->role, 10, ck->role, 10);
  g_assert_cmpfloat (r->best_val_loss, ==, 0.125);
  g_assert_cmpint (r->bad_epochs, ==, 2);
  g_assert_cmpint (r->acc_correct, ==, 17);
  g_assert_true (g_strv_equal ((const char *const *) r->genes, (const char *const *) ck->genes));
  g_assert_true (g_strv_equal ((const char *const *) r->classes, (const char *const *) ck->classes));
  g_assert_cmpuint (r->tensors->len, ==, 3);
  for (guint i = 0; i < ck->tensors->len; i++)
    {
      ScmCkptTensor *a = g_ptr_array_index (ck->tensors, i);
      ScmCkptTensor *b = scm_checkpoint_find_tensor (r, a->name);
      g_assert_nonnull (b);
      g_assert_cmpint (b->ndim, ==, a->ndim);
      g_assert_cmpmem (b->shape, sizeof b->shape, a->shape, sizeof a->shape);
      g_assert_cmpmem (b->param, b->numel * 4, a->param, a->numel * 4);
      g_assert_cmpmem (b->m, b->numel * 4, a->m, a->numel * 4);
      g_assert_cmpmem (b->v, b->numel * 4, a->v, a->numel * 4);
    }
  g_assert_cmpuint (r->epochs->len, ==, 1);
  ScmEpochRecord *e = &g_array_index (r->epochs, ScmEpochRecord, 0);
  g_assert_cmpfloat (e->heldout_acc, ==, 0.6);
  g_assert_true (isnan (e->train_rna));
  g_assert_cmpuint (r->step_losses->len, ==, 3);
  g_assert_cmpfloat (g_array_index (r->step_losses, float, 2), ==, 2.0f);

  /* without the optimiser state */
  g_autoptr (ScmCheckpoint) w = scm_checkpoint_load (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (((ScmCkptTensor *) g_ptr_array_index (w->tensors, 0))->m);
  scm_test_rmdir (dir);
}

static void
test_bad_files (void)
{
  g_autofree char *dir = scm_test_tmpdir ();
  g_autofree char *txt = g_build_filename (dir, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (txt, "hello", -1, NULL));
  g_autoptr (GError) error = NULL;
  g_assert_null (scm_checkpoint_load (txt, TRUE, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "notes.txt"));
  g_clear_error (&error);

  g_autofree char *missing = g_build_filename (dir, "missing.h5", NULL);
  g_assert_null (scm_checkpoint_load (missing, TRUE, &error));
  g_assert_error (error, SCM_ERROR, SCM_ERROR_IO);
  g_clear_error (&error);

  /* writing into a directory that does not exist fails cleanly */
  g_autofree char *bad = g_build_filename (dir, "no", "such", "ck.h5", NULL);
  g_autoptr (ScmCheckpoint) ck = make_checkpoint ();
  g_assert_false (scm_checkpoint_save (ck, bad, &error));
  g_assert_nonnull (error);
  scm_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/checkpoint/round-trip", test_round_trip);
  g_test_add_func ("/model/checkpoint/bad-files", test_bad_files);
  return g_test_run ();
}
