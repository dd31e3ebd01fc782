#!/usr/bin/python3
"""check_h5ad.py - open an .h5ad written by scMMAE Studio with anndata and
check it against expectations given on the command line.

    /usr/bin/python3 check_h5ad.py FILE key=value ...

Keys (all optional):
  shape=NxG                 adata.shape
  var0=NAME                 first var name;   obs0=NAME  first obs name
  obs=col:kind,...          obs columns and kinds (category|float|bool|str)
  cats=col:A|B|C            categories of a categorical obs column, in order
  codes=col:i:CAT           obs column value at row i
  obsm=key:NxP,...          obsm arrays and shapes
  uns=key,...               keys present in uns
  unsstr=key:VALUE          scalar string in uns
  protein_names=A|B         uns['protein_names']
  xsum=FLOAT                sum of X (relative tolerance 1e-5)
  obsmsum=key:FLOAT         sum of an obsm array (relative tolerance 1e-5)
Exit status 0 when everything matches, 1 with one line per mismatch, 77
when anndata is not importable.
"""
import sys

try:
    import anndata
    import numpy as np
except ImportError as e:  # pragma: no cover - environment dependent
    print("skip: %s" % e)
    sys.exit(77)


def main(argv):
    path = argv[1]
    a = anndata.read_h5ad(path)
    bad = []

    def check(cond, msg):
        if not cond:
            bad.append(msg)

    for arg in argv[2:]:
        key, _, val = arg.partition("=")
        if key == "shape":
            n, g = (int(v) for v in val.split("x"))
            check(a.shape == (n, g), "shape %s != %s" % (a.shape, (n, g)))
        elif key == "var0":
            check(a.n_vars > 0 and a.var_names[0] == val, "var0 %r != %r" % (a.var_names[:1].tolist(), val))
        elif key == "obs0":
            check(a.obs_names[0] == val, "obs0 %r != %r" % (a.obs_names[0], val))
        elif key == "obs":
            for item in val.split(","):
                col, kind = item.split(":")
                if col not in a.obs.columns:
                    bad.append("obs column %s missing (have %s)" % (col, list(a.obs.columns)))
                    continue
                dt = a.obs[col].dtype
                ok = {"category": str(dt) == "category",
                      "float": np.issubdtype(dt, np.floating) if str(dt) != "category" else False,
                      "bool": dt == bool,
                      "str": dt == object}[kind]
                check(ok, "obs %s dtype %s is not %s" % (col, dt, kind))
        elif key == "cats":
            col, cats = val.split(":", 1)
            got = list(a.obs[col].cat.categories)
            check(got == cats.split("|"), "categories of %s: %s != %s" % (col, got, cats.split("|")))
        elif key == "codes":
            col, i, cat = val.split(":", 2)
            got = a.obs[col].iloc[int(i)]
            check(str(got) == cat, "%s[%s] = %r != %r" % (col, i, got, cat))
        elif key == "obsm":
            for item in val.split(","):
                k, shp = item.split(":")
                n, p = (int(v) for v in shp.split("x"))
                if k not in a.obsm:
                    bad.append("obsm %s missing (have %s)" % (k, list(a.obsm.keys())))
                    continue
                check(a.obsm[k].shape == (n, p), "obsm %s shape %s != %s" % (k, a.obsm[k].shape, (n, p)))
        elif key == "uns":
            for k in val.split(","):
                check(k in a.uns, "uns %s missing (have %s)" % (k, list(a.uns.keys())))
        elif key == "unsstr":
            k, v = val.split(":", 1)
            got = a.uns
            for part in k.split("/"):
                got = got[part]
            check(str(got) == v, "uns %s = %r != %r" % (k, got, v))
        elif key == "protein_names":
            got = [str(x) for x in a.uns["protein_names"]]
            check(got == val.split("|"), "protein_names %s != %s" % (got, val.split("|")))
        elif key == "xsum":
            s = float(a.X.sum(dtype=np.float64))
            check(abs(s - float(val)) <= 1e-5 * max(1.0, abs(float(val))), "X sum %.9g != %s" % (s, val))
        elif key == "obsmsum":
            k, v = val.split(":")
            s = float(np.asarray(a.obsm[k], dtype=np.float64).sum())
            check(abs(s - float(v)) <= 1e-5 * max(1.0, abs(float(v))), "obsm %s sum %.9g != %s" % (k, s, v))
        else:
            bad.append("unknown check %s" % key)
    for b in bad:
        print(b)
    if not bad:
        print("ok: %s %s, obs %s, obsm %s, uns %s" % (path, a.shape, list(a.obs.columns),
                                                       list(a.obsm.keys()), list(a.uns.keys())))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
