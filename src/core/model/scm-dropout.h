/* scm-dropout.h: counter-based dropout masks.
 *
 * Instead of drawing and storing a mask per element (19% of PyTorch's step
 * time), the keep decision of element i at dropout site `key` is a pure
 * hash of (key, i): the forward pass and the backward pass compute the same
 * mask without storing it, any element can be decided independently (so
 * threads and micro-batches do not change the mask), and one 64-bit hash
 * decides two elements (32-bit lanes, so p is exact to 2^-32).  The model
 * draws one fresh key per step from the seeded ScmRng and mixes a site id
 * into it.  Kept elements are scaled by 1/(1-p), as torch.nn.Dropout does.
 */
#pragma once

#include <glib.h>

/* splitmix64 finaliser (Steele, Lea, Flood 2014): a good 64-bit mixer. */
static inline guint64
scm_mix64 (guint64 z)
{
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Key of one dropout site (block, position in the block) within a step. */
static inline guint64
scm_dropout_site_key (guint64 step_key, guint64 site)
{
  return scm_mix64 (step_key ^ scm_mix64 (site + G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)));
}

/* Drop threshold for probability p in [0, 1): drop when lane < thresh. */
static inline guint32
scm_dropout_thresh (double p)
{
  double t = p * 4294967296.0;
  return t >= 4294967295.0 ? 0xffffffffu : (guint32) t;
}

static inline guint32
scm_fmix32 (guint32 h)
{
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

#define SCM_DROPOUT_GOLDEN 0x9e3779b9u

/* The 32-bit hash of element i of site `key`; kept when >= thresh.  Loops
 * write it as h(c + j * GOLDEN) with c = i0 * GOLDEN + (guint32) key, the
 * same value, so that they vectorise. */
static inline guint32
scm_dropout_hash (guint32 c, guint32 key_hi)
{
  return scm_fmix32 (scm_fmix32 (c) ^ key_hi);
}

/* TRUE if element i of site `key` is kept. */
static inline gboolean
scm_dropout_keep (guint64 key, guint64 i, guint32 thresh)
{
  return scm_dropout_hash ((guint32) i * SCM_DROPOUT_GOLDEN + (guint32) key,
                           (guint32) (key >> 32)) >= thresh;
}
