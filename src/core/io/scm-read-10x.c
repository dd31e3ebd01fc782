/* scm-read-10x.c: Cell Ranger feature-barcode matrix readers (.h5).
 *
 * v3 (Cell Ranger >= 3): /matrix/{barcodes,data,indices,indptr,shape} and
 * /matrix/features/{id,name,feature_type,genome}.  The matrix is CSC over
 * features x cells, which is exactly CSR over cells x features, so the file
 * arrays stream (SCM_IO_CHUNK values per hyperslab) straight into the
 * final arrays; HDF5 converts int32/int64 indices and integer counts on the
 * fly.  Feature types are then separated IN PLACE: entries of the larger
 * modality (normally Gene Expression) are compacted towards the front of
 * the same arrays, the others are appended to small growing arrays.  Peak
 * memory therefore stays at the size of the output plus the row pointers,
 * which is what lets a 10^6-cell file load (bench/foundation/gen-10x-large.c).
 *
 * v1/v2 (Cell Ranger 1.x/2.x): one root group per genome holding
 * barcodes/data/indices/indptr/shape/genes/gene_names.  All genomes are
 * read and concatenated (feature genome kept in ScmModality.genomes; cells
 * are the union of barcodes in first-seen order) unless
 * ScmReadOptions.genome picks one.
 */
#include "io/scm-read-private.h"

#include <math.h>
#include <string.h>

static gboolean
is_adt (const char *t)
{
  return strcmp (t, "Antibody Capture") == 0;
}

static gboolean
is_gex (const char *t)
{
  return strcmp (t, "Gene Expression") == 0;
}

/* Growing (indices, data) pair for the smaller modality. */
typedef struct {
  gint32 *idx;
  float  *val;
  gsize   n, cap;
} Grow;

static gboolean
grow_push (Grow *g, gint32 c, float v)
{
  if (g->n == g->cap)
    {
      gsize ncap = MAX (g->cap * 2, 4096);
      gint32 *ni = g_try_renew (gint32, g->idx, ncap);
      if (ni == NULL)
        return FALSE;
      g->idx = ni;
      float *nv = g_try_renew (float, g->val, ncap);
      if (nv == NULL)
        return FALSE;
      g->val = nv;
      g->cap = ncap;
    }
  g->idx[g->n] = c;
  g->val[g->n] = v;
  g->n++;
  return TRUE;
}

/* Modality with features f where kinds[f] == k, names etc. subset. */
static ScmModality *
modality_new (int k, gint64 n_feat, const gint8 *kinds, char **ids, char **names, char **genomes,
              const char *source)
{
  ScmModality *m = scm_modality_new (k == 0 ? SCM_MODALITY_RNA : SCM_MODALITY_ADT);
  gint64 n = 0;
  for (gint64 f = 0; f < n_feat; f++)
    n += kinds[f] == k;
  m->names = g_new0 (char *, n + 1);
  m->ids = g_new0 (char *, n + 1);
  m->genomes = genomes ? g_new0 (char *, n + 1) : NULL;
  gint64 j = 0;
  for (gint64 f = 0; f < n_feat; f++)
    if (kinds[f] == k)
      {
        m->names[j] = g_strdup (names[f]);
        m->ids[j] = g_strdup (ids[f]);
        if (genomes)
          m->genomes[j] = g_strdup (genomes[f]);
        j++;
      }
  m->is_counts = TRUE;
  m->source = g_strdup (source);
  return m;
}

/* Available genomes (distinct, file order) as "a, b". */
static char *
genome_list (char **genomes, gint64 n)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GString *s = g_string_new (NULL);
  for (gint64 i = 0; i < n; i++)
    if (!g_hash_table_contains (seen, genomes[i]))
      {
        g_hash_table_add (seen, genomes[i]);
        if (s->len)
          g_string_append (s, ", ");
        g_string_append (s, genomes[i]);
      }
  return g_string_free (s, FALSE);
}

