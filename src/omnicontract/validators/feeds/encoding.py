"""Text encodings: any codec Python knows, read by the engine as UTF-8.

DuckDB reads UTF-8 natively. A file in any other encoding is transcoded once, in
streaming chunks, into a UTF-8 copy in the run's temporary folder (never the whole file
in memory, the source never touched). A byte that is invalid in the declared encoding is
written as an invalid UTF-8 byte, so the engine rejects exactly the rows that hold one,
in any column, with their line numbers. Line breaks are kept, so line numbers are the
source file's.

`latin-1` (`iso-8859-1`) is read the way browsers read it: as Windows-1252, whose
letters and punctuation (curly quotes, dashes, the euro sign) fill the range ISO-8859-1 leaves to control
characters; the five bytes Windows-1252 does not define stay those control characters.
"""

from __future__ import annotations

import codecs
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO

CHUNK = 1 << 22  # 4 MiB
INVALID = "\udcff"  # written as the byte 0xFF: never valid in UTF-8
UTF8 = {"utf-8", "utf-8-sig"}
LATIN1 = "iso8859-1"


def _mark_invalid(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return INVALID, exc.end


def _latin1_controls(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return "".join(chr(b) for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error("omnicontract-invalid", _mark_invalid)
codecs.register_error("omnicontract-latin1", _latin1_controls)


def codec_name(encoding: str | None) -> str:
    """Python's canonical name of an encoding (`windows-1252` -> `cp1252`)."""
    return codecs.lookup(encoding or "utf-8").name


def is_native(encoding: str | None) -> bool:
    """Read by the engine as it is (UTF-8, with or without a BOM)."""
    return codec_name(encoding) in UTF8


def open_binary(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def decoder(encoding: str | None) -> codecs.IncrementalDecoder:
    name = codec_name(encoding)
    if name == LATIN1:
        return codecs.getincrementaldecoder("cp1252")(errors="omnicontract-latin1")
    if name == "utf-8":
        name = "utf-8-sig"
    return codecs.getincrementaldecoder(name)(errors="omnicontract-invalid")


def chunks(path: Path, encoding: str | None) -> Iterator[str]:
    """The decoded text of a file, chunk by chunk."""
    dec = decoder(encoding)
    with open_binary(path) as fh:
        while data := fh.read(CHUNK):
            yield dec.decode(data)
        yield dec.decode(b"", final=True)


# Python codec -> the system converter's name, for the encodings it writes exactly as
# Python does; `latin-1` is read as Windows-1252 (see the module docstring)
ICONV_NAMES = {
    "cp1252": "CP1252",
    LATIN1: "CP1252",
    "iso8859-15": "ISO-8859-15",
    "cp1250": "CP1250",
    "iso8859-2": "ISO-8859-2",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
}


def transcode(path: Path, encoding: str | None, target: Path) -> Path:
    """Write ``path`` as UTF-8 to ``target`` (invalid bytes stay invalid); return it.
    The system's ``iconv`` does it when it is installed and the file converts cleanly
    (several times faster); any file it refuses is converted here, where invalid bytes
    are marked rather than refused."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if _iconv(path, codec_name(encoding), target):
        return target
    with open(target, "wb") as out:
        for text in chunks(path, encoding):
            out.write(text.encode("utf-8", "surrogateescape"))
    return target


def _iconv(path: Path, name: str, target: Path) -> bool:
    import shutil
    import subprocess

    program = shutil.which("iconv")
    system_name = ICONV_NAMES.get(name)
    if program is None or system_name is None or path.name.lower().endswith(".gz"):
        return False
    with open(path, "rb") as source, open(target, "wb") as out:
        done = subprocess.run(
            [program, "-f", system_name, "-t", "UTF-8"],
            stdin=source,
            stdout=out,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    return done.returncode == 0


def head_text(path: Path, encoding: str | None, size: int = 65_536) -> str:
    """The first ``size`` bytes of a file, decoded (invalid bytes as U+FFFD)."""
    with open_binary(path) as fh:
        head = fh.read(size)
    text = decoder(encoding).decode(head, final=False)
    return text.replace(INVALID, "\ufffd")
