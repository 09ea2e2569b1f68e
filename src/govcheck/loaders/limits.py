"""Safety limits for reading an inventory: every one bounds work an input can cause."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024
MAX_INTEGER_DIGITS = 4300
"""Most digits an integer in a YAML or JSON file may have to be read as a number.

Python's own default bound on converting between integers and text (the work
is quadratic in the digits). A longer integer, or a float beyond the
floating-point range, is kept as its text and reported (INVENTORY-SCHEMA),
as an over-long text value is.
"""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one inventory may make govcheck read; exceeding one is an InputError.

    The defaults suit inventories far larger than a real organisation's and
    keep a hostile input to a few seconds and a bounded amount of memory.
    """

    max_file_bytes: int = 50 * MIB
    """Largest data file (or archive member) read."""
    max_archive_bytes: int = 500 * MIB
    """Largest archive, and largest total of its members' uncompressed sizes."""
    max_archive_members: int = 10_000
    """Most entries (files and folders) an archive may hold."""
    max_compression_ratio: float = 100.0
    """Largest uncompressed/compressed ratio, checked once a member or archive passes 1 MiB."""
    ratio_floor_bytes: int = 1 * MIB
    """Uncompressed size below which the ratio is not checked (small text compresses well)."""
    max_depth: int = 64
    """Deepest nesting of lists and mappings in a YAML or JSON file."""
    max_alias_nodes: int = 10_000
    """Most nodes a YAML file may produce through aliases (bounds billion-laughs)."""
    max_value_chars: int = 65_536
    """Longest text value a record may hold without an INVENTORY-SCHEMA finding."""
    max_records: int = 1_000_000
    """Most records (and non-record items) an inventory may hold."""
