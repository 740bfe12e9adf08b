"""Binary task outputs (images, audio, video) as typed objects."""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infermux.provenance import ResponseInfo

__all__ = ["AudioOutput", "ImageOutput", "MediaOutput", "VideoOutput"]

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"\xff\xf3", "audio/mpeg"),
    (b"\xff\xf2", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"OggS", "audio/ogg"),
    (b"\x1aE\xdf\xa3", "video/webm"),
)
_RIFF = {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}
_FTYP = {b"M4A ": "audio/mp4", b"qt  ": "video/quicktime"}


def sniff_content_type(content: bytes, declared: str | None = None) -> str:
    """The content type from the leading bytes, else the declared one, else octet-stream."""
    if content[:4] == b"RIFF" and content[8:12] in _RIFF:
        return _RIFF[content[8:12]]
    if content[4:8] == b"ftyp":
        return _FTYP.get(content[8:12], "video/mp4")
    for signature, content_type in _SIGNATURES:
        if content.startswith(signature):
            return content_type
    if declared and declared != "application/octet-stream":
        return declared.split(";", 1)[0].strip()
    return "application/octet-stream"


@dataclass(frozen=True, slots=True)
class MediaOutput:
    """Bytes a provider returned, with their content type and where they came from."""

    content: bytes = field(repr=False)
    content_type: str
    url: str | None = None
    provider: str | None = None
    #: For outputs that come labelled (e.g. audio-to-audio sources).
    label: str | None = None
    #: Set by the client: which provider answered, with which request id.
    response_info: ResponseInfo | None = field(default=None, compare=False)

    @property
    def extension(self) -> str:
        return mimetypes.guess_extension(self.content_type) or ".bin"

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the bytes to ``path`` and return it as a string."""
        with open(path, "wb") as fh:
            fh.write(self.content)
        return os.fspath(path)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(content_type={self.content_type!r}, "
            f"size={len(self.content)}, provider={self.provider!r})"
        )


@dataclass(frozen=True, slots=True, repr=False)
class ImageOutput(MediaOutput):
    """An image; ``to_pil()`` opens it with Pillow when it is installed."""

    def to_pil(self) -> Any:
        try:
            from PIL import Image  # optional dependency, imported where used
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_pil() needs Pillow: pip install pillow") from exc
        import io

        return Image.open(io.BytesIO(self.content))


@dataclass(frozen=True, slots=True, repr=False)
class AudioOutput(MediaOutput):
    """Audio bytes (wav, flac, mp3 ...)."""


@dataclass(frozen=True, slots=True, repr=False)
class VideoOutput(MediaOutput):
    """Video bytes (usually mp4)."""
