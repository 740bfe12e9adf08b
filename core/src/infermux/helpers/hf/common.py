"""What every Hugging Face task API helper shares: the body shapes, binary inputs and the
checks that turn an answer into a typed output or a :class:`ResponseFormatError`.

The task API is ``POST <url>`` with ``{"inputs": ..., "parameters": {...}}``; an image or
audio input goes as the raw file (its own content type) when there are no parameters, and
as base64 in the same JSON shape otherwise, exactly as Hugging Face's own clients send it.
The helpers here post to the endpoint's own URL (route ``""``); a provider serving many
models behind one host (hf-inference) overrides ``prepare_route``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from infermux.errors import InvalidInputError
from infermux.helpers.base import BinaryPayload, Call, Payload, Response, TaskProviderHelper
from infermux.helpers.parsing import validate_list
from infermux.inputs import BinaryInput, BinaryKind, load_binary
from infermux.media import AudioOutput, ImageOutput, MediaOutput, VideoOutput, sniff_content_type

if TYPE_CHECKING:  # pydantic loads with the first model, not at plugin discovery
    from pydantic import BaseModel

__all__ = [
    "HFBinaryTaskHelper",
    "HFTaskHelper",
    "binary_input",
    "hf_error_message",
]

M = TypeVar("M", bound="BaseModel")
MediaT = TypeVar("MediaT", bound=MediaOutput)

#: Content types a binary input of each kind may have. ``application/octet-stream`` is an
#: input whose type could not be sniffed (e.g. a URL download of an unusual codec): the
#: server decodes it with ffmpeg or Pillow, so it is left to decide.
_ACCEPTED: dict[str, tuple[str, ...]] = {
    "image": ("image/", "application/octet-stream"),
    "audio": ("audio/", "video/webm", "video/mp4", "video/ogg", "application/octet-stream"),
    "video": ("video/", "application/octet-stream"),
}

#: Content types a media answer of each output type may have.
_MEDIA_TYPES: dict[type[MediaOutput], tuple[str, ...]] = {
    ImageOutput: ("image/",),
    AudioOutput: ("audio/", "video/webm", "video/ogg"),
    VideoOutput: ("video/",),
}


def hf_error_message(body: Any) -> str | None:
    """The message of a task API error body: ``{"error": "..."}`` (TGI and TEI add an
    ``error_type``), ``{"error": ["...", ...]}`` or ``{"error": {"message": ...}}``."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, str):
            return error
        if isinstance(error, list):
            return "; ".join(map(str, error))
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
    return None


def binary_input(
    value: Any, kind: BinaryKind, name: str = "input", provider: str = "the endpoint"
) -> BinaryInput:
    """``value`` as a :class:`BinaryInput` of ``kind``, refusing anything of another kind.

    The client hands helpers a BinaryInput already read and sniffed; plain bytes (as a
    conformance suite passes them) are sniffed here. Paths and URLs never reach a helper
    unread, and a helper does no I/O, so anything else is refused.
    """
    if isinstance(value, bytes | bytearray):
        value = load_binary(bytes(value), kind, name)
    if not isinstance(value, BinaryInput):
        raise InvalidInputError(
            f"{provider} expected the {name} as bytes, got {type(value).__name__}"
        )
    if not value.content_type.startswith(_ACCEPTED.get(kind, ("",))):
        raise InvalidInputError(
            f"{provider} cannot take a {value.content_type} file as the {name} (expected {kind})"
        )
    return value


class HFTaskHelper(TaskProviderHelper):
    """The classic ``{"inputs": ..., "parameters": {...}}`` task API at the endpoint's URL."""

    def prepare_route(self, call: Call) -> str:
        return ""  # the URL is the model: an Inference Endpoint's root, TEI's root route

    def prepare_payload(self, call: Call) -> Payload:
        return {"inputs": call.inputs, "parameters": dict(call.parameters)}

    def error_message(self, body: Any) -> str | None:
        return hf_error_message(body)

    # -- response checks shared by the tasks -----------------------------------------

    def fail(self, what: str, body: Any) -> NoReturn:
        """Raise ResponseFormatError naming the task and showing the start of the body."""
        raise self.unexpected(body, problem=f"expected {what}, got")

    def fail_input(self, expected: str, value: Any) -> NoReturn:
        """Raise InvalidInputError (before any request) for inputs of the wrong shape."""
        raise InvalidInputError(
            f"{self.provider} {self.task} expects inputs like {expected}, "
            f"got {type(value).__name__}"
        )

    def json_list(self, response: Response, *, allow_empty: bool = False) -> list[Any]:
        """A JSON list; ``[[...]]`` (the pipeline's answer to one input) unwrapped.

        Empty only where nothing found is a real answer (no entity, no object).
        """
        body = response.json()
        if isinstance(body, list) and len(body) == 1 and isinstance(body[0], list):
            body = body[0]
        if not isinstance(body, list) or not (body or allow_empty):
            self.fail("a non-empty JSON list", body)
        return body

    def json_first(self, response: Response) -> Any:
        """The only (or first) element of a list answer, or the answer itself if not a list."""
        body = response.json()
        if isinstance(body, list):
            body = body[0] if body else None
        return body

    def elements(self, model: type[M], response: Response, *, allow_empty: bool = False) -> list[M]:
        """A list answer validated as ``list[model]``."""
        body = self.json_list(response, allow_empty=allow_empty)
        return validate_list(model, body, self.provider, self.task)

    def one(self, model: type[M], data: Any, required: str) -> M:
        """A JSON object holding the key ``required``, validated as ``model``."""
        if not isinstance(data, dict) or required not in data:
            self.fail(f"a JSON object with {required!r}", data)
        return validate_list(model, [data], self.provider, self.task)[0]

    def answers(self, model: type[M], body: Any) -> list[M]:
        """Answer objects (each with ``answer``); a lone object counts as a list of one."""
        answers = [body] if isinstance(body, dict) else body
        if not isinstance(answers, list) or not answers:
            self.fail("a list of answers", body)
        return [self.one(model, answer, "answer") for answer in answers]

    def media(self, output: type[MediaT], response: Response) -> MediaT:
        """A raw media answer (image, audio or video bytes) as ``output``; anything else (an
        HTML error page from a proxy, JSON) is refused."""
        content_type = sniff_content_type(response.content, response.content_type)
        expected = _MEDIA_TYPES.get(output, ("",))
        if not response.content or not content_type.startswith(expected):
            self.fail(f"{output.__name__} bytes", response.text or response.content_type)
        return output(response.content, content_type, provider=self.provider)


class HFBinaryTaskHelper(HFTaskHelper):
    """A task whose input is an image or an audio clip.

    With no parameters the body is the raw file with its own content type; with parameters
    (or ``extra_body``) it is ``{"inputs": <base64>, "parameters": {...}}``.
    """

    input_kind: BinaryKind = "image"

    def prepare_payload(self, call: Call) -> Payload:
        binary = binary_input(call.inputs, self.input_kind, self.input_kind, self.provider)
        if not call.parameters and not call.extra_body:
            return BinaryPayload(binary.require_content(), binary.content_type)
        return {"inputs": binary.as_base64(), "parameters": dict(call.parameters)}
