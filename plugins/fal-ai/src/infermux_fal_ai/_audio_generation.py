"""fal-ai's text-to-audio models (music and sound effects: Stable Audio, MMAudio ...): a
prompt in, the generated file's URL out, downloaded into an :class:`AudioOutput`."""

from __future__ import annotations

from typing import Any

from infermux.helpers.base import Call, Payload
from infermux.media import AudioOutput

from ._base import FalAIHelper

__all__ = ["FalAITextToAudio"]

#: Where fal's audio models put the file: ``audio_file`` (Stable Audio), ``audio`` (MMAudio
#: and most others). Each is fal's ``File`` object, ``{"url", "content_type", ...}``.
_FILE_KEYS = ("audio_file", "audio")


class FalAITextToAudio(FalAIHelper):
    """``POST /<model id>`` (sync) with ``{"prompt": ...}`` -> the audio at
    ``audio_file.url`` or ``audio.url`` (or a bare ``audio_url``)."""

    task = "text-to-audio"
    output_type = AudioOutput
    # Length, steps and the like are per model (``seconds_total``, ``duration`` ...):
    # extra_body, merged into fal's flat input.
    supported_parameters = frozenset()

    def prepare_payload(self, call: Call) -> Payload:
        return {"prompt": call.inputs}

    def parse_result(self, body: dict[str, Any], call: Call) -> Any:
        if isinstance(body.get("audio_url"), str):
            return self.media(body["audio_url"], AudioOutput)
        key = next((k for k in _FILE_KEYS if isinstance(body.get(k), dict)), _FILE_KEYS[-1])
        url = self.nested_url(body, key, "url")
        return self.media(url, AudioOutput, body[key].get("content_type"))
