"""The batch's files: the input's check before anything is sent, the output file, resume.

Memory stays small however long the files are. Rows are never held: the input is read
twice (a check, then the run), and what must be remembered per row is an 8-byte digest in
a sorted ``array`` (1.6 MB for 200,000 rows, against ~100 bytes a row in a set of
strings). Two different rows share a digest with probability about ``n² / 2⁶⁵``
(10⁻⁸ for a million rows); the consequence would be one row skipped on resume.

**Writing.** Each output row is one ``os.write`` of the whole line on a file opened
``O_APPEND``, so a ``kill -9`` never loses a row whose write returned: it is in the
kernel's page cache, which outlives the process. ``fsync`` (which only guards against the
machine itself crashing) runs at most once a second and at the end: a sync per row would
cap a batch at the disk's sync rate (a few hundred rows a second on many disks) for no
gain against a killed process. A machine crash can thus lose up to a second of rows, which
the next run sends again. A line cut short (a full disk, a crash mid-write) is tolerated
by resume.

**Resume.** Rerunning with the same output file keeps the rows answered for the same
``custom_id`` *and* the same request content, and sends the rest: rows never answered,
error rows (retried), and rows whose content changed since. The output is first rewritten
without the dropped lines (to a temporary file, synced, then renamed over the original),
so the result holds exactly one line per ``custom_id``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infermux.batch.rows import BatchInputError, BatchRequest, parse_line

__all__ = [
    "InputCheck",
    "OutputWriter",
    "ResumeState",
    "check_input",
    "digest",
    "iter_requests",
    "prepare_output",
]

#: Input problems listed before giving up (the count says how many there were).
_MAX_REPORTED = 10


def digest(*parts: str) -> int:
    """An 8-byte digest of ``parts`` (see the module docstring for why 8 bytes)."""
    return int.from_bytes(hashlib.blake2b("\0".join(parts).encode(), digest_size=8).digest())


def _contains(sorted_values: array[int], value: int) -> bool:
    index = bisect_left(sorted_values, value)
    return index < len(sorted_values) and sorted_values[index] == value


def _sorted(values: array[int]) -> array[int]:
    return array("Q", sorted(values))


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        with open(path, "rb") as fh:
            yield from enumerate(fh, 1)
    except OSError as exc:
        raise BatchInputError(f"cannot read the batch input {path}: {exc.strerror}") from None


@dataclass
class InputCheck:
    """What the check of the input found (all it keeps is digests and small sets)."""

    rows: int = 0
    #: Sorted digests of (custom_id, request hash): the rows of this input.
    keys: array[int] = field(default_factory=lambda: array("Q"))
    #: Sorted digests of custom_id alone.
    ids: array[int] = field(default_factory=lambda: array("Q"))
    #: custom_ids that appear more than once with identical content (``dedupe`` collapses them).
    collapsed: set[str] = field(default_factory=set)
    #: (provider, task) pairs named, for the configuration check before sending.
    routes: set[tuple[str | None, str]] = field(default_factory=set)


def check_input(path: Path, *, provider: str | None, model: str | None, dedupe: bool) -> InputCheck:
    """Read the whole input once; raise :class:`BatchInputError` for malformed lines or
    duplicate ``custom_id`` values, naming the lines, before any request is sent."""
    check = InputCheck()
    problems: list[str] = []
    count = 0
    keys, ids = array("Q"), array("Q")
    for number, line in _lines(path):
        try:
            request = parse_line(line, line=number, provider=provider, model=model)
        except BatchInputError as exc:
            count += 1
            if len(problems) < _MAX_REPORTED:
                problems.append(str(exc))
            continue
        if request is None:
            continue
        check.rows += 1
        keys.append(digest(request.custom_id, request.request_hash))
        ids.append(digest(request.custom_id))
        if len(check.routes) < 1000:
            check.routes.add((request.provider, request.task))
    if problems:
        more = f" (and {count - len(problems)} more)" if count > len(problems) else ""
        raise BatchInputError(
            f"{path}: {count} malformed line{'s' if count > 1 else ''}{more}, nothing was "
            "sent:\n  " + "\n  ".join(problems)
        )
    check.keys, check.ids = _sorted(keys), _sorted(ids)
    repeated = {a for a, b in zip(check.ids, check.ids[1:], strict=False) if a == b}
    if repeated:
        _check_duplicates(path, repeated, provider, model, dedupe, check)
    return check


def _check_duplicates(
    path: Path,
    repeated: set[int],
    provider: str | None,
    model: str | None,
    dedupe: bool,
    check: InputCheck,
) -> None:
    """Second look at the (few) lines whose custom_id digest repeats: the exact ids."""
    seen: dict[str, tuple[str, list[int]]] = {}
    for number, line in _lines(path):
        request = parse_line(line, line=number, provider=provider, model=model)
        if request is None or digest(request.custom_id) not in repeated:
            continue
        hash_, lines = seen.setdefault(request.custom_id, (request.request_hash, []))
        lines.append(number)
        if hash_ != request.request_hash:
            seen[request.custom_id] = ("<differs>", lines)
    clashes = {cid: v for cid, v in seen.items() if len(v[1]) > 1}
    refused = [
        f"custom_id {cid!r} on lines {', '.join(map(str, lines[:5]))}"
        + (" (identical requests)" if hash_ != "<differs>" else " (different requests)")
        for cid, (hash_, lines) in sorted(clashes.items())
        if hash_ == "<differs>" or not dedupe
    ]
    if refused:
        raise BatchInputError(
            f"{path}: duplicate custom_id values, nothing was sent: "
            + "; ".join(refused[:_MAX_REPORTED])
            + ". Give each row its own custom_id (or pass --dedupe to send identical rows "
            "once)."
        )
    check.collapsed = set(clashes)


def iter_requests(path: Path, *, provider: str | None, model: str | None) -> Iterator[BatchRequest]:
    """The input's rows, one at a time (after :func:`check_input` passed)."""
    for number, line in _lines(path):
        request = parse_line(line, line=number, provider=provider, model=model)
        if request is not None:
            yield request


