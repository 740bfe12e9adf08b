"""hf-inference: Hugging Face's serverless inference, reached through the router host.

One helper per task the service runs; see ``docs/providers/hf-inference.md``. Modules:
``_common`` (identity, payload shapes, body checks), ``_text`` (chat, TGI generation,
summarization, translation, embeddings, similarity), ``_classify`` (classification, entities,
zero-shot, fill-mask, question answering, tabular), ``_vision`` and ``_audio``.
"""

from __future__ import annotations

from infermux import Provider, TaskProviderHelper
from infermux_hf_inference._audio import (
    HFInferenceAudioClassification,
    HFInferenceAudioToAudio,
    HFInferenceAutomaticSpeechRecognition,
    HFInferenceTextToAudio,
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
    HFInferenceDepthEstimation,
    HFInferenceDocumentQuestionAnswering,
    HFInferenceImageClassification,
    HFInferenceImageSegmentation,
    HFInferenceImageToImage,
    HFInferenceImageToText,
    HFInferenceObjectDetection,
    HFInferenceTextToImage,
    HFInferenceVideoClassification,
    HFInferenceVisualQuestionAnswering,
    HFInferenceZeroShotImageClassification,
    HFInferenceZeroShotObjectDetection,
)

__all__ = [
    "HELPERS",
    "HFInferenceAudioClassification",
    "HFInferenceAudioToAudio",
    "HFInferenceAutomaticSpeechRecognition",
    "HFInferenceChat",
    "HFInferenceDepthEstimation",
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
    "HFInferenceTextToAudio",
    "HFInferenceTextToImage",
    "HFInferenceTextToSpeech",
    "HFInferenceTokenClassification",
    "HFInferenceTranslation",
    "HFInferenceVideoClassification",
    "HFInferenceVisualQuestionAnswering",
    "HFInferenceZeroShotClassification",
    "HFInferenceZeroShotImageClassification",
    "HFInferenceZeroShotObjectDetection",
    "hf_inference",
    "register_providers",
]

hf_inference = Provider(
    "hf-inference",
    base_url="https://router.huggingface.co/hf-inference",
    key_env="HF_TOKEN",
    key_page="https://huggingface.co/settings/tokens",
    needs_model_mapping=False,  # Hub ids are served as they are
    # The aliases Hugging Face's serverless integrations use.
    aliases={
        "conversational": {
            "default": "meta-llama/Meta-Llama-3-8B-Instruct",
            "large": "meta-llama/Llama-3.3-70B-Instruct",
            "small": "microsoft/Phi-3-mini-4k-instruct",
            "agent": "meta-llama/Llama-3.1-8B-Instruct",
        },
        "feature-extraction": {
            "default": "sentence-transformers/all-mpnet-base-v2",
            "large": "sentence-transformers/sentence-t5-large",
            "small": "sentence-transformers/all-MiniLM-L6-v2",
        },
    },
)

#: Every helper the plugin registers, one per task.
HELPERS: tuple[type[TaskProviderHelper], ...] = (
    HFInferenceAudioClassification,
    HFInferenceAudioToAudio,
    HFInferenceAutomaticSpeechRecognition,
    HFInferenceChat,
    HFInferenceDepthEstimation,
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
    HFInferenceTextToAudio,
    HFInferenceTextToImage,
    HFInferenceTextToSpeech,
    HFInferenceTokenClassification,
    HFInferenceTranslation,
    HFInferenceVideoClassification,
    HFInferenceVisualQuestionAnswering,
    HFInferenceZeroShotClassification,
    HFInferenceZeroShotImageClassification,
    HFInferenceZeroShotObjectDetection,
)

for _helper in HELPERS:
    hf_inference.task(_helper)

register_providers = hf_inference.hook()
