"""Together AI provider for infermux.

Chat, completions and embeddings sit on the core's OpenAI-compatible bases; images use
``/v1/images/generations``; videos are asynchronous jobs on ``/v2/videos`` that the core
polls; speech uses ``/v1/audio/speech`` and ``/v1/audio/transcriptions``.
"""

from __future__ import annotations

from infermux_together._common import together
from infermux_together.audio import TogetherSpeechRecognition, TogetherTextToSpeech
from infermux_together.images import TogetherImageToImage, TogetherTextToImage
from infermux_together.text import (
    TogetherChat,
    TogetherCompletion,
    TogetherEmbeddings,
    TogetherResponses,
)
from infermux_together.video import TogetherImageToVideo, TogetherTextToVideo

__all__ = [
    "TogetherChat",
    "TogetherCompletion",
    "TogetherEmbeddings",
    "TogetherImageToImage",
    "TogetherImageToVideo",
    "TogetherResponses",
    "TogetherSpeechRecognition",
    "TogetherTextToImage",
    "TogetherTextToSpeech",
    "TogetherTextToVideo",
    "register_providers",
    "together",
]

# Importing the task modules above gave the provider its helpers (@together.task).
register_providers = together.hook()
