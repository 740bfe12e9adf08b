"""fal.ai provider for infermux: image, video, segmentation and speech models.

Fast tasks use fal's synchronous endpoints (``https://fal.run/<model id>``); video,
image-to-image and segmentation go through its queue (``https://queue.fal.run``), which the
core polls. Key: ``FAL_KEY`` (sent as ``Authorization: Key ...``), or a Hugging Face token
through the router.
"""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl

from ._base import FalAIHelper
from ._tasks import (
    FalAIAutomaticSpeechRecognition,
    FalAIImageSegmentation,
    FalAIImageToImage,
    FalAIImageToVideo,
    FalAITextToImage,
    FalAITextToSpeech,
    FalAITextToVideo,
)

__all__ = [
    "FalAIAutomaticSpeechRecognition",
    "FalAIHelper",
    "FalAIImageSegmentation",
    "FalAIImageToImage",
    "FalAIImageToVideo",
    "FalAITextToImage",
    "FalAITextToSpeech",
    "FalAITextToVideo",
    "register_providers",
]

HELPERS: tuple[type[FalAIHelper], ...] = (
    FalAITextToImage,
    FalAIImageToImage,
    FalAITextToVideo,
    FalAIImageToVideo,
    FalAIImageSegmentation,
    FalAIAutomaticSpeechRecognition,
    FalAITextToSpeech,
)


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in HELPERS:
        register(helper())
