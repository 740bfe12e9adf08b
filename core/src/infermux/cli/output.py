"""Rendering results: tables, JSON, and media files (converted with Pillow when asked)."""

from __future__ import annotations

import importlib.util
import json
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from infermux.cli.errors import CLIError

__all__ = [
    "SavedMedia",
    "dumps",
    "format_table",
    "is_media",
    "is_numeric_array",
    "pillow_available",
    "save_media",
    "to_jsonable",
]


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces, header first."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in (headers, *rows)
    ]
    return "\n".join(lines)


def is_media(value: object) -> bool:
    """Media outputs (images, audio, video) are the ones that can ``save(path)``."""
    return callable(getattr(value, "save", None)) and isinstance(
        getattr(value, "content", None), bytes
    )


def to_jsonable(value: Any) -> Any:
    """Pydantic models (also inside lists and dicts) to plain JSON values, unset fields dropped."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json", exclude_none=True)
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, bytes):
        raise CLIError("the result is raw bytes; pass --output PATH to save it", exit_code=1)
    return value


def is_numeric_array(value: Any) -> bool:
    """A (nested) list of numbers, such as an embedding."""
    if isinstance(value, list):
        return bool(value) and all(is_numeric_array(item) for item in value)
    return isinstance(value, int | float) and not isinstance(value, bool)


def dumps(value: Any, *, pretty: bool) -> str:
    """JSON text; pretty output keeps numeric arrays compact (an embedding is one line)."""
    if not pretty or is_numeric_array(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(value, ensure_ascii=False, indent=2)


def pillow_available() -> bool:
    return importlib.util.find_spec("PIL") is not None


@dataclass(frozen=True, slots=True)
class SavedMedia:
    """Where a media output went, and what it holds."""

    path: Path
    content_type: str
    size: int
    provider: str | None
    converted_from: str | None = None
    note: str | None = None
    #: Where a depth map's raw values went (``DepthMap.predicted_depth``, as JSON rows).
    depth_path: Path | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            key: value
            for key, value in {
                "path": str(self.path),
                "content_type": self.content_type,
                "size": self.size,
                "provider": self.provider,
                "converted_from": self.converted_from,
                "predicted_depth_path": str(self.depth_path) if self.depth_path else None,
            }.items()
            if value is not None
        }

    def describe(self) -> str:
        what = self.content_type
        if self.converted_from:
            what = f"{self.content_type} (converted from {self.converted_from})"
        source = f" from {self.provider}" if self.provider else ""
        depth = f", raw depth values to {self.depth_path}" if self.depth_path else ""
        return f"saved {what}{source} to {self.path}{depth}"


def _write_bytes(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _convert(media: Any, path: Path, target_type: str) -> None:
    image = media.to_pil()
    if target_type == "image/jpeg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")  # JPEG has no alpha channel
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path)
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from exc


def save_media(media: Any, path: Path) -> SavedMedia:
    """Write ``media`` to ``path``, and a depth map's raw values beside it.

    An image whose bytes are another format than the file's extension says (JPEG bytes,
    ``.png`` name) is converted with Pillow when it is installed; without Pillow the bytes
    are written as they are and ``note`` says so. A :class:`~infermux.media.DepthMap` with
    ``predicted_depth`` also writes those values as JSON rows to ``<name>.depth.json``.
    """
    path = path.expanduser().resolve()
    saved = _save_media(media, path)
    depth = getattr(media, "predicted_depth", None)
    if depth is None:
        return saved
    depth_path = path.with_name(f"{path.stem}.depth.json")
    _write_bytes(depth_path, json.dumps(depth, separators=(",", ":")).encode())
    return replace(saved, depth_path=depth_path)


def _save_media(media: Any, path: Path) -> SavedMedia:
    content_type: str = media.content_type
    provider: str | None = getattr(media, "provider", None)
    wanted = mimetypes.guess_type(path.name)[0]
    convertible = (
        wanted is not None
        and wanted != content_type
        and wanted.startswith("image/")
        and content_type.startswith("image/")
        and callable(getattr(media, "to_pil", None))
    )
    if convertible and wanted is not None and pillow_available():
        _convert(media, path, wanted)
        size = path.stat().st_size
        return SavedMedia(path, wanted, size, provider, converted_from=content_type)
    _write_bytes(path, media.content)
    note = None
    if convertible:
        note = (
            f"the file holds {content_type} bytes despite its name: install Pillow "
            "(pip install pillow) to convert"
        )
    return SavedMedia(path, content_type, len(media.content), provider, note=note)
