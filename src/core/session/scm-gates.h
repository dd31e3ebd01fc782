/* scm-gates.h: a gate drawn on a biaxial (protein vs protein) plot.
 *
 * A gate is the polygon a biologist drew around a population, with the two
 * features it was drawn on.  The cells it selected become labels through
 * an ordinary label-cells operation; the gate itself is kept so that the
 * outline comes back with the session (ScmAnnotations stores a list, one
 * gate per feature pair).  Plain data plus its JSON form; no GTK.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char  *x;           /* feature on the x axis, as displayed ("CD3 (protein)") */
  char  *y;           /* feature on the y axis */
  float *polygon;     /* (n_vertices, 2) in the plot's data coordinates */
  int    n_vertices;  /* >= 3 */
} ScmGate;

/* Copies everything.  SCM_ERROR_INVALID for empty names, fewer than 3
 * vertices or a non-finite coordinate. */
ScmGate  *scm_gate_new       (const char *x, const char *y, const float *polygon, int n_vertices,
                              GError **error);
void      scm_gate_free      (ScmGate *gate);
gboolean  scm_gate_is_on     (const ScmGate *gate, const char *x, const char *y);

/* {"x": "...", "y": "...", "polygon": [x0, y0, x1, y1, ...]} */
JsonNode *scm_gate_to_json   (const ScmGate *gate);
/* what names the file in messages; SCM_ERROR_CORRUPT when malformed. */
ScmGate  *scm_gate_from_json (JsonNode *node, const char *what, guint index, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScmGate, scm_gate_free)

G_END_DECLS