ScmDataset *
_scm_read_10x_v3 (const ScmH5 *h, const ScmReadOptions *opts, GError **error)
{
  hid_t f = h->file;
  gint64 two = 2;
  g_autofree gint64 *shape = _scm_h5_read_int64s (h, f, "matrix/shape", &two, error);
  if (shape == NULL)
    return NULL;
  gint64 n_feat = shape[0], n_cells = shape[1];
  if (n_feat < 0 || n_cells < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, "matrix/shape", "is negative");
      return NULL;
    }
  if (n_feat > SCM_IO_MAX_COLS || n_cells > SCM_IO_MAX_ROWS)
    {
      _scm_h5_set_error (error, SCM_ERROR_NO_MEMORY, h, "matrix/shape",
                         "%" G_GINT64_FORMAT " features x %" G_GINT64_FORMAT
                         " cells is too large to load", n_feat, n_cells);
      return NULL;
    }
  g_autoptr (ScmDataset) ds = scm_dataset_new ();
  ds->path = g_strdup (h->path);
  ds->format = g_strdup (scm_io_format_name (SCM_FORMAT_10X_V3));
  gint64 n = n_cells;
  g_auto (GStrv) barcodes = _scm_h5_read_strings (h, f, "matrix/barcodes", &n, FALSE, error);
  if (barcodes == NULL
      || !_scm_io_check_unique (h->path, "matrix/barcodes", barcodes, n_cells, "barcode", error))
    return NULL;
  n = n_feat;
  g_auto (GStrv) ids = _scm_h5_read_strings (h, f, "matrix/features/id", &n, TRUE, error);
  if (ids == NULL)
    return NULL;
  g_auto (GStrv) names = _scm_h5_read_strings (h, f, "matrix/features/name", &n, TRUE, error);
  if (names == NULL)
    return NULL;
  g_auto (GStrv) types = _scm_h5_read_strings (h, f, "matrix/features/feature_type", &n, FALSE, error);
  if (types == NULL)
    return NULL;
  g_auto (GStrv) genomes = NULL;
  if (_scm_h5_exists (f, "matrix/features/genome"))
    {
      genomes = _scm_h5_read_strings (h, f, "matrix/features/genome", &n, FALSE, error);
      if (genomes == NULL)
        return NULL;
    }
  if (opts->genome)
    {
      gboolean found = FALSE;
      for (gint64 i = 0; genomes && i < n_feat && !found; i++)
        found = strcmp (genomes[i], opts->genome) == 0;
      if (!found)
        {
          g_autofree char *list = genomes ? genome_list (genomes, n_feat) : g_strdup ("none recorded");
          g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND,
                       "%s: matrix/features/genome: genome \"%s\" is not in the file (available: %s)",
                       h->path, opts->genome, list);
          return NULL;
        }
    }

  /* kinds[f]: 0 RNA, 1 ADT, -1 left out; col[f]: column within its modality */
  g_autofree gint8 *kinds = _scm_io_try_alloc ((gsize) MAX (n_feat, 1), 1, "feature kinds", error);
  g_autofree gint32 *col = _scm_io_try_alloc ((gsize) MAX (n_feat, 1), 4, "feature map", error);
  if (kinds == NULL || col == NULL)
    return NULL;
  gint64 n_k[2] = { 0, 0 }, n_other = 0, n_genome_out = 0;
  g_autoptr (GHashTable) other_types = g_hash_table_new (g_str_hash, g_str_equal);
  for (gint64 i = 0; i < n_feat; i++)
    {
      /* features without a genome (antibodies) are kept with any genome */
      if (opts->genome && genomes[i][0] != '\0' && strcmp (genomes[i], opts->genome) != 0)
        {
          kinds[i] = -1;
          n_genome_out++;
        }
      else if (is_gex (types[i]))
        kinds[i] = 0;
      else if (is_adt (types[i]))
        kinds[i] = 1;
      else
        {
          kinds[i] = -1;
          n_other++;
          g_hash_table_add (other_types, types[i]);
        }
      col[i] = kinds[i] >= 0 ? (gint32) n_k[kinds[i]]++ : -1;
    }
  if (n_other)
    {
      g_autofree gpointer *keys = g_hash_table_get_keys_as_array (other_types, NULL);
      g_autofree char *list = g_strjoinv (", ", (char **) keys);
      scm_dataset_add_note (ds, "%" G_GINT64_FORMAT " features of other types (%s) were left out",
                            n_other, list);
    }
  if (n_genome_out)
    scm_dataset_add_note (ds, "kept genome %s only: %" G_GINT64_FORMAT " features of other genomes "
                          "left out", opts->genome, n_genome_out);
  /* the modality stored in place is the one with more features */
  int main_k = n_k[1] > n_k[0] ? 1 : 0;

  gint64 n_ptr = n_cells + 1;
  gint64 *indptr = _scm_h5_read_int64s (h, f, "matrix/indptr", &n_ptr, error);
  if (indptr == NULL)
    return NULL;
  gint64 nnz = -1, nnz_d = -1;
  if (!_scm_h5_len (h, f, "matrix/indices", &nnz, error)
      || !_scm_h5_len (h, f, "matrix/data", &nnz_d, error))
    {
      g_free (indptr);
      return NULL;
    }
  if (nnz != nnz_d)
    {
      g_free (indptr);
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, "matrix",
                         "indices has %" G_GINT64_FORMAT " elements but data has %" G_GINT64_FORMAT,
                         nnz, nnz_d);
      return NULL;
    }
  if (!_scm_io_check_indptr (h, "matrix/indptr", indptr, n_cells, nnz, error))
    {
      g_free (indptr);
      return NULL;
    }
  ScmCsr M = { n_cells, n_k[main_k], indptr, NULL, NULL };
  M.indices = _scm_io_try_alloc_big ((gsize) nnz, sizeof (gint32), "matrix indices", error);
  M.data = M.indices ? _scm_io_try_alloc_big ((gsize) nnz, sizeof (float), "matrix values", error) : NULL;
  if (M.data == NULL)
    {
      scm_csr_clear (&M);
      return NULL;
    }
  gboolean ok = TRUE;
  hid_t di = H5Dopen2 (f, "matrix/indices", H5P_DEFAULT);
  hid_t dd = di >= 0 ? H5Dopen2 (f, "matrix/data", H5P_DEFAULT) : H5I_INVALID_HID;
  if (di < 0 || dd < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, "matrix", "cannot open indices/data");
      ok = FALSE;
    }
  if (ok)
    {
      hid_t ti = H5Dget_type (di), td = H5Dget_type (dd);
      H5T_class_t ci = H5Tget_class (ti), cd = H5Tget_class (td);
      H5Tclose (ti);
      H5Tclose (td);
      if (ci != H5T_INTEGER || (cd != H5T_INTEGER && cd != H5T_FLOAT))
        {
          _scm_h5_set_error (error, SCM_ERROR_FORMAT, h, ci != H5T_INTEGER ? "matrix/indices" : "matrix/data",
                             "holds %s", ci != H5T_INTEGER ? "non-integer indices" : "non-numeric values");
          ok = FALSE;
        }
    }
  ok = ok && _scm_io_stream (h, di, "matrix/indices", H5T_NATIVE_INT32, 4, nnz, M.indices, error);
  ok = ok && _scm_io_stream (h, dd, "matrix/data", H5T_NATIVE_FLOAT, 4, nnz, M.data, error);
  if (di >= 0)
    H5Dclose (di);
  if (dd >= 0)
    H5Dclose (dd);
  if (!ok)
    {
      scm_csr_clear (&M);
      return NULL;
    }

  /* One in-memory pass: validate, remap and split. */
  Grow other = { 0 };
  ScmCsr O = { n_cells, n_k[1 - main_k], NULL, NULL, NULL };
  O.indptr = n_k[1 - main_k] ? _scm_io_try_alloc ((gsize) n_cells + 1, sizeof (gint64),
                                                  "row pointers", error) : NULL;
  if (n_k[1 - main_k] && O.indptr == NULL)
    {
      scm_csr_clear (&M);
      return NULL;
    }
  if (O.indptr)
    O.indptr[0] = 0;
  gboolean unsorted = FALSE, fractional = FALSE;
  gint64 w = 0, start = 0;
  for (gint64 r = 0; r < n_cells && ok; r++)
    {
      gint64 end = M.indptr[r + 1];
      gint32 prev = -1;
      for (gint64 k = start; k < end; k++)
        {
          gint32 fi = M.indices[k];
          float v = M.data[k];
          if (fi < 0 || fi >= n_feat)
            {
              _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, "matrix/indices",
                                 "feature index %d out of range [0, %" G_GINT64_FORMAT
                                 ") for cell %" G_GINT64_FORMAT " (%s)", fi, n_feat, r, barcodes[r]);
              ok = FALSE;
              break;
            }
          if (fi == prev)
            {
              _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, "matrix/indices",
                                 "feature %d (%s) stored twice for cell %" G_GINT64_FORMAT " (%s)",
                                 fi, names[fi], r, barcodes[r]);
              ok = FALSE;
              break;
            }
          unsorted |= fi < prev;
          prev = fi;
          if (!isfinite (v) || v < 0)
            {
              _scm_h5_set_error (error, SCM_ERROR_INVALID, h, "matrix/data",
                                 "%s count at cell %" G_GINT64_FORMAT " (%s), feature %d (%s)",
                                 isnan (v) ? "NaN" : isinf (v) ? "infinite" : "negative",
                                 r, barcodes[r], fi, names[fi]);
              ok = FALSE;
              break;
            }
          fractional |= v != floorf (v);
          int kk = kinds[fi];
          if (kk == main_k)
            {
              M.indices[w] = col[fi];
              M.data[w] = v;
              w++;
            }
          else if (kk >= 0 && !grow_push (&other, col[fi], v))
            {
              g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "%s: cannot allocate the %s matrix",
                           h->path, main_k ? "RNA" : "protein");
              ok = FALSE;
              break;
            }
        }
      start = end;
      M.indptr[r + 1] = w;
      if (O.indptr)
        O.indptr[r + 1] = (gint64) other.n;
    }
  if (!ok)
    {
      scm_csr_clear (&M);
      scm_csr_clear (&O);
      g_free (other.idx);
      g_free (other.val);
      return NULL;
    }
  /* give back the space the other modality and left-out types used */
  if (w < nnz)
    {
      gint32 *ni = g_try_renew (gint32, M.indices, MAX (w, 1));
      if (ni)
        M.indices = ni;
      float *nd = g_try_renew (float, M.data, MAX (w, 1));
      if (nd)
        M.data = nd;
    }
  O.indices = other.idx ? other.idx : g_new0 (gint32, 1);
  O.data = other.val ? other.val : g_new0 (float, 1);
  if (unsorted)
    {
      /* rare (Cell Ranger sorts); sorting may reveal duplicates */
      if (!_scm_io_check_csr (h->path, "matrix", &M, NULL, error)
          || (O.indptr && !_scm_io_check_csr (h->path, "matrix", &O, NULL, error)))
        {
          scm_csr_clear (&M);
          scm_csr_clear (&O);
          return NULL;
        }
    }
  const char *src[2] = { "matrix[Gene Expression]", "matrix[Antibody Capture]" };
  for (int k = 0; k < 2; k++)
    {
      if (n_k[k] == 0)
        continue;
      ScmModality *m = modality_new (k, n_feat, kinds, ids, names, genomes, src[k]);
      m->X = k == main_k ? M : O;
      m->is_counts = !fractional;
      if (k == 0)
        ds->rna = m;
      else
        ds->adt = m;
    }
  if (n_k[main_k] == 0)
    scm_csr_clear (&M);
  if (n_k[1 - main_k] == 0)
    scm_csr_clear (&O);
  if (fractional)
    scm_dataset_add_note (ds, "matrix/data holds fractional values: not raw counts");
  ds->n_cells = n_cells;
  g_strfreev (ds->barcodes);
  ds->barcodes = g_steal_pointer (&barcodes);
  if (ds->rna == NULL && ds->adt == NULL)
    scm_dataset_add_note (ds, "no Gene Expression or Antibody Capture features");
  return g_steal_pointer (&ds);
}

