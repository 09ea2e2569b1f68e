"""Bytes to text for data files, with the offending byte located when it is not text."""

from __future__ import annotations

import codecs

from govcheck.errors import InputError
from govcheck.model import Location


def location_of_offset(text: str, path: str, offset: int) -> Location:
    """The 1-based line and column (in characters) of a character offset in `text`."""
    line_start = text.rfind("\n", 0, offset) + 1
    return Location(path, text.count("\n", 0, offset) + 1, offset - line_start + 1)


def decode_text(data: bytes, path: str, encoding: str = "utf-8") -> str:
    """`data` decoded (a UTF-8 byte-order mark dropped); InputError at the first bad byte."""
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8") and data.startswith(
        codecs.BOM_UTF8
    ):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode(encoding, "replace")
        raise InputError(
            f"not {encoding} text: byte 0x{data[exc.start]:02x} cannot be decoded"
            " (binary data, or the wrong encoding?)",
            location_of_offset(good, path, len(good)),
        ) from None
    except LookupError:
        raise InputError(f"unknown encoding '{encoding}'", Location(path, 1, 1)) from None
