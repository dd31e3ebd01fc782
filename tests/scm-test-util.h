/* scm-test-util.h: helpers shared by the test programs.
 *
 * Paths to the read-only shared datasets (../shared/data beside the repo,
 * or $SCM_SHARED_DATA) and to committed fixtures (tests/fixtures).  Tests
 * that need a shared file call scm_test_shared_path() and skip cleanly when
 * the folder is absent (a tarball build), never silently pass.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Absolute path of ../shared/data/<rel>; NULL (and g_test_skip) if missing. */
char *scm_test_shared_path    (const char *rel);
/* Absolute path of ../shared/reference/<rel>; NULL (and g_test_skip) if missing. */
char *scm_test_reference_path (const char *rel);
/* Absolute path of tests/fixtures/<rel> (always committed). */
char *scm_test_fixture_path   (const char *rel);
/* A fresh temporary directory removed at exit by the caller with scm_test_rmdir. */
char *scm_test_tmpdir         (void);
void  scm_test_rmdir          (const char *dir);

G_END_DECLS
