/* scm-atomic-file.h: write-to-temp-then-rename for files written by other
 * libraries (HDF5, PNG) that want a path rather than a stream.
 *
 * scm_atomic_file_begin() returns a temporary path in the same directory as
 * the target (so rename is atomic on one filesystem); after writing it,
 * scm_atomic_file_commit() fsyncs and renames it over the target, and
 * scm_atomic_file_abort() removes it.  The target is never half-written.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char    *scm_atomic_file_begin  (const char *target, GError **error);
gboolean scm_atomic_file_commit (const char *tmp_path, const char *target, GError **error);
void     scm_atomic_file_abort  (const char *tmp_path);
/* Convenience for text/binary blobs (CSV, JSON, session files). */
gboolean scm_atomic_write_contents (const char *target, const char *data, gssize len,
                                    GError **error);

G_END_DECLS
