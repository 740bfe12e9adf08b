"""hf-inference: Hugging Face's serverless inference, reached through the router host.

One helper per task the service runs; see ``docs/providers/hf-inference.md``. Modules:
``_common`` (identity, payload shapes, body checks), ``_text`` (chat, TGI generation,
summarization, translation, embeddings, similarity), ``_classify`` (classification, entities,
zero-shot, fill-mask, question answering, tabular), ``_vision`` and ``_audio``.
"""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux_hf_inference._audio import (
    HFInferenceAudioClassification,
    HFInferenceAudioToAudio,
    HFInferenceAutomaticSpeechRecognition,
    HFInferenceTextToSpeech,
)
from infermux_hf_inference._classify import (
    HFInferenceFillMask,
    HFInferenceQuestionAnswering,
    HFInferenceTableQuestionAnswering,
    HFInferenceTabularClassification,
    HFInferenceTabularRegression,
    HFInferenceTextClassification,
    HFInferenceTokenClassification,
    HFInferenceZeroShotClassification,
)
from infermux_hf_inference._text import (
    HFInferenceChat,
    HFInferenceFeatureExtraction,
    HFInferenceSentenceSimilarity,
    HFInferenceSummarization,
    HFInferenceTextGeneration,
    HFInferenceTranslation,
)
from infermux_hf_inference._vision import (
    HFInferenceDocumentQuestionAnswering,
    HFInferenceImageClassification,
    HFInferenceImageSegmentation,
    HFInferenceImageToImage,
    HFInferenceImageToText,
    HFInferenceObjectDetection,
    HFInferenceTextToImage,
    HFInferenceVisualQuestionAnswering,
    HFInferenceZeroShotImageClassification,
)

__all__ = [
    "HELPERS",
    "HFInferenceAudioClassification",
    "HFInferenceAudioToAudio",
    "HFInferenceAutomaticSpeechRecognition",
    "HFInferenceChat",
    "HFInferenceDocumentQuestionAnswering",
    "HFInferenceFeatureExtraction",
    "HFInferenceFillMask",
    "HFInferenceImageClassification",
    "HFInferenceImageSegmentation",
    "HFInferenceImageToImage",
    "HFInferenceImageToText",
    "HFInferenceObjectDetection",
    "HFInferenceQuestionAnswering",
    "HFInferenceSentenceSimilarity",
    "HFInferenceSummarization",
    "HFInferenceTableQuestionAnswering",
    "HFInferenceTabularClassification",
    "HFInferenceTabularRegression",
    "HFInferenceTextClassification",
    "HFInferenceTextGeneration",
    "HFInferenceTextToImage",
    "HFInferenceTextToSpeech",
    "HFInferenceTokenClassification",
    "HFInferenceTranslation",
    "HFInferenceVisualQuestionAnswering",
    "HFInferenceZeroShotClassification",
    "HFInferenceZeroShotImageClassification",
    "register_providers",
]

#: Every helper the plugin registers, one per task.
HELPERS: tuple[type[TaskProviderHelper], ...] = (
    HFInferenceAudioClassification,
    HFInferenceAudioToAudio,
    HFInferenceAutomaticSpeechRecognition,
    HFInferenceChat,
    HFInferenceDocumentQuestionAnswering,
    HFInferenceFeatureExtraction,
    HFInferenceFillMask,
    HFInferenceImageClassification,
    HFInferenceImageSegmentation,
    HFInferenceImageToImage,
    HFInferenceImageToText,
    HFInferenceObjectDetection,
    HFInferenceQuestionAnswering,
    HFInferenceSentenceSimilarity,
    HFInferenceSummarization,
    HFInferenceTableQuestionAnswering,
    HFInferenceTabularClassification,
    HFInferenceTabularRegression,
    HFInferenceTextClassification,
    HFInferenceTextGeneration,
    HFInferenceTextToImage,
    HFInferenceTextToSpeech,
    HFInferenceTokenClassification,
    HFInferenceTranslation,
    HFInferenceVisualQuestionAnswering,
    HFInferenceZeroShotClassification,
    HFInferenceZeroShotImageClassification,
)


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in HELPERS:
        register(helper())
