"""Dataset loaders.

``load_dataset(name_or_path, ...)`` is the entry point:

* ``aifb`` (``preprocessing="paper"`` or ``"dgl"``), ``fb15k-237``, ``acm``,
  ``dblp``: the real files under the data directory;
* ``bgs``, ``am``, ``ogbn-mag``, ``ogbl-wikikg2``, ``ogbl-biokg``: synthetic
  graphs with the published counts (``scale`` shrinks them);
* a path: an HGB directory or zip, a knowledge-graph triple directory, an
  OGB raw directory, or an RDF file (``.nt``/``.n3``/``.ttl``, maybe gzip).

The data directory is ``$HECTOR_DATA_DIR`` if set, else ``<repo>/../shared/data``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DataFormatError
from ..graph import HeteroGraph
from .hgb import load_hgb
from .kg import load_kg
from .ogb import load_ogb_raw
from .rdf import AIFB_DGL_RULES, DGLRules, load_aifb, load_rdf
from .synthetic import SYNTHETIC_SPECS, synthetic_graph

__all__ = ["data_dir", "load_dataset", "load_aifb", "load_rdf", "load_kg",
           "load_hgb", "load_ogb_raw", "synthetic_graph", "SYNTHETIC_SPECS",
           "DGLRules", "AIFB_DGL_RULES", "REAL_DATASETS"]

REAL_DATASETS = ("aifb", "fb15k-237", "acm", "dblp")


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def data_dir() -> Path:
    env = os.environ.get("HECTOR_DATA_DIR")
    if env:
        return Path(env)
    return (repo_root() / ".." / "shared" / "data").resolve()


def load_dataset(name: str, preprocessing: str = "paper", scale: float = 1.0,
                 seed: int = 0, features: bool = True) -> HeteroGraph:
    key = name.lower()
    if key == "aifb":
        return load_aifb(data_dir() / "aifb", preprocessing)
    if key in ("fb15k-237", "fb15k237"):
        return load_kg(data_dir() / "fb15k-237", name="fb15k-237")
    if key in ("acm", "dblp"):
        return load_hgb(data_dir() / "hgb" / f"{key.upper()}.zip",
                        features=features, name=key)
    if key in SYNTHETIC_SPECS:
        return synthetic_graph(key, scale=scale, seed=seed)
    return load_path(name, preprocessing=preprocessing, features=features)


def load_path(path, preprocessing: str = "paper",
              features: bool = True) -> HeteroGraph:
    """Guess the format of a file or directory and load it."""
    p = Path(path)
    if not p.exists():
        known = ", ".join(REAL_DATASETS + tuple(SYNTHETIC_SPECS))
        raise DataFormatError(f"no such file or directory, and not a dataset "
                              f"name (known: {known})", path=path)
    if p.is_dir():
        if (p / "node.dat").exists() or (p / "link.dat").exists():
            return load_hgb(p, features=features)
        if (p / "raw").is_dir() or (p / "num-node-dict.csv.gz").exists():
            return load_ogb_raw(p, features=features)
        if (p / "aifb_stripped.nt.gz").exists():
            return load_aifb(p, preprocessing)
        from .kg import find_split_file
        if find_split_file(p, "train"):
            return load_kg(p)
        raise DataFormatError("cannot tell the dataset format of this "
                              "directory", path=path)
    low = p.name.lower()
    if low.endswith(".zip"):
        return load_hgb(p, features=features)
    if low.endswith((".nt", ".nt.gz", ".n3", ".n3.gz", ".ttl", ".ttl.gz")):
        # R-GCN's label files: trainingSet.tsv / testSet.tsv, or with a
        # suffix such as trainingSet(lith).tsv for BGS.
        labels = {}
        for split, stem in (("train", "trainingSet"), ("test", "testSet")):
            found = sorted(p.parent.glob(f"{stem}*.tsv"))
            if len(found) > 1:
                raise DataFormatError(f"several {stem}*.tsv label files "
                                      f"beside the graph; use "
                                      f"hector.data.load_rdf", path=p.parent)
            if found:
                labels[split] = found[0]
        if preprocessing == "dgl":
            raise DataFormatError("the 'dgl' preprocessing needs per-dataset "
                                  "rules; use hector.data.load_rdf(..., "
                                  "dgl_rules=...)", path=path)
        return load_rdf([p], labels, "paper", name=p.name.split(".")[0])
    raise DataFormatError("cannot tell the dataset format of this file",
                          path=path)
