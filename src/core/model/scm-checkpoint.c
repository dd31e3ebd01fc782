/* scm-checkpoint.c: HDF5 reading and writing of ScmCheckpoint.
 *
 * Small local helpers instead of io's private ones: a checkpoint is a
 * fixed layout we write ourselves, so the reading side only needs to
 * check shapes and name what is missing.  Every HDF5 call runs under
 * scm_h5_lock(); HDF5's own error printing is silenced around them.
 */
#include "scm-checkpoint.h"
#include "scm-error.h"
#include "io/scm-io.h"
#include "util/scm-atomic-file.h"

#include <hdf5.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#define CKPT_FORMAT  "scmmae-checkpoint"
/* 2: /resume_params and state/best_epoch (stage 1 keeps its best epoch in
 * /params).  Version 1 files are read as "param is the last step". */
#define CKPT_VERSION 2

ScmCheckpoint *
scm_checkpoint_new (void)
{
  ScmCheckpoint *ck = g_new0 (ScmCheckpoint, 1);
  ck->tensors = g_ptr_array_new ();
  ck->epochs = g_array_new (FALSE, TRUE, sizeof (ScmEpochRecord));
  ck->step_losses = g_array_new (FALSE, TRUE, sizeof (float));
  ck->best_val_loss = INFINITY;
  return ck;
}

static void
tensor_free (ScmCkptTensor *t)
{
  g_free (t->name);
  g_free (t->param);
  g_free (t->resume_param);
  g_free (t->m);
  g_free (t->v);
  g_free (t);
}

void
scm_checkpoint_free (ScmCheckpoint *ck)
{
  if (ck == NULL)
    return;
  g_ptr_array_foreach (ck->tensors, (GFunc) tensor_free, NULL);
  g_ptr_array_free (ck->tensors, TRUE);
  g_array_free (ck->epochs, TRUE);
  g_array_free (ck->step_losses, TRUE);
  g_free (ck->order);
  g_free (ck->role);
  g_strfreev (ck->genes);
  g_strfreev (ck->proteins);
  g_strfreev (ck->classes);
  g_free (ck);
}

ScmCkptTensor *
scm_checkpoint_add_tensor (ScmCheckpoint *ck, const char *name, int ndim, const int *shape,
                           const float *param, const float *m, const float *v)
{
  ScmCkptTensor *t = g_new0 (ScmCkptTensor, 1);
  t->name = g_strdup (name);
  t->ndim = ndim;
  t->numel = 1;
  for (int i = 0; i < ndim && i < 3; i++)
    {
      t->shape[i] = shape[i];
      t->numel *= (gsize) shape[i];
    }
  gsize bytes = t->numel * sizeof (float);
  t->param = param ? g_memdup2 (param, bytes) : g_malloc0 (bytes);
  t->m = m ? g_memdup2 (m, bytes) : NULL;
  t->v = v ? g_memdup2 (v, bytes) : NULL;
  g_ptr_array_add (ck->tensors, t);
  return t;
}

void
scm_checkpoint_drop_resume_state (ScmCheckpoint *ck)
{
  for (guint i = 0; i < ck->tensors->len; i++)
    {
      ScmCkptTensor *t = g_ptr_array_index (ck->tensors, i);
      g_clear_pointer (&t->m, g_free);
      g_clear_pointer (&t->v, g_free);
      g_clear_pointer (&t->resume_param, g_free);
    }
}

ScmCkptTensor *
scm_checkpoint_find_tensor (const ScmCheckpoint *ck, const char *name)
{
  for (guint i = 0; i < ck->tensors->len; i++)
    {
      ScmCkptTensor *t = g_ptr_array_index (ck->tensors, i);
      if (strcmp (t->name, name) == 0)
        return t;
    }
  return NULL;
}

/* ---- the config tables: field name, kind, offset ---- */
typedef enum { F_INT, F_DOUBLE, F_BOOL } FieldKind;
typedef struct {
  const char *name;
  FieldKind   kind;
  gsize       offset;
} Field;

