"""Hector: a compiler for relational graph neural networks.

This package holds the Python side of Hector.  The pieces that exist today:

* :mod:`hector.graph` -- :class:`HeteroGraph`, the one structure every loader
  returns;
* :mod:`hector.data` -- loaders for RDF, knowledge-graph triples, HGB and OGB
  raw files, plus synthetic graphs at the published scale of large datasets;
* :mod:`hector.prep` -- graph preparation (relation segments, CSRs, compact
  (node, relation) maps, statistics), implemented in the C++ runtime library
  and called through its C ABI;
* :mod:`hector.stats` -- ``python3 -m hector.stats <dataset>``.
"""

from . import _openmp

# Before anything imports torch: one OpenMP runtime for torch and the
# compiled models (see hector._openmp).
_openmp.share_with_torch()

from .errors import DataFormatError, RuntimeLibraryError  # noqa: E402
from .graph import HeteroGraph  # noqa: E402

__all__ = ["DataFormatError", "RuntimeLibraryError", "HeteroGraph"]
