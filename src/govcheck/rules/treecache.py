"""Parse trees of CEL expressions, kept between runs.

Building cel-python's lark parser and parsing a pack's ~120 expressions is
most of what a `check` of a small inventory costs (about two thirds of the
example organisation's run). The trees depend only on the expression text,
the CEL grammar and lark, so they are kept in a cache file and read back
instead of parsed again.

The file is JSON, not pickle: it must not be able to run code. It is keyed
by a digest of cel-python's grammar and parser module and lark's version, so
an upgrade starts a new file. A cache that is missing, unreadable, corrupt or
not writable is ignored — the expression is then parsed as usual.
Expressions that do not parse are never cached (their errors are worded
fresh each time). The trees are trusted as the user's own files are: whoever
can write the cache folder can change what a rule means, as whoever can
write the installed package can; so the cache is off under CI, where caches
are shared between jobs, and an auditor can turn it off.

Where: `$GOVCHECK_CACHE_DIR` (set it empty to turn the cache off), else
nowhere when `CI` is set, else `$XDG_CACHE_HOME/govcheck`, else
`~/.cache/govcheck`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 1
# More expressions than this in one file (about 7 KB each) and it starts again with the
# current run's, so the file read at every start stays a few MB at most.
MAX_ENTRIES = 512
_META_FIELDS = ("line", "column", "start_pos", "end_line", "end_column", "end_pos",
                "container_line", "container_column", "container_start_pos",
                "container_end_line", "container_end_column", "container_end_pos")
_TOKEN_FIELDS = ("start_pos", "line", "column", "end_line", "end_column", "end_pos")


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is turned off.

    Off by default under CI (`CI` set, as GitHub Actions and most CI systems
    do): a cache restored from a shared CI store is written by other jobs, and
    a tampered tree would change verdicts. `GOVCHECK_CACHE_DIR` decides when set.
    """
    configured = os.environ.get("GOVCHECK_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "govcheck"


def _grammar_key() -> str:
    import importlib.util

    import lark

    # Found, not imported: with the trees cached, a run need not import cel-python.
    spec = importlib.util.find_spec("celpy")
    folder = Path(spec.origin).parent if spec is not None and spec.origin else Path()
    digest = hashlib.sha256(f"{FORMAT}|{lark.__version__}|".encode())
    for name in ("cel.lark", "celparser.py"):
        try:
            digest.update((folder / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()[:16]


def encode(tree: Any) -> Any:
    """A lark tree as JSON values: every token, rule name and position kept."""
    from lark import Token, Tree

    if tree is None:
        return None
    if isinstance(tree, Token):
        return ["K", tree.type, str(tree), *(getattr(tree, f, None) for f in _TOKEN_FIELDS)]
    if isinstance(tree, Tree):
        meta = tree.meta
        positions = None if meta.empty else [getattr(meta, f, None) for f in _META_FIELDS]
        data = tree.data
        rule = [data.type, str(data)] if isinstance(data, Token) else [None, str(data)]
        return ["T", *rule, positions, [encode(child) for child in tree.children]]
    raise TypeError(f"cannot cache a {type(tree).__name__} in a parse tree")


def decode(value: Any) -> Any:
    """The lark tree `encode` gave; ValueError when the value is not one."""
    from lark import Token, Tree
    from lark.tree import Meta

    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise ValueError("not an encoded tree")
    if value[0] == "K" and len(value) == 3 + len(_TOKEN_FIELDS):
        return Token(value[1], value[2], *value[3:])
    if value[0] == "T" and len(value) == 5:
        _, rule_type, rule, positions, children = value
        data = Token(rule_type, rule) if rule_type is not None else rule
        meta = Meta()  # type: ignore[no-untyped-call]  # lark leaves Meta() unannotated
        if positions is not None:
            if len(positions) != len(_META_FIELDS):
                raise ValueError("not an encoded tree")
            # Straight into the instance dict: a pack has ~20,000 trees of 12 positions.
            fields = meta.__dict__
            fields.update(zip(_META_FIELDS, positions, strict=True))
            fields["empty"] = False
        return Tree(data, [decode(child) for child in children], meta)
    raise ValueError("not an encoded tree")


class TreeCache:
    """The trees of one run: read from the cache file once, written back when it grew."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else cache_dir()
        self._stored: dict[str, Any] | None = None
        self._used: dict[str, Any] = {}
        self._added = False
        self._path: Path | None = None

    def _load(self) -> dict[str, Any]:
        if self._stored is None:
            self._stored = {}
            if self.folder is not None:
                self._path = self.folder / f"cel-trees-{_grammar_key()}.json"
                try:
                    document = json.loads(self._path.read_text(encoding="utf-8"))
                except (OSError, ValueError, RecursionError, MemoryError):
                    document = None  # missing, unreadable, corrupt or absurdly nested
                if isinstance(document, dict) and isinstance(document.get("trees"), dict):
                    self._stored = document["trees"]
        return self._stored

    def parse(self, text: str) -> Any:
        """The tree of `text`: from the cache, else parsed (raises celpy.CELParseError)."""
        encoded = self._load().get(text)
        if encoded is not None:
            try:
                tree = decode(encoded)
            except (ValueError, TypeError, RecursionError):
                tree = None
            if tree is not None:
                self._used[text] = encoded
                return tree
        from govcheck.rules.reference import parse  # cel-python only when something is new

        tree = parse(text)
        try:
            self._used[text] = encode(tree)
        except (TypeError, RecursionError):
            return tree
        self._added = True
        return tree

    def save(self) -> None:
        """Write the file back when this run parsed something new (best effort)."""
        if not self._added or self._path is None:
            return
        stored = self._load()
        trees = {**stored, **self._used} if len(stored) < MAX_ENTRIES else dict(self._used)
        temporary: str | None = None
        written = False
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self._path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"format": FORMAT, "trees": trees}, out, separators=(",", ":"))
            os.replace(temporary, self._path)
            written = True
        except (OSError, RecursionError, ValueError):
            return
        finally:
            # Whatever stopped the write (an interrupt included), no temporary file is left.
            if temporary is not None and not written:
                Path(temporary).unlink(missing_ok=True)
        self._added = False


_SHARED: TreeCache | None = None


def shared() -> TreeCache:
    """The process's cache (the file is read once however many packs are loaded)."""
    global _SHARED
    if _SHARED is None or _SHARED.folder != cache_dir():
        _SHARED = TreeCache()
    return _SHARED