/* ------------------------------------------------------------------- v1/v2 */

typedef struct {
  char  *name;
  gint64 n_genes, n_cells;
  char **barcodes, **ids, **names;
  ScmCsr X;   /* cells x genes */
} Genome;

static void
genome_clear (Genome *g)
{
  g_free (g->name);
  g_strfreev (g->barcodes);
  g_strfreev (g->ids);
  g_strfreev (g->names);
  scm_csr_clear (&g->X);
}

static gboolean
read_genome (const ScmH5 *h, const char *name, Genome *g, GError **error)
{
  memset (g, 0, sizeof *g);
  g->name = g_strdup (name);
  hid_t f = h->file;
  g_autofree char *p_shape = g_strdup_printf ("%s/shape", name);
  g_autofree char *p_bc = g_strdup_printf ("%s/barcodes", name);
  g_autofree char *p_genes = g_strdup_printf ("%s/genes", name);
  g_autofree char *p_names = g_strdup_printf ("%s/gene_names", name);
  gint64 two = 2;
  g_autofree gint64 *shape = _scm_h5_read_int64s (h, f, p_shape, &two, error);
  if (shape == NULL)
    return FALSE;
  if (shape[0] < 0 || shape[1] < 0)
    {
      _scm_h5_set_error (error, SCM_ERROR_CORRUPT, h, p_shape, "is negative");
      return FALSE;
    }
  if (shape[0] > SCM_IO_MAX_COLS || shape[1] > SCM_IO_MAX_ROWS)
    {
      _scm_h5_set_error (error, SCM_ERROR_NO_MEMORY, h, p_shape, "%" G_GINT64_FORMAT " genes x %"
                         G_GINT64_FORMAT " cells is too large to load", shape[0], shape[1]);
      return FALSE;
    }
  g->n_genes = shape[0];
  g->n_cells = shape[1];
  gint64 n = g->n_cells;
  g->barcodes = _scm_h5_read_strings (h, f, p_bc, &n, FALSE, error);
  if (g->barcodes == NULL || !_scm_io_check_unique (h->path, p_bc, g->barcodes, n, "barcode", error))
    return FALSE;
  n = g->n_genes;
  gboolean has_ids = _scm_h5_exists (f, p_genes), has_names = _scm_h5_exists (f, p_names);
  if (has_ids && (g->ids = _scm_h5_read_strings (h, f, p_genes, &n, TRUE, error)) == NULL)
    return FALSE;
  if (has_names && (g->names = _scm_h5_read_strings (h, f, p_names, &n, TRUE, error)) == NULL)
    return FALSE;
  if (!has_ids)
    g->ids = g_strdupv (g->names);
  if (!has_names)
    g->names = g_strdupv (g->ids);
  ScmValueStats st;
  return _scm_io_read_sparse_arrays (h, f, name, g->n_cells, g->n_genes, &g->X, error)
         && _scm_io_check_csr (h->path, name, &g->X, &st, error)
         && _scm_io_require_counts (h->path, name, &st, error);
}

