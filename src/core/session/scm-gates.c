/* scm-gates.c: gates and their JSON form (see scm-gates.h). */
#include "scm-gates.h"

#include <math.h>

#include "scm-error.h"

ScmGate *
scm_gate_new (const char *x, const char *y, const float *polygon, int n_vertices, GError **error)
{
  ScmGate *gate;

  if (x == NULL || *x == '\0' || y == NULL || *y == '\0')
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID, "gate: both axes need a feature name");
      return NULL;
    }
  if (polygon == NULL || n_vertices < 3)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                   "gate %s vs %s: a polygon needs at least 3 vertices, got %d", x, y, n_vertices);
      return NULL;
    }
  for (int i = 0; i < 2 * n_vertices; i++)
    if (!isfinite (polygon[i]))
      {
        g_set_error (error, SCM_ERROR, SCM_ERROR_INVALID,
                     "gate %s vs %s: vertex %d is not a finite point", x, y, i / 2);
        return NULL;
      }
  gate = g_new0 (ScmGate, 1);
  gate->x = g_strdup (x);
  gate->y = g_strdup (y);
  gate->polygon = g_memdup2 (polygon, sizeof (float) * 2 * (gsize) n_vertices);
  gate->n_vertices = n_vertices;
  return gate;
}

void
scm_gate_free (ScmGate *gate)
{
  if (gate == NULL)
    return;
  g_free (gate->x);
  g_free (gate->y);
  g_free (gate->polygon);
  g_free (gate);
}

gboolean
scm_gate_is_on (const ScmGate *gate, const char *x, const char *y)
{
  return g_strcmp0 (gate->x, x) == 0 && g_strcmp0 (gate->y, y) == 0;
}

JsonNode *
scm_gate_to_json (const ScmGate *gate)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "x");
  json_builder_add_string_value (b, gate->x);
  json_builder_set_member_name (b, "y");
  json_builder_add_string_value (b, gate->y);
  json_builder_set_member_name (b, "polygon");
  json_builder_begin_array (b);
  /* Doubles print with enough digits to read back the same float. */
  for (int i = 0; i < 2 * gate->n_vertices; i++)
    json_builder_add_double_value (b, gate->polygon[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

ScmGate *
scm_gate_from_json (JsonNode *node, const char *what, guint index, GError **error)
{
  JsonObject *o;
  JsonNode *xn, *yn, *pn;
  JsonArray *a;
  g_autofree float *poly = NULL;
  guint len;
  GError *local = NULL;
  ScmGate *gate;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    goto bad;
  o = json_node_get_object (node);
  xn = json_object_get_member (o, "x");
  yn = json_object_get_member (o, "y");
  pn = json_object_get_member (o, "polygon");
  if (xn == NULL || json_node_get_value_type (xn) != G_TYPE_STRING ||
      yn == NULL || json_node_get_value_type (yn) != G_TYPE_STRING ||
      pn == NULL || !JSON_NODE_HOLDS_ARRAY (pn))
    goto bad;
  a = json_node_get_array (pn);
  len = json_array_get_length (a);
  if (len % 2 != 0)
    goto bad;
  poly = g_new (float, MAX (len, 1));
  for (guint i = 0; i < len; i++)
    {
      JsonNode *v = json_array_get_element (a, i);
      GType t = JSON_NODE_HOLDS_VALUE (v) ? json_node_get_value_type (v) : G_TYPE_INVALID;
      /* Integral coordinates come back as integers from the parser. */
      if (t == G_TYPE_DOUBLE)
        poly[i] = (float) json_node_get_double (v);
      else if (t == G_TYPE_INT64)
        poly[i] = (float) json_node_get_int (v);
      else
        goto bad;
    }
  gate = scm_gate_new (json_node_get_string (xn), json_node_get_string (yn), poly, (int) (len / 2), &local);
  if (gate == NULL)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT, "%s: gates[%u]: %s", what, index, local->message);
      g_error_free (local);
    }
  return gate;

bad:
  g_set_error (error, SCM_ERROR, SCM_ERROR_CORRUPT,
               "%s: gates[%u] must be {\"x\": name, \"y\": name, \"polygon\": [x0, y0, ...]}", what, index);
  return NULL;
}
