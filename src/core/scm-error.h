/* scm-error.h: the engine's single GError domain.
 *
 * Every engine function that can fail on user input takes a GError ** and
 * sets one of these codes with a message naming the file, the HDF5 object
 * (or CSV line) and the problem, so the app and the CLI can show it as-is.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SCM_ERROR (scm_error_quark ())

typedef enum {
  SCM_ERROR_IO,          /* cannot open/read/write the file at the OS level */
  SCM_ERROR_FORMAT,      /* not a format we know, or a layout we cannot read */
  SCM_ERROR_CORRUPT,     /* known layout, but inconsistent or damaged content */
  SCM_ERROR_UNSUPPORTED, /* valid file using a feature we do not handle */
  SCM_ERROR_INVALID,     /* bad argument or bad value (NaN, negative count...) */
  SCM_ERROR_NOT_FOUND,   /* a named column, gene, protein or group is absent */
  SCM_ERROR_NO_MEMORY,   /* a dimension too large to allocate */
  SCM_ERROR_CANCELLED,   /* a long job was cancelled by the user */
} ScmErrorCode;

GQuark scm_error_quark (void);

G_END_DECLS