ScmDataset *
_scm_read_10x_v2 (const ScmH5 *h, const ScmReadOptions *opts, GError **error)
{
  g_auto (GStrv) members = _scm_h5_group_members (h->file, "/");
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (int i = 0; members && members[i]; i++)
    {
      static const char *need[] = { "barcodes", "data", "indices", "indptr", "shape", NULL };
      gboolean ok = _scm_h5_is_group (h->file, members[i]);
      for (int j = 0; need[j] && ok; j++)
        {
          g_autofree char *p = g_strdup_printf ("%s/%s", members[i], need[j]);
          ok = _scm_h5_is_dataset (h->file, p);
        }
      if (ok)
        g_ptr_array_add (names, members[i]);
    }
  if (opts->genome)
    {
      gboolean found = FALSE;
      for (guint i = 0; i < names->len && !found; i++)
        found = strcmp (names->pdata[i], opts->genome) == 0;
      if (!found)
        {
          g_ptr_array_add (names, NULL);
          g_autofree char *list = g_strjoinv (", ", (char **) names->pdata);
          g_set_error (error, SCM_ERROR, SCM_ERROR_NOT_FOUND,
                       "%s: genome \"%s\" is not in the file (available: %s)", h->path,
                       opts->genome, list);
          return NULL;
        }
      g_ptr_array_set_size (names, 0);
      g_ptr_array_add (names, (gpointer) opts->genome);
    }
  guint ng = names->len;
  g_autofree Genome *gs = g_new0 (Genome, ng);
  gboolean ok = TRUE;
  for (guint i = 0; i < ng && ok; i++)
    ok = read_genome (h, names->pdata[i], &gs[i], error);
  g_autoptr (ScmDataset) ds = ok ? scm_dataset_new () : NULL;
  /* union of barcodes in first-seen order; row maps per genome */
  g_autoptr (GHashTable) row_of = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) bcs = g_ptr_array_new ();
  g_autofree gint64 **maps = g_new0 (gint64 *, ng);
  gint64 total_genes = 0, nnz = 0;
  gboolean same = TRUE;
  for (guint i = 0; i < ng && ok; i++)
    {
      maps[i] = g_try_new (gint64, MAX (gs[i].n_cells, 1));
      if (maps[i] == NULL)
        {
          g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "%s: cannot allocate", h->path);
          ok = FALSE;
          break;
        }
      same &= i == 0 || gs[i].n_cells == gs[0].n_cells;
      for (gint64 r = 0; r < gs[i].n_cells; r++)
        {
          gpointer v;
          if (!g_hash_table_lookup_extended (row_of, gs[i].barcodes[r], NULL, &v))
            {
              v = GSIZE_TO_POINTER ((gsize) bcs->len);
              g_hash_table_insert (row_of, gs[i].barcodes[r], v);
              g_ptr_array_add (bcs, gs[i].barcodes[r]);
              same &= i == 0;
            }
          maps[i][r] = (gint64) GPOINTER_TO_SIZE (v);
          same &= maps[i][r] == r;
        }
      total_genes += gs[i].n_genes;
      nnz += scm_csr_nnz (&gs[i].X);
    }
  ScmModality *m = NULL;
  if (ok && total_genes > SCM_IO_MAX_COLS)
    {
      g_set_error (error, SCM_ERROR, SCM_ERROR_NO_MEMORY, "%s: too many genes in total", h->path);
      ok = FALSE;
    }
  if (ok)
    {
      gint64 n_cells = bcs->len;
      m = scm_modality_new (SCM_MODALITY_RNA);
      ok = scm_csr_alloc (&m->X, n_cells, total_genes, nnz, error);
      /* count per union row, then fill genome by genome (columns offset) */
      for (guint i = 0; i < ng && ok; i++)
        for (gint64 r = 0; r < gs[i].n_cells; r++)
          m->X.indptr[maps[i][r] + 1] += gs[i].X.indptr[r + 1] - gs[i].X.indptr[r];
      g_autofree gint64 *fill = ok ? g_new (gint64, n_cells + 1) : NULL;
      if (ok)
        {
          for (gint64 r = 0; r < n_cells; r++)
            m->X.indptr[r + 1] += m->X.indptr[r];
          memcpy (fill, m->X.indptr, (gsize) (n_cells + 1) * sizeof (gint64));
        }
      gint64 off = 0;
      for (guint i = 0; i < ng && ok; i++)
        {
          for (gint64 r = 0; r < gs[i].n_cells; r++)
            for (gint64 k = gs[i].X.indptr[r]; k < gs[i].X.indptr[r + 1]; k++)
              {
                gint64 pos = fill[maps[i][r]]++;
                m->X.indices[pos] = (gint32) (gs[i].X.indices[k] + off);
                m->X.data[pos] = gs[i].X.data[k];
              }
          off += gs[i].n_genes;
        }
      if (ok)
        {
          m->names = g_new0 (char *, total_genes + 1);
          m->ids = g_new0 (char *, total_genes + 1);
          m->genomes = g_new0 (char *, total_genes + 1);
          gint64 j = 0;
          for (guint i = 0; i < ng; i++)
            for (gint64 c = 0; c < gs[i].n_genes; c++, j++)
              {
                m->names[j] = g_strdup (gs[i].names[c]);
                m->ids[j] = g_strdup (gs[i].ids[c]);
                m->genomes[j] = g_strdup (gs[i].name);
              }
          m->is_counts = TRUE;
          m->source = ng == 1 ? g_strdup_printf ("%s", gs[0].name) : g_strdup ("all genomes");
          ds->path = g_strdup (h->path);
          ds->format = g_strdup (scm_io_format_name (SCM_FORMAT_10X_V2));
          ds->n_cells = n_cells;
          g_strfreev (ds->barcodes);
          ds->barcodes = g_new0 (char *, n_cells + 1);
          for (gint64 r = 0; r < n_cells; r++)
            ds->barcodes[r] = g_strdup (bcs->pdata[r]);
          ds->rna = g_steal_pointer (&m);
          if (ng > 1)
            {
              GString *list = g_string_new (NULL);
              for (guint i = 0; i < ng; i++)
                g_string_append_printf (list, "%s%s", i ? ", " : "", gs[i].name);
              scm_dataset_add_note (ds, "%u genomes read and concatenated (%s), genome per feature "
                                    "recorded; cells are the %s of their barcodes", ng, list->str,
                                    same ? "same in each" : "union");
              g_string_free (list, TRUE);
            }
          else if (opts->genome)
            scm_dataset_add_note (ds, "kept genome %s only", opts->genome);
        }
    }
  scm_modality_free (m);
  for (guint i = 0; i < ng; i++)
    {
      genome_clear (&gs[i]);
      g_free (maps[i]);
    }
  if (!ok)
    return NULL;
  return g_steal_pointer (&ds);
}
