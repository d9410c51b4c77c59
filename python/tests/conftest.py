import os
import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
if str(PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(PYTHON_DIR))

from hector.data import data_dir  # noqa: E402


@pytest.fixture(scope="session")
def data_root():
    root = data_dir()
    if not root.is_dir():
        pytest.fail(f"data directory {root} not found (set HECTOR_DATA_DIR)")
    return root


@pytest.fixture(scope="session")
def datasets(data_root):
    """``datasets(name)``: the shared dataset as a :class:`hector.testing.Case`,
    loaded and prepared once per session."""
    from hector.main import load_graph
    from hector.testing import Case
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = Case(name, graph=load_graph(name))
        return cache[name]
    return get


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def write_gz(path: Path, text: str) -> Path:
    import gzip
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as f:
        f.write(text)
    return path


def truncate_gz(path: Path, keep_fraction: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: max(12, int(len(data) * keep_fraction))])
    return path
