"""fal.ai provider for infermux: image, video, segmentation, speech and audio models.

Fast tasks use fal's synchronous endpoints (``https://fal.run/<model id>``); video,
image-to-image and segmentation go through its queue (``https://queue.fal.run``), which the
core polls. Key: ``FAL_KEY`` (sent as ``Authorization: Key ...``), or a Hugging Face token
through the router.
"""

from __future__ import annotations

from infermux import Provider
from infermux.helpers.base import AuthScheme

from ._audio_generation import FalAITextToAudio
from ._base import FAL_RUN_URL, FalAIHelper
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
    "FalAITextToAudio",
    "FalAITextToImage",
    "FalAITextToSpeech",
    "FalAITextToVideo",
    "fal",
    "register_providers",
]

fal = Provider(
    "fal-ai",
    base_url=FAL_RUN_URL,
    auth=AuthScheme("Authorization", "Key "),
    key_env="FAL_KEY",
    key_page="https://fal.ai/dashboard/keys",
    # The queue lives on its own host; the fal key may go there and nowhere else.
    key_hosts=("queue.fal.run",),
)

HELPERS: tuple[type[FalAIHelper], ...] = (
    FalAITextToImage,
    FalAIImageToImage,
    FalAITextToVideo,
    FalAIImageToVideo,
    FalAIImageSegmentation,
    FalAIAutomaticSpeechRecognition,
    FalAITextToSpeech,
    FalAITextToAudio,
)

for _helper in HELPERS:
    fal.task(_helper)

register_providers = fal.hook()
