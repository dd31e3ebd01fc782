/* scm-rng.c: xoshiro256** with splitmix64 seeding. */
#include "scm-rng.h"

#include <math.h>

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void
scm_rng_seed (ScmRng *rng, guint64 seed)
{
  guint64 x = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

void
scm_rng_seed_stream (ScmRng *rng, guint64 seed, guint64 stream)
{
  guint64 x = seed ^ (0xd1b54a32d192ed03ULL * (stream + 1));
  guint64 mixed = splitmix64 (&x);
  scm_rng_seed (rng, mixed);
}

guint64
scm_rng_next (ScmRng *rng)
{
  return scm_rng_next_inline (rng);
}

double
scm_rng_uniform (ScmRng *rng)
{
  return (double) (scm_rng_next (rng) >> 11) * 0x1.0p-53;
}

float
scm_rng_uniformf (ScmRng *rng)
{
  return (float) (scm_rng_next (rng) >> 40) * 0x1.0p-24f;
}

guint64
scm_rng_below (ScmRng *rng, guint64 n)
{
  return scm_rng_below_inline (rng, n);
}

double
scm_rng_normal (ScmRng *rng)
{
  double u1 = scm_rng_uniform (rng), u2 = scm_rng_uniform (rng);
  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

void
scm_rng_shuffle_i32 (ScmRng *rng, gint32 *v, gsize n)
{
  for (gsize i = n; i > 1; i--)
    {
      gsize j = (gsize) scm_rng_below (rng, i);
      gint32 t = v[i - 1];
      v[i - 1] = v[j];
      v[j] = t;
    }
}
