"""Binary task outputs (images, audio, video) as typed objects."""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infermux.provenance import ResponseInfo

__all__ = [
    "AudioOutput",
    "DepthMap",
    "ImageOutput",
    "MediaOutput",
    "VideoOutput",
    "media_kind_problem",
]

#: Spellings of one media type that ``mimetypes`` and servers disagree on.
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-flac": "audio/flac",
    "audio/mp3": "audio/mpeg",
    "audio/x-m4a": "audio/mp4",
    "audio/mp4a-latm": "audio/mp4",
}


def _normal(content_type: str) -> str:
    media = content_type.split(";", 1)[0].strip().lower()
    return _ALIASES.get(media, media)


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
#: Extensions ``mimetypes`` may not list for a type although they are its usual ones.
_EXTRA: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
    "audio/wav": (".wav",),
    "audio/mpeg": (".mp3",),
    "audio/flac": (".flac",),
    "audio/ogg": (".ogg", ".oga", ".opus"),
    "audio/mp4": (".m4a", ".mp4"),
    "video/mp4": (".mp4", ".m4v"),
    "video/webm": (".webm",),
    "image/webp": (".webp",),
}
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
        media = _normal(self.content_type)
        known = _EXTRA.get(media)
        return mimetypes.guess_extension(media) or (known[0] if known else ".bin")

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the bytes to ``path`` and return it as a string.

        A file name whose extension names another format than the bytes (``x.jpg`` for PNG
        bytes) is refused with :class:`~infermux.errors.InvalidInputError` naming the right
        extension (``self.extension``); an :class:`ImageOutput` converts instead when Pillow
        is installed. An extension that names no known type is written as it is.
        """
        target = os.fspath(path)
        wanted = self._type_of_name(target)
        if wanted is None or wanted == _normal(self.content_type):
            content = self.content
        else:
            content = self._convert(wanted, target)
        with open(target, "wb") as fh:
            fh.write(content)
        return target

    def _type_of_name(self, name: str) -> str | None:
        """The media type ``name``'s extension stands for, or None (unknown, or no need to
        compare: bytes of an unknown type, or an extension registered for this type)."""
        extension = os.path.splitext(name)[1].lower()
        mine = _normal(self.content_type)
        if not extension or mine == "application/octet-stream":
            return None
        if extension in mimetypes.guess_all_extensions(mine) or extension in _EXTRA.get(mine, ()):
            return None
        guessed, _ = mimetypes.guess_type(f"x{extension}", strict=False)
        return _normal(guessed) if guessed else None

    def _convert(self, wanted: str, target: str) -> bytes:
        from infermux.errors import InvalidInputError

        raise InvalidInputError(
            f"{target!r} names a file of type {wanted}, but these bytes are {self.content_type}: "
            f"save as {self.extension!r} (e.g. output.save('name' + output.extension))"
        )

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

    def _convert(self, wanted: str, target: str) -> bytes:
        """Re-encode the image into the format the file name asks for, with Pillow."""
        from infermux.errors import InvalidInputError

        try:
            from PIL import Image  # optional dependency, imported where used
        except ImportError:
            raise InvalidInputError(
                f"{target!r} names a file of type {wanted}, but this image is {self.content_type}: "
                f"save as {self.extension!r}, or install Pillow (pip install "
                "'infermux[pillow]') to convert it"
            ) from None
        import io

        extension = os.path.splitext(target)[1].lower()
        image_format = Image.registered_extensions().get(extension)
        if image_format is None or not wanted.startswith("image/"):
            raise InvalidInputError(
                f"{target!r} is not an image format Pillow writes: save as {self.extension!r}"
            )
        try:
            with Image.open(io.BytesIO(self.content)) as opened:
                image: Any = opened
                if image_format == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
                    image = image.convert("RGB")  # JPEG has no alpha channel
                out = io.BytesIO()
                image.save(out, format=image_format)
        except (OSError, ValueError) as exc:
            raise InvalidInputError(
                f"could not convert this {self.content_type} image to {wanted} for {target!r} "
                f"({exc}); save as {self.extension!r}"
            ) from None
        return out.getvalue()


@dataclass(frozen=True, slots=True, repr=False)
class DepthMap(ImageOutput):
    """The answer of ``depth_estimation``: the depth map as an image (the bytes, usually a
    grayscale PNG the model's values were scaled into, 0-255), and those values themselves.

    ``predicted_depth`` is one row of floats per pixel row when the provider sends the raw
    prediction (hf-inference does), else None. Whether larger means nearer (relative
    models such as DPT or Depth Anything) or farther (metric ones, in metres) depends on the
    model. ``save()``, ``to_pil()`` and ``extension`` work as on any :class:`ImageOutput`.
    """

    predicted_depth: list[list[float]] | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, repr=False)
class AudioOutput(MediaOutput):
    """Audio bytes (wav, flac, mp3 ...)."""


@dataclass(frozen=True, slots=True, repr=False)
class VideoOutput(MediaOutput):
    """Video bytes (usually mp4)."""


#: The media kind each binary-output task must return, and the container types that may
#: carry it (an mp4 or webm file may hold audio only). ``application/octet-stream`` (bytes
#: of an unknown type) is let through: it may be a format the sniffer does not know.
_TASK_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "text-to-image": ("image", ()),
    "image-to-image": ("image", ()),
    "image-text-to-image": ("image", ()),
    "depth-estimation": ("image", ()),
    "text-to-video": ("video", ()),
    "image-to-video": ("video", ()),
    "image-text-to-video": ("video", ()),
    "text-to-speech": ("audio", ("video/mp4", "video/webm")),
    "text-to-audio": ("audio", ("video/mp4", "video/webm")),
    "audio-to-audio": ("audio", ("video/mp4", "video/webm")),
}


def media_kind_problem(task: str, output: Any) -> str | None:
    """Why ``output`` (a :class:`MediaOutput`, or a list of them) is the wrong kind of media
    for ``task`` (a video for ``text-to-image``, an HTML page for ``text-to-speech``), or None."""
    expected = _TASK_KINDS.get(task)
    if expected is None:
        return None
    kind, containers = expected
    items = output if isinstance(output, list) else [output]
    for item in items:
        if not isinstance(item, MediaOutput):
            continue
        media = _normal(item.content_type)
        if media.startswith(kind + "/") or media in containers:
            continue
        if media == "application/octet-stream":
            continue
        where = f" from {item.url}" if item.url else ""
        return (
            f"a {task} call must return {kind}, but the provider's output{where} is "
            f"{item.content_type} ({len(item.content)} bytes)"
        )
    return None