#define CF(n, k) { #n, k, offsetof (ScmModelConfig, n) }
static const Field config_fields[] = {
  CF (n_genes, F_INT), CF (rna_tokens, F_INT), CF (rna_tok_dim, F_INT), CF (n_adt, F_INT),
  CF (adt_tokens, F_INT), CF (adt_tok_dim, F_INT), CF (dim, F_INT), CF (heads, F_INT),
  CF (mlp_ratio, F_INT), CF (enc_depth, F_INT), CF (dec_depth, F_INT),
  CF (mask_ratio, F_DOUBLE), CF (mask_ratio_adt, F_DOUBLE), CF (dropout, F_DOUBLE),
  CF (ln_eps, F_DOUBLE), CF (n_classes, F_INT), CF (w_rna, F_DOUBLE), CF (w_adt, F_DOUBLE),
  CF (qkv_bias, F_BOOL),
};
#undef CF
#define PF(n, k) { "train_" #n, k, offsetof (ScmTrainPreset, n) }
static const Field preset_fields[] = {
  PF (n_genes, F_INT), PF (batch, F_INT), PF (lr, F_DOUBLE), PF (beta1, F_DOUBLE),
  PF (beta2, F_DOUBLE), PF (adam_eps, F_DOUBLE), PF (weight_decay, F_DOUBLE),
  PF (warmup_epochs, F_INT), PF (cosine_epochs, F_INT), PF (patience, F_INT),
  PF (val_fraction, F_DOUBLE),
};
#undef PF