@dataclass
class ResumeState:
    """What an existing output file held."""

    #: Sorted digests of (custom_id, request hash) already answered successfully.
    done: array[int] = field(default_factory=lambda: array("Q"))
    kept: int = 0
    dropped_errors: int = 0
    dropped_changed: int = 0
    dropped_unreadable: int = 0
    kept_foreign: int = 0

    def is_done(self, request: BatchRequest) -> bool:
        return _contains(self.done, digest(request.custom_id, request.request_hash))


def _verdict(line: bytes, check: InputCheck) -> tuple[str, int]:
    """keep / foreign / error / changed / unreadable, and the row's key digest."""
    if not line.endswith(b"\n"):
        return "unreadable", 0  # a torn last line
    try:
        row = json.loads(line)
        custom_id = row["custom_id"]
        request_hash = (row.get("infermux") or {}).get("request_hash") or ""
    except (ValueError, KeyError, TypeError, AttributeError):
        return "unreadable", 0
    if not isinstance(custom_id, str):
        return "unreadable", 0
    key = digest(custom_id, request_hash)
    if not _contains(check.ids, digest(custom_id)):
        return "foreign", key  # not a row of this input: kept as it is
    if row.get("error") is not None or not isinstance(row.get("response"), dict):
        return "error", key
    if not _contains(check.keys, key):
        return "changed", key
    return "keep", key


def prepare_output(path: Path, check: InputCheck, *, resume: bool) -> ResumeState:
    """Read an existing output for resume (or empty it when ``resume`` is False), and
    rewrite it without the rows that will be sent again."""
    state = ResumeState()
    if not path.exists():
        return state
    if not resume:
        path.write_bytes(b"")
        return state
    done = array("Q")
    dropped = 0
    with open(path, "rb") as fh:
        for line in fh:
            verdict, key = _verdict(line, check)
            if verdict == "keep":
                done.append(key)
            elif verdict == "foreign":
                state.kept_foreign += 1
            else:
                dropped += 1
                state.dropped_errors += verdict == "error"
                state.dropped_changed += verdict == "changed"
                state.dropped_unreadable += verdict == "unreadable"
    state.done = _sorted(done)
    # A row answered twice (two runs at once on one file): keep its first line only.
    repeated = {a for a, b in zip(state.done, state.done[1:], strict=False) if a == b}
    state.kept = len(state.done) - len(repeated) + state.kept_foreign
    if dropped or repeated:
        _rewrite(path, check, repeated)
    return state


def _rewrite(path: Path, check: InputCheck, repeated: set[int]) -> None:
    """Write the kept lines to a temporary file beside ``path``, sync it, rename it over."""
    written: set[int] = set()  # a subset of ``repeated``: small
    fd, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".resume", dir=path.parent)
    try:
        os.chmod(temporary, path.stat().st_mode & 0o777)  # mkstemp makes it 0600
        with os.fdopen(fd, "wb") as out, open(path, "rb") as fh:
            for line in fh:
                verdict, key = _verdict(line, check)
                if verdict not in ("keep", "foreign"):
                    continue
                if key in repeated:
                    if key in written:
                        continue
                    written.add(key)
                out.write(line)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not supported here (e.g. Windows): the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class OutputWriter:
    """Appends output rows, one ``os.write`` each; syncs at most every ``sync_interval``
    seconds and on :meth:`close` (see the module docstring for why)."""

    def __init__(
        self,
        path: Path,
        *,
        sync_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.sync_interval = sync_interval
        self._clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._synced_at = clock()
        self.rows = 0

    def write(self, row: dict[str, Any]) -> None:
        if self._fd is None:
            raise ValueError("the output file is closed")
        data = (json.dumps(row, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        view = memoryview(data)
        while view:  # a regular file takes it in one write; loop for the rare short write
            written = os.write(self._fd, view)
            view = view[written:]
        self.rows += 1
        now = self._clock()
        if now - self._synced_at >= self.sync_interval:
            os.fsync(self._fd)
            self._synced_at = now

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.fsync(self._fd)
            finally:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
