"""Text input helpers shared by the loaders.

Every loader reads through :func:`text_lines`, which

* accepts a plain file, a gzip file (recognised by its magic bytes, not its
  name) or a :class:`ZipMember`;
* yields ``(line_number, line)`` without the line terminator (LF or CRLF);
* turns a truncated or corrupt gzip/zip stream and undecodable bytes into a
  :class:`~hector.errors.DataFormatError` that names the file and the line
  where reading stopped, so no loader can return a silently partial graph.
"""

from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from dataclasses import dataclass
from typing import Iterator, Tuple, Union

from ..errors import DataFormatError

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ZipMember:
    """One file inside a zip archive."""
    archive: str
    name: str

    def __str__(self):
        return f"{self.archive}/{self.name}"


Source = Union[str, os.PathLike, ZipMember]

_STREAM_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile,
                  UnicodeDecodeError)


def display_name(src: Source) -> str:
    return str(src)


def is_gzip(path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == GZIP_MAGIC


def open_binary(src: Source):
    """Open ``src`` for binary reading, decompressing gzip transparently."""
    try:
        if isinstance(src, ZipMember):
            zf = zipfile.ZipFile(src.archive)
            try:
                raw = zf.open(src.name)
            except KeyError:
                zf.close()
                raise DataFormatError(f"archive has no member '{src.name}'",
                                      path=src.archive) from None
            # Keep the archive open as long as the member stream lives.
            raw._hector_zip = zf  # type: ignore[attr-defined]
        else:
            raw = open(src, "rb")
            if raw.read(2) == GZIP_MAGIC:
                raw.seek(0)
                return gzip.GzipFile(fileobj=raw, mode="rb"), raw
            raw.seek(0)
        return raw, raw
    except FileNotFoundError:
        raise DataFormatError("no such file", path=display_name(src)) from None
    except zipfile.BadZipFile as e:
        raise DataFormatError(f"not a valid zip archive ({e})",
                              path=getattr(src, "archive", src)) from None


def text_lines(src: Source, encoding: str = "utf-8") -> Iterator[Tuple[int, str]]:
    """Yield ``(line_number, line)`` (1-based, newline stripped)."""
    name = display_name(src)
    stream, owner = open_binary(src)
    lineno = 0
    try:
        try:
            for raw in stream:
                lineno += 1
                try:
                    line = raw.decode(encoding)
                except UnicodeDecodeError as e:
                    raise DataFormatError(
                        f"invalid {encoding} byte sequence at column "
                        f"{e.start + 1} ({e.reason})", path=name,
                        line=lineno) from None
                if line.endswith("\n"):
                    line = line[:-2] if line.endswith("\r\n") else line[:-1]
                yield lineno, line
        except _STREAM_ERRORS as e:
            raise DataFormatError(_stream_error(e), path=name,
                                  line=lineno + 1) from None
    finally:
        owner.close()
        zf = getattr(owner, "_hector_zip", None)
        if zf is not None:
            zf.close()


def read_text(src: Source, encoding: str = "utf-8") -> str:
    """Read a whole (possibly gzip'd) file, with the same error mapping."""
    name = display_name(src)
    stream, owner = open_binary(src)
    try:
        data = stream.read()
    except _STREAM_ERRORS as e:
        raise DataFormatError(_stream_error(e), path=name) from None
    finally:
        owner.close()
        zf = getattr(owner, "_hector_zip", None)
        if zf is not None:
            zf.close()
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DataFormatError(f"invalid {encoding} byte sequence ({e.reason})",
                              path=name, line=line) from None


def _stream_error(e: BaseException) -> str:
    if isinstance(e, UnicodeDecodeError):
        return f"invalid UTF-8 byte sequence ({e.reason})"
    if isinstance(e, EOFError):
        return f"truncated compressed stream ({e})"
    return f"corrupt compressed stream ({e})"