/* ---- write helpers (caller holds the lock); return FALSE on failure ---- */
static gboolean
attr_write (hid_t obj, const char *name, hid_t type, const void *val, hsize_t n)
{
  hid_t sp = n == 0 ? H5Screate (H5S_SCALAR) : H5Screate_simple (1, &n, NULL);
  hid_t a = H5Acreate2 (obj, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = a >= 0 ? H5Awrite (a, type, val) : -1;
  if (a >= 0)
    H5Aclose (a);
  H5Sclose (sp);
  return st >= 0;
}

static gboolean
attr_i64 (hid_t obj, const char *name, gint64 v)
{
  return attr_write (obj, name, H5T_NATIVE_INT64, &v, 0);
}

static gboolean
attr_f64 (hid_t obj, const char *name, double v)
{
  return attr_write (obj, name, H5T_NATIVE_DOUBLE, &v, 0);
}

static gboolean
attr_str (hid_t obj, const char *name, const char *s)
{
  hid_t t = H5Tcopy (H5T_C_S1);
  H5Tset_size (t, H5T_VARIABLE);
  H5Tset_cset (t, H5T_CSET_UTF8);
  gboolean ok = attr_write (obj, name, t, &s, 0);
  H5Tclose (t);
  return ok;
}

static gboolean
write_fields (hid_t obj, const Field *f, gsize n, const void *base)
{
  for (gsize i = 0; i < n; i++)
    {
      const char *p = (const char *) base + f[i].offset;
      gboolean ok;
      if (f[i].kind == F_DOUBLE)
        ok = attr_f64 (obj, f[i].name, *(const double *) p);
      else
        ok = attr_i64 (obj, f[i].name, *(const int *) p);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
dset_write (hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank,
            const hsize_t *dims, const void *data)
{
  hsize_t one = 0;
  hid_t sp = H5Screate_simple (rank, rank > 0 ? dims : &one, NULL);
  hid_t d = H5Dcreate2 (loc, name, filetype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  gboolean empty = FALSE;
  for (int i = 0; i < rank; i++)
    if (dims[i] == 0)
      empty = TRUE;
  herr_t st = d >= 0 ? (empty ? 0 : H5Dwrite (d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data)) : -1;
  if (d >= 0)
    H5Dclose (d);
  H5Sclose (sp);
  return st >= 0;
}

static gboolean
write_strings (hid_t loc, const char *name, char **strv)
{
  hid_t t = H5Tcopy (H5T_C_S1);
  H5Tset_size (t, H5T_VARIABLE);
  H5Tset_cset (t, H5T_CSET_UTF8);
  const char *empty[1] = { NULL };
  hsize_t n = strv ? g_strv_length (strv) : 0;
  gboolean ok = dset_write (loc, name, t, t, 1, &n, strv ? (const void *) strv : empty);
  H5Tclose (t);
  return ok;
}

static gboolean
write_tensor_family (hid_t file, const char *group, const ScmCheckpoint *ck, int which)
{
  hid_t g = H5Gcreate2 (file, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0)
    return FALSE;
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < ck->tensors->len; i++)
    {
      ScmCkptTensor *t = g_ptr_array_index (ck->tensors, i);
      const float *data = which == 0 ? t->param : which == 1 ? t->m
                          : which == 2 ? t->v : t->resume_param;
      if (data == NULL)
        continue;
      hsize_t dims[3];
      for (int k = 0; k < t->ndim; k++)
        dims[k] = (hsize_t) t->shape[k];
      ok = dset_write (g, t->name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, t->ndim, dims, data);
    }
  H5Gclose (g);
  return ok;
}

static gboolean
write_all (hid_t f, const ScmCheckpoint *ck)
{
  gboolean ok = attr_str (f, "format", CKPT_FORMAT) && attr_i64 (f, "version", CKPT_VERSION)
                && attr_i64 (f, "stage", ck->stage) && attr_i64 (f, "step", ck->step)
                && attr_i64 (f, "epoch", ck->epoch)
                && attr_i64 (f, "batch_in_epoch", ck->batch_in_epoch)
                && attr_i64 (f, "finished", ck->finished)
                && attr_write (f, "seed", H5T_NATIVE_UINT64, &ck->seed, 0)
                && attr_f64 (f, "fraction", ck->fraction)
                && attr_i64 (f, "max_epochs", ck->max_epochs)
                && attr_i64 (f, "early_stopping", ck->early_stopping)
                && attr_str (f, "preset", ck->preset.name);
  if (!ok)
    return FALSE;

  hid_t g = H5Gcreate2 (f, "config", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0)
    return FALSE;
  ok = write_fields (g, config_fields, G_N_ELEMENTS (config_fields), &ck->config)
       && write_fields (g, preset_fields, G_N_ELEMENTS (preset_fields), &ck->preset);
  H5Gclose (g);
  if (!ok)
    return FALSE;

  /* tensor names in order, then the three families */
  char **names = g_new0 (char *, ck->tensors->len + 1);
  for (guint i = 0; i < ck->tensors->len; i++)
    names[i] = ((ScmCkptTensor *) g_ptr_array_index (ck->tensors, i))->name;
  ok = write_strings (f, "tensor_names", names);
  g_free (names);
  gboolean have_m = ck->tensors->len > 0
                    && ((ScmCkptTensor *) g_ptr_array_index (ck->tensors, 0))->m != NULL;
  gboolean have_resume = FALSE;
  for (guint i = 0; i < ck->tensors->len; i++)
    have_resume |= ((ScmCkptTensor *) g_ptr_array_index (ck->tensors, i))->resume_param != NULL;
  ok = ok && write_tensor_family (f, "params", ck, 0);
  if (ok && have_m)
    ok = write_tensor_family (f, "adam_m", ck, 1) && write_tensor_family (f, "adam_v", ck, 2);
  if (ok && have_resume)
    ok = write_tensor_family (f, "resume_params", ck, 3);
  if (!ok)
    return FALSE;

  g = H5Gcreate2 (f, "state", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0)
    return FALSE;
  hsize_t four = 4, n_order = (hsize_t) ck->n_order, n_cells = (hsize_t) ck->n_cells;
  ok = dset_write (g, "rng", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &four, ck->rng.s)
       && dset_write (g, "order", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, &n_order, ck->order)
       && dset_write (g, "role", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1, &n_cells, ck->role)
       && attr_f64 (g, "best_val_loss", ck->best_val_loss)
       && attr_i64 (g, "best_epoch", ck->best_epoch)
       && attr_i64 (g, "bad_epochs", ck->bad_epochs)
       && attr_f64 (g, "acc_loss", ck->acc_loss) && attr_f64 (g, "acc_rna", ck->acc_rna)
       && attr_f64 (g, "acc_adt", ck->acc_adt) && attr_i64 (g, "acc_correct", ck->acc_correct)
       && attr_i64 (g, "acc_n", ck->acc_n) && attr_f64 (g, "acc_seconds", ck->acc_seconds);
  H5Gclose (g);
  if (!ok)
    return FALSE;

  ok = write_strings (f, "genes", ck->genes) && write_strings (f, "proteins", ck->proteins)
       && write_strings (f, "classes", ck->classes);
  if (!ok)
    return FALSE;

  g = H5Gcreate2 (f, "history", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0)
    return FALSE;
  hsize_t ed[2] = { ck->epochs->len, SCM_CKPT_EPOCH_COLS };
  hsize_t ns = ck->step_losses->len;
  G_STATIC_ASSERT (sizeof (ScmEpochRecord) == SCM_CKPT_EPOCH_COLS * sizeof (double));
  ok = dset_write (g, "epochs", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, ed, ck->epochs->data)
       && dset_write (g, "steps", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, &ns, ck->step_losses->data)
       && attr_str (g, "epoch_columns",
                    "epoch lr train_loss train_rna train_adt train_acc val_loss heldout_acc seconds");
  H5Gclose (g);
  return ok;
}

gboolean
scm_checkpoint_save (const ScmCheckpoint *ck, const char *path, GError **error)
{
  g_autofree char *tmp = scm_atomic_file_begin (path, error);
  if (tmp == NULL)
    return FALSE;
  scm_h5_lock ();
  H5E_auto2_t old_func;
  void *old_data;
  H5Eget_auto2 (H5E_DEFAULT, &old_func, &old_data);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
  gboolean ok = FALSE;
  hid_t f = H5Fcreate (tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f >= 0)
    {
      ok = write_all (f, ck);
      if (H5Fclose (f) < 0)
        ok = FALSE;
    }
  H5Eset_auto2 (H5E_DEFAULT, old_func, old_data);
  scm_h5_unlock ();
  if (!ok)
    {
      scm_atomic_file_abort (tmp);
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot write the checkpoint (HDF5 error; "
                   "disk full or directory not writable?)", path);
      return FALSE;
    }
  return scm_atomic_file_commit (tmp, path, error);
}

/* ---- reading ---- */
typedef struct {
  const char *path;
  hid_t       file;
  GError    **error;
  gboolean    failed;
} Reader;

static void
rfail (Reader *r, int code, const char *object, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static void
rfail (Reader *r, int code, const char *object, const char *fmt, ...)
{
  if (r->failed)
    return;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (r->error, SCM_ERROR, code, "%s: checkpoint object '%s': %s", r->path, object, msg);
  r->failed = TRUE;
}

static gboolean
rattr (Reader *r, hid_t obj, const char *objname, const char *name, hid_t memtype, void *out)
{
  if (r->failed)
    return FALSE;
  if (H5Aexists (obj, name) <= 0)
    {
      rfail (r, SCM_ERROR_CORRUPT, objname, "attribute '%s' is missing", name);
      return FALSE;
    }
  hid_t a = H5Aopen (obj, name, H5P_DEFAULT);
  herr_t st = a >= 0 ? H5Aread (a, memtype, out) : -1;
  if (a >= 0)
    H5Aclose (a);
  if (st < 0)
    rfail (r, SCM_ERROR_CORRUPT, objname, "attribute '%s' cannot be read as a number", name);
  return st >= 0;
}

static gint64
rattr_i64 (Reader *r, hid_t obj, const char *objname, const char *name)
{
  gint64 v = 0;
  rattr (r, obj, objname, name, H5T_NATIVE_INT64, &v);
  return v;
}

static double
rattr_f64 (Reader *r, hid_t obj, const char *objname, const char *name)
{
  double v = 0;
  rattr (r, obj, objname, name, H5T_NATIVE_DOUBLE, &v);
  return v;
}

static char *
rattr_str (Reader *r, hid_t obj, const char *objname, const char *name)
{
  if (r->failed)
    return NULL;
  if (H5Aexists (obj, name) <= 0)
    {
      rfail (r, SCM_ERROR_FORMAT, objname, "attribute '%s' is missing", name);
      return NULL;
    }
  hid_t a = H5Aopen (obj, name, H5P_DEFAULT);
  hid_t ft = a >= 0 ? H5Aget_type (a) : -1;
  char *out = NULL;
  if (ft >= 0 && H5Tget_class (ft) == H5T_STRING && H5Tis_variable_str (ft) > 0)
    {
      hid_t t = H5Tcopy (H5T_C_S1);
      H5Tset_size (t, H5T_VARIABLE);
      H5Tset_cset (t, H5Tget_cset (ft));   /* HDF5 will not convert between csets */
      char *s = NULL;
      if (H5Aread (a, t, &s) >= 0 && s)
        {
          out = g_strdup (s);
          H5free_memory (s);
        }
      H5Tclose (t);
    }
  if (ft >= 0)
    H5Tclose (ft);
  if (a >= 0)
    H5Aclose (a);
  if (out == NULL)
    rfail (r, SCM_ERROR_FORMAT, objname, "attribute '%s' is not a string", name);
  return out;
}

static void
read_fields (Reader *r, hid_t obj, const Field *f, gsize n, void *base)
{
  for (gsize i = 0; i < n && !r->failed; i++)
    {
      char *p = (char *) base + f[i].offset;
      if (f[i].kind == F_DOUBLE)
        *(double *) p = rattr_f64 (r, obj, "config", f[i].name);
      else
        {
          gint64 v = rattr_i64 (r, obj, "config", f[i].name);
          if (v < G_MININT || v > G_MAXINT)
            rfail (r, SCM_ERROR_CORRUPT, "config", "'%s' = %" G_GINT64_FORMAT " is out of range",
                   f[i].name, v);
          *(int *) p = (int) v;
        }
    }
}

/* Reads a numeric dataset with the expected rank and dims (dims[i] < 0:
 * any, set on return).  Returns a g_try_malloc'd buffer or NULL. */
static void *
rdset (Reader *r, hid_t loc, const char *name, const char *objname, hid_t memtype,
       gsize elem, int rank, gint64 *dims)
{
  if (r->failed)
    return NULL;
  if (H5Lexists (loc, name, H5P_DEFAULT) <= 0)
    {
      rfail (r, SCM_ERROR_CORRUPT, objname, "dataset is missing");
      return NULL;
    }
  hid_t d = H5Dopen2 (loc, name, H5P_DEFAULT);
  if (d < 0)
    {
      rfail (r, SCM_ERROR_CORRUPT, objname, "not a dataset");
      return NULL;
    }
  hid_t sp = H5Dget_space (d);
  int rk = H5Sget_simple_extent_ndims (sp);
  hsize_t hd[4] = { 0 };
  void *buf = NULL;
  if (rk != rank || rk > 4)
    rfail (r, SCM_ERROR_CORRUPT, objname, "rank %d, expected %d", rk, rank);
  else
    {
      H5Sget_simple_extent_dims (sp, hd, NULL);
      gsize total = 1;
      for (int i = 0; i < rank; i++)
        {
          if (dims[i] >= 0 && (gint64) hd[i] != dims[i])
            {
              rfail (r, SCM_ERROR_CORRUPT, objname,
                     "dimension %d is %" G_GUINT64_FORMAT ", expected %" G_GINT64_FORMAT, i,
                     (guint64) hd[i], dims[i]);
              break;
            }
          dims[i] = (gint64) hd[i];
          total *= (gsize) hd[i];
        }
      if (!r->failed)
        {
          if (total > G_MAXSIZE / elem / 2)
            rfail (r, SCM_ERROR_NO_MEMORY, objname, "too large");
          else if ((buf = g_try_malloc0 (MAX (total, 1) * elem)) == NULL)
            rfail (r, SCM_ERROR_NO_MEMORY, objname, "cannot allocate %.1f MiB",
                   (double) total * elem / 1048576.0);
          else if (total > 0 && H5Dread (d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
            {
              rfail (r, SCM_ERROR_CORRUPT, objname, "cannot be read (damaged file?)");
              g_clear_pointer (&buf, g_free);
            }
        }
    }
  H5Sclose (sp);
  H5Dclose (d);
  return buf;
}

static char **
rstrings (Reader *r, hid_t loc, const char *name)
{
  if (r->failed)
    return NULL;
  if (H5Lexists (loc, name, H5P_DEFAULT) <= 0)
    {
      rfail (r, SCM_ERROR_CORRUPT, name, "dataset is missing");
      return NULL;
    }
  hid_t d = H5Dopen2 (loc, name, H5P_DEFAULT);
  hid_t ft = d >= 0 ? H5Dget_type (d) : -1;
  hid_t sp = d >= 0 ? H5Dget_space (d) : -1;
  char **out = NULL;
  if (ft < 0 || H5Tget_class (ft) != H5T_STRING || H5Tis_variable_str (ft) <= 0
      || H5Sget_simple_extent_ndims (sp) != 1)
    rfail (r, SCM_ERROR_CORRUPT, name, "not a 1-D variable-length string dataset");
  else
    {
      hsize_t n = 0;
      H5Sget_simple_extent_dims (sp, &n, NULL);
      char **raw = g_try_malloc0 ((n + 1) * sizeof (char *));
      hid_t t = H5Tcopy (H5T_C_S1);
      H5Tset_size (t, H5T_VARIABLE);
      H5Tset_cset (t, H5Tget_cset (ft));
      if (raw == NULL)
        rfail (r, SCM_ERROR_NO_MEMORY, name, "too many strings");
      else if (n > 0 && H5Dread (d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0)
        rfail (r, SCM_ERROR_CORRUPT, name, "cannot be read");
      else
        {
          out = g_new0 (char *, n + 1);
          for (hsize_t i = 0; i < n; i++)
            out[i] = g_strdup (raw[i] ? raw[i] : "");
          if (n > 0)
            H5Dvlen_reclaim (t, sp, H5P_DEFAULT, raw);
        }
      g_free (raw);
      H5Tclose (t);
    }
  if (ft >= 0)
    H5Tclose (ft);
  if (sp >= 0)
    H5Sclose (sp);
  if (d >= 0)
    H5Dclose (d);
  return out;
}

static float *
rtensor (Reader *r, const char *group, const ScmCkptTensor *t)
{
  g_autofree char *obj = g_strdup_printf ("%s/%s", group, t->name);
  gint64 dims[3] = { -1, -1, -1 };
  hid_t g = H5Gopen2 (r->file, group, H5P_DEFAULT);
  if (g < 0)
    {
      rfail (r, SCM_ERROR_CORRUPT, group, "group is missing");
      return NULL;
    }
  float *buf = rdset (r, g, t->name, obj, H5T_NATIVE_FLOAT, sizeof (float), t->ndim, dims);
  H5Gclose (g);
  return buf;
}

static ScmCheckpoint *
read_all (Reader *r, gboolean with_optimizer)
{
  hid_t f = r->file;
  g_autoptr (ScmCheckpoint) ck = scm_checkpoint_new ();
  g_autofree char *fmt = H5Aexists (f, "format") > 0 ? rattr_str (r, f, "/", "format") : NULL;
  if (!r->failed && g_strcmp0 (fmt, CKPT_FORMAT) != 0)
    {
      g_set_error (r->error, SCM_ERROR, SCM_ERROR_FORMAT,
                   "%s: not an scMMAE checkpoint (no format=\"%s\" attribute on /)", r->path,
                   CKPT_FORMAT);
      r->failed = TRUE;
      return NULL;
    }
  gint64 version = rattr_i64 (r, f, "/", "version");
  if (!r->failed && (version < 1 || version > CKPT_VERSION))
    {
      g_set_error (r->error, SCM_ERROR, SCM_ERROR_UNSUPPORTED,
                   "%s: checkpoint version %" G_GINT64_FORMAT " (this build reads 1 to %d)", r->path,
                   version, CKPT_VERSION);
      r->failed = TRUE;
      return NULL;
    }
  ck->stage = (int) rattr_i64 (r, f, "/", "stage");
  ck->step = rattr_i64 (r, f, "/", "step");
  ck->epoch = (int) rattr_i64 (r, f, "/", "epoch");
  ck->batch_in_epoch = (int) rattr_i64 (r, f, "/", "batch_in_epoch");
  ck->finished = rattr_i64 (r, f, "/", "finished") != 0;
  rattr (r, f, "/", "seed", H5T_NATIVE_UINT64, &ck->seed);
  ck->fraction = rattr_f64 (r, f, "/", "fraction");
  ck->max_epochs = (int) rattr_i64 (r, f, "/", "max_epochs");
  ck->early_stopping = rattr_i64 (r, f, "/", "early_stopping") != 0;
  g_autofree char *preset = rattr_str (r, f, "/", "preset");
  if (preset)
    g_strlcpy (ck->preset.name, preset, sizeof ck->preset.name);
  if (!r->failed && (ck->stage < 1 || ck->stage > 3))
    rfail (r, SCM_ERROR_CORRUPT, "/", "stage %d is not 1, 2 or 3", ck->stage);

  if (!r->failed)
    {
      hid_t g = H5Lexists (f, "config", H5P_DEFAULT) > 0 ? H5Gopen2 (f, "config", H5P_DEFAULT) : -1;
      if (g < 0)
        rfail (r, SCM_ERROR_CORRUPT, "config", "group is missing");
      else
        {
          read_fields (r, g, config_fields, G_N_ELEMENTS (config_fields), &ck->config);
          read_fields (r, g, preset_fields, G_N_ELEMENTS (preset_fields), &ck->preset);
          /* the preset's architecture is the checkpoint's */
          ck->preset.model = ck->config;
          H5Gclose (g);
        }
    }

  g_auto (GStrv) names = rstrings (r, f, "tensor_names");
  for (guint i = 0; names && names[i] && !r->failed; i++)
    {
      g_autofree char *obj = g_strdup_printf ("params/%s", names[i]);
      hid_t g = H5Gopen2 (f, "params", H5P_DEFAULT);
      if (g < 0)
        {
          rfail (r, SCM_ERROR_CORRUPT, "params", "group is missing");
          break;
        }
      hid_t d = H5Lexists (g, names[i], H5P_DEFAULT) > 0 ? H5Dopen2 (g, names[i], H5P_DEFAULT) : -1;
      int rank = -1;
      if (d >= 0)
        {
          hid_t sp = H5Dget_space (d);
          rank = H5Sget_simple_extent_ndims (sp);
          H5Sclose (sp);
          H5Dclose (d);
        }
      H5Gclose (g);
      if (rank < 1 || rank > 3)
        {
          rfail (r, SCM_ERROR_CORRUPT, obj, rank < 0 ? "dataset is missing" : "rank %d is not 1-3",
                 rank);
          break;
        }
      gint64 dims[3] = { -1, -1, -1 };
      g = H5Gopen2 (f, "params", H5P_DEFAULT);
      float *p = rdset (r, g, names[i], obj, H5T_NATIVE_FLOAT, sizeof (float), rank, dims);
      H5Gclose (g);
      if (p == NULL)
        break;
      int shape[3] = { (int) dims[0], rank > 1 ? (int) dims[1] : 0, rank > 2 ? (int) dims[2] : 0 };
      ScmCkptTensor *t = scm_checkpoint_add_tensor (ck, names[i], rank, shape, NULL, NULL, NULL);
      g_free (t->param);
      t->param = p;
      if (with_optimizer && H5Lexists (f, "adam_m", H5P_DEFAULT) > 0)
        {
          t->m = rtensor (r, "adam_m", t);
          t->v = rtensor (r, "adam_v", t);
        }
      /* a tensor may lack resume parameters (equal to /params) */
      if (with_optimizer && H5Lexists (f, "resume_params", H5P_DEFAULT) > 0)
        {
          hid_t rg = H5Gopen2 (f, "resume_params", H5P_DEFAULT);
          gboolean has = rg >= 0 && H5Lexists (rg, names[i], H5P_DEFAULT) > 0;
          if (rg >= 0)
            H5Gclose (rg);
          if (has)
            t->resume_param = rtensor (r, "resume_params", t);
        }
    }

  if (!r->failed)
    {
      hid_t g = H5Lexists (f, "state", H5P_DEFAULT) > 0 ? H5Gopen2 (f, "state", H5P_DEFAULT) : -1;
      if (g < 0)
        rfail (r, SCM_ERROR_CORRUPT, "state", "group is missing");
      else
        {
          gint64 d4[1] = { 4 }, dord[1] = { -1 }, drole[1] = { -1 };
          guint64 *rng = rdset (r, g, "rng", "state/rng", H5T_NATIVE_UINT64, 8, 1, d4);
          if (rng)
            memcpy (ck->rng.s, rng, sizeof ck->rng.s);
          g_free (rng);
          ck->order = rdset (r, g, "order", "state/order", H5T_NATIVE_INT32, 4, 1, dord);
          ck->n_order = dord[0];
          ck->role = rdset (r, g, "role", "state/role", H5T_NATIVE_UINT8, 1, 1, drole);
          ck->n_cells = drole[0];
          ck->best_val_loss = rattr_f64 (r, g, "state", "best_val_loss");
          ck->bad_epochs = (int) rattr_i64 (r, g, "state", "bad_epochs");
          if (version >= 2)
            ck->best_epoch = (int) rattr_i64 (r, g, "state", "best_epoch");
          ck->acc_loss = rattr_f64 (r, g, "state", "acc_loss");
          ck->acc_rna = rattr_f64 (r, g, "state", "acc_rna");
          ck->acc_adt = rattr_f64 (r, g, "state", "acc_adt");
          ck->acc_correct = rattr_i64 (r, g, "state", "acc_correct");
          ck->acc_n = rattr_i64 (r, g, "state", "acc_n");
          ck->acc_seconds = rattr_f64 (r, g, "state", "acc_seconds");
          H5Gclose (g);
        }
      for (gint64 i = 0; !r->failed && i < ck->n_order; i++)
        if (ck->order[i] < 0 || ck->order[i] >= ck->n_cells)
          rfail (r, SCM_ERROR_CORRUPT, "state/order", "cell index %d out of range",
                 ck->order[i]);
    }
  ck->genes = rstrings (r, f, "genes");
  ck->proteins = rstrings (r, f, "proteins");
  ck->classes = rstrings (r, f, "classes");

  if (!r->failed && H5Lexists (f, "history", H5P_DEFAULT) > 0)
    {
      hid_t g = H5Gopen2 (f, "history", H5P_DEFAULT);
      gint64 ed[2] = { -1, SCM_CKPT_EPOCH_COLS }, sd[1] = { -1 };
      double *e = rdset (r, g, "epochs", "history/epochs", H5T_NATIVE_DOUBLE, 8, 2, ed);
      float *s = rdset (r, g, "steps", "history/steps", H5T_NATIVE_FLOAT, 4, 1, sd);
      if (e)
        g_array_append_vals (ck->epochs, e, (guint) ed[0]);
      if (s)
        g_array_append_vals (ck->step_losses, s, (guint) sd[0]);
      g_free (e);
      g_free (s);
      H5Gclose (g);
    }
  if (r->failed)
    return NULL;
  return g_steal_pointer (&ck);
}

ScmCheckpoint *
scm_checkpoint_load (const char *path, gboolean with_optimizer, GError **error)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: no such checkpoint file", path);
      return NULL;
    }
  scm_h5_lock ();
  H5E_auto2_t old_func;
  void *old_data;
  H5Eget_auto2 (H5E_DEFAULT, &old_func, &old_data);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
  ScmCheckpoint *ck = NULL;
  if (H5Fis_hdf5 (path) <= 0)
    g_set_error (error, SCM_ERROR, SCM_ERROR_FORMAT, "%s: not an HDF5 file, so not an scMMAE "
                 "checkpoint", path);
  else
    {
      Reader r = { path, H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT), error, FALSE };
      if (r.file < 0)
        g_set_error (error, SCM_ERROR, SCM_ERROR_IO, "%s: cannot open the checkpoint", path);
      else
        {
          ck = read_all (&r, with_optimizer);
          H5Fclose (r.file);
        }
    }
  H5Eset_auto2 (H5E_DEFAULT, old_func, old_data);
  scm_h5_unlock ();
  return ck;
}
