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
