"""The plugin-facing API: what a provider plugin imports, in one module.

A plugin author needs the helper contract (:mod:`infermux.helpers.base`), the
OpenAI-compatible bases (:mod:`infermux.helpers.openai`) and the core's helpers for what
every provider repeats: turning generated media into outputs without leaking the key
(:mod:`infermux.helpers.media_outputs`), the error for an answer of the wrong shape
(:mod:`infermux.helpers.problems`), declaring a job API instead of hand-writing its
polling (:mod:`infermux.helpers.jobs`), validating bodies into the task types
(:mod:`infermux.helpers.parsing`). Each name below is importable from here::

    from infermux.helpers import Call, Response, TaskProviderHelper, media_output

Names load on first use (the modules they come from are imported then), so importing this
package costs nothing at plugin discovery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infermux import _lazy_exports

if TYPE_CHECKING:  # `X as X`: re-exported names (what type checkers see)
    from infermux.helpers.base import DEFAULT_MAX_BATCH_SIZE as DEFAULT_MAX_BATCH_SIZE
    from infermux.helpers.base import AuthScheme as AuthScheme
    from infermux.helpers.base import BinaryPayload as BinaryPayload
    from infermux.helpers.base import Call as Call
    from infermux.helpers.base import FollowUp as FollowUp
    from infermux.helpers.base import HTTPRequest as HTTPRequest
    from infermux.helpers.base import LazyType as LazyType
    from infermux.helpers.base import ModelMapping as ModelMapping
    from infermux.helpers.base import MultipartPayload as MultipartPayload
    from infermux.helpers.base import Payload as Payload
    from infermux.helpers.base import Response as Response
    from infermux.helpers.base import SSEEvent as SSEEvent
    from infermux.helpers.base import TaskProviderHelper as TaskProviderHelper
    from infermux.helpers.jobs import JobStates as JobStates
    from infermux.helpers.jobs import follow_job as follow_job
    from infermux.helpers.jobs import lookup as lookup
    from infermux.helpers.media_outputs import decode_data_url as decode_data_url
    from infermux.helpers.media_outputs import media_from_base64 as media_from_base64
    from infermux.helpers.media_outputs import media_output as media_output
    from infermux.helpers.openai import download_image as download_image
    from infermux.helpers.openai import openai_error_message as openai_error_message
    from infermux.helpers.openai import raise_stream_error as raise_stream_error
    from infermux.helpers.parsing import validate_list as validate_list
    from infermux.helpers.parsing import validate_object as validate_object
    from infermux.helpers.parsing import validate_output as validate_output
    from infermux.helpers.problems import redact as redact
    from infermux.helpers.problems import safe_excerpt as safe_excerpt
    from infermux.helpers.problems import unexpected_answer as unexpected_answer

# Public name -> module defining it. Resolved lazily by __getattr__.
_EXPORTS: dict[str, str] = {
    "DEFAULT_MAX_BATCH_SIZE": "infermux.helpers.base",
    "AuthScheme": "infermux.helpers.base",
    "BinaryPayload": "infermux.helpers.base",
    "Call": "infermux.helpers.base",
    "FollowUp": "infermux.helpers.base",
    "HTTPRequest": "infermux.helpers.base",
    "LazyType": "infermux.helpers.base",
    "ModelMapping": "infermux.helpers.base",
    "MultipartPayload": "infermux.helpers.base",
    "Payload": "infermux.helpers.base",
    "Response": "infermux.helpers.base",
    "SSEEvent": "infermux.helpers.base",
    "TaskProviderHelper": "infermux.helpers.base",
    "JobStates": "infermux.helpers.jobs",
    "follow_job": "infermux.helpers.jobs",
    "lookup": "infermux.helpers.jobs",
    "decode_data_url": "infermux.helpers.media_outputs",
    "media_from_base64": "infermux.helpers.media_outputs",
    "media_output": "infermux.helpers.media_outputs",
    "download_image": "infermux.helpers.openai",
    "openai_error_message": "infermux.helpers.openai",
    "raise_stream_error": "infermux.helpers.openai",
    "validate_list": "infermux.helpers.parsing",
    "validate_object": "infermux.helpers.parsing",
    "validate_output": "infermux.helpers.parsing",
    "redact": "infermux.helpers.problems",
    "safe_excerpt": "infermux.helpers.problems",
    "unexpected_answer": "infermux.helpers.problems",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)
