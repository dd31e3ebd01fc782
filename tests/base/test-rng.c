/* test-rng.c: the inline RNG steps (used in hot loops) draw exactly the
 * sequence of the library functions, and scm_rng_below stays in range
 * and unbiased enough to notice a broken reduction. */
#include "util/scm-rng.h"

static void
test_inline_same_sequence (void)
{
  ScmRng a, b;
  scm_rng_seed_stream (&a, 42, 7);
  b = a;
  for (int i = 0; i < 10000; i++)
    g_assert_cmpuint (scm_rng_next (&a), ==, scm_rng_next_inline (&b));
  /* a bound just above 2^63 makes Lemire's rejection branch run often */
  const guint64 bounds[] = { 1, 2, 3, 6855, 1000000, G_GUINT64_CONSTANT (0x8000000000000001) };
  for (gsize k = 0; k < G_N_ELEMENTS (bounds); k++)
    for (int i = 0; i < 5000; i++)
      {
        guint64 x = scm_rng_below (&a, bounds[k]);
        g_assert_cmpuint (x, ==, scm_rng_below_inline (&b, bounds[k]));
        g_assert_cmpuint (x, <, bounds[k]);
      }
  g_assert_cmpmem (a.s, sizeof a.s, b.s, sizeof b.s);
}

static void
test_below_spread (void)
{
  ScmRng r;
  scm_rng_seed (&r, 3);
  int count[10] = { 0 };
  for (int i = 0; i < 100000; i++)
    count[scm_rng_below_inline (&r, 10)]++;
  for (int c = 0; c < 10; c++)
    g_assert_cmpint (ABS (count[c] - 10000), <, 500);   /* > 5 sigma */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/base/rng/inline-same-sequence", test_inline_same_sequence);
  g_test_add_func ("/base/rng/below-spread", test_below_spread);
  return g_test_run ();
}
