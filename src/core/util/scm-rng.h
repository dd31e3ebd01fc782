/* scm-rng.h: a small, seedable, splittable random number generator.
 *
 * xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64.  Used for
 * masking, dropout, data splits, negative sampling and Leiden's random
 * moves, so that every result is reproducible from (seed, thread count).
 * The state is a plain struct so checkpoints can store and restore it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64 s[4];
} ScmRng;

void    scm_rng_seed     (ScmRng *rng, guint64 seed);
/* Independent stream `stream` of a seed (for per-thread generators). */
void    scm_rng_seed_stream (ScmRng *rng, guint64 seed, guint64 stream);
guint64 scm_rng_next     (ScmRng *rng);

/* The step of scm_rng_next as an inline function, for loops that draw
 * per element (UMAP negative sampling: two calls per sample were ~10% of
 * the layout).  Same sequence as scm_rng_next, which is defined by it. */
static inline guint64
scm_rng_next_inline (ScmRng *rng)
{
  guint64 *s = rng->s;
  guint64 x = s[1] * 5;
  guint64 result = ((x << 7) | (x >> 57)) * 9;
  guint64 t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return result;
}

/* scm_rng_below inline (same draws and results). */
static inline guint64
scm_rng_below_inline (ScmRng *rng, guint64 n)
{
  /* Lemire's multiply-shift with rejection. */
  guint64 x = scm_rng_next_inline (rng);
  unsigned __int128 m = (unsigned __int128) x * n;
  guint64 l = (guint64) m;
  if (l < n)
    {
      guint64 t = -n % n;
      while (l < t)
        {
          x = scm_rng_next_inline (rng);
          m = (unsigned __int128) x * n;
          l = (guint64) m;
        }
    }
  return (guint64) (m >> 64);
}
/* Uniform in [0, 1) with 53 random bits. */
double  scm_rng_uniform  (ScmRng *rng);
/* Uniform in [0, 1) as float (24 bits). */
float   scm_rng_uniformf (ScmRng *rng);
/* Uniform integer in [0, n), unbiased (Lemire). n > 0. */
guint64 scm_rng_below    (ScmRng *rng, guint64 n);
/* Standard normal (Box-Muller, no cached spare: state stays a pure function of draws). */
double  scm_rng_normal   (ScmRng *rng);
/* Fisher-Yates shuffle of n gint32 values. */
void    scm_rng_shuffle_i32 (ScmRng *rng, gint32 *v, gsize n);

G_END_DECLS
