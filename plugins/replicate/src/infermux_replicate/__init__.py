"""Replicate provider for infermux: predictions for images, video and speech.

Each call creates a prediction with ``Prefer: wait`` and, if it is still running when the
wait ends, the core polls it (``poll_interval``, ``job_timeout``, ``on_progress``,
``cancel``). Key: ``REPLICATE_API_TOKEN``, or a Hugging Face token through the router.
"""

from __future__ import annotations

from ._base import ReplicateHelper, replicate
from ._tasks import (
    ReplicateAutomaticSpeechRecognition,
    ReplicateImageToImage,
    ReplicateTextToImage,
    ReplicateTextToSpeech,
    ReplicateTextToVideo,
)

__all__ = [
    "ReplicateAutomaticSpeechRecognition",
    "ReplicateHelper",
    "ReplicateImageToImage",
    "ReplicateTextToImage",
    "ReplicateTextToSpeech",
    "ReplicateTextToVideo",
    "register_providers",
    "replicate",
]

# Importing ._tasks above gave the provider its helpers (@replicate.task).
register_providers = replicate.hook()
