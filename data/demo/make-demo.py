#!/usr/bin/python3
"""make-demo.py: build data/demo/pbmc10k-demo.h5ad, the bundled demo dataset.

A stratified subset (by cell_type) of ../shared/data/pbmc10k/pbmc10k.h5ad:
all 4000 genes, the 14 proteins (obsm/protein_expression + uns/protein_names),
cell_type and wnn_cluster labels.  Small classes (dendritic cells, CD16+
monocytes) are kept whole so they remain visible in the demo; the others are
sampled proportionally.  Cells keep their original order.

The HDF5 tree is copied group by group with h5py so the exact anndata 0.8
layout of the source (encoding attributes, int8 codes, variable-length
strings, gzip) is preserved; only arrays along the cell axis are subset.

Run with Debian's Python:  /usr/bin/python3 data/demo/make-demo.py
"""
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, '..', '..', '..', 'shared', 'data', 'pbmc10k', 'pbmc10k.h5ad')
DST = os.path.join(HERE, 'pbmc10k-demo.h5ad')
TARGET_CELLS = 2200
KEEP_WHOLE_BELOW = 60      # classes smaller than this are kept entirely
SEED = 20251125


def choose_cells(codes, categories):
    rng = np.random.default_rng(SEED)
    n = len(codes)
    small = [k for k in range(len(categories)) if (codes == k).sum() < KEEP_WHOLE_BELOW]
    n_small = int(sum((codes == k).sum() for k in small))
    frac = (TARGET_CELLS - n_small) / (n - n_small)
    keep = []
    for k in range(len(categories)):
        idx = np.flatnonzero(codes == k)
        if k in small:
            keep.append(idx)
        else:
            m = int(round(len(idx) * frac))
            keep.append(np.sort(rng.choice(idx, size=m, replace=False)))
    return np.sort(np.concatenate(keep))


def copy_attrs(src, dst):
    for key, value in src.attrs.items():
        dst.attrs[key] = value


def dataset_kwargs(ds):
    kw = {}
    if ds.compression is not None:
        kw['compression'] = ds.compression
        kw['compression_opts'] = ds.compression_opts
        kw['shuffle'] = ds.shuffle
    return kw


def write_dataset(parent, name, ds, data):
    kw = dataset_kwargs(ds) if np.ndim(data) > 0 else {}
    if np.ndim(data) > 0 and len(data) > 0 and ds.chunks is not None:
        kw['chunks'] = tuple(min(c, s) for c, s in zip(ds.chunks, np.shape(data)))
    out = parent.create_dataset(name, data=data, dtype=ds.dtype, **kw)
    copy_attrs(ds, out)


def copy_subset(src, dst, n_cells, keep):
    """Copy group src into dst, subsetting arrays whose first axis is cells."""
    for name, obj in src.items():
        if isinstance(obj, h5py.Group):
            g = dst.create_group(name)
            copy_attrs(obj, g)
            copy_subset(obj, g, n_cells, keep)
        else:
            data = obj[()]
            if np.ndim(data) > 0 and data.shape[0] == n_cells:
                data = data[keep]
            write_dataset(dst, name, obj, data)


def main():
    src = h5py.File(SRC, 'r')
    n_cells = int(src['X'].attrs['shape'][0])
    n_genes = int(src['X'].attrs['shape'][1])
    codes = src['obs/cell_type/codes'][()]
    cats = [c.decode() if isinstance(c, bytes) else c for c in src['obs/cell_type/categories'][()]]
    keep = choose_cells(codes, cats)

    if os.path.exists(DST):
        os.remove(DST)
    dst = h5py.File(DST, 'w')
    copy_attrs(src, dst)
    for name, obj in src.items():
        if name == 'X':
            continue
        if isinstance(obj, h5py.Group):
            g = dst.create_group(name)
            copy_attrs(obj, g)
            # var/varm/varp/uns/layers are along genes or global: copy as-is.
            if name in ('obs', 'obsm', 'obsp'):
                copy_subset(obj, g, n_cells, keep)
            else:
                copy_subset(obj, g, -1, keep)
        else:
            write_dataset(dst, name, obj, obj[()])

    # X: CSR rows of the kept cells.
    X = src['X']
    indptr = X['indptr'][()]
    data = X['data'][()]
    indices = X['indices'][()]
    rows_data, rows_idx, new_indptr = [], [], [0]
    for r in keep:
        a, b = indptr[r], indptr[r + 1]
        rows_data.append(data[a:b])
        rows_idx.append(indices[a:b])
        new_indptr.append(new_indptr[-1] + (b - a))
    gx = dst.create_group('X')
    copy_attrs(X, gx)
    gx.attrs['shape'] = np.array([len(keep), n_genes], dtype=X.attrs['shape'].dtype)
    write_dataset(gx, 'data', X['data'], np.concatenate(rows_data).astype(X['data'].dtype))
    write_dataset(gx, 'indices', X['indices'], np.concatenate(rows_idx).astype(X['indices'].dtype))
    write_dataset(gx, 'indptr', X['indptr'], np.asarray(new_indptr, dtype=X['indptr'].dtype))

    note = ('scMMAE Studio demo: %d of the %d pbmc10k cells (10x pbmc_10k_protein_v3, '
            'totalVI-filtered), stratified by cell_type; made by data/demo/make-demo.py.'
            % (len(keep), n_cells))
    if 'notes' in dst['uns']:
        del dst['uns']['notes']
    dst['uns'].create_dataset('notes', data=note, dtype=h5py.string_dtype('utf-8'))
    dst['uns']['notes'].attrs['encoding-type'] = 'string'
    dst['uns']['notes'].attrs['encoding-version'] = '0.2.0'
    dst.close()
    src.close()

    sizes = {cats[k]: int((codes[keep] == k).sum()) for k in range(len(cats))}
    print('wrote %s: %d cells, %d bytes' % (DST, len(keep), os.path.getsize(DST)))
    for k, v in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print('  %-16s %d' % (k, v))


if __name__ == '__main__':
    sys.exit(main())
