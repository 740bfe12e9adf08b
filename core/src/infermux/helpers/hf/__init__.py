"""The Hugging Face task API's wire format: one helper base per task, as Inference
Endpoints, TGI, TEI and Hugging Face's serverless inference speak it.

``{"inputs": ..., "parameters": {...}}`` posted to the endpoint's own URL (raw bytes for an
image or audio input without parameters), TGI's native ``/generate`` and
``/generate_stream`` for text generation, typed outputs back. The core serves a dedicated
endpoint URL with these for every task (:func:`infermux.endpoints.endpoint_helper`), so
no plugin is needed for it; the hf-inference plugin subclasses them with its identity and
its ``/models/<id>`` routes. A helper for a server of your own::

    from infermux.helpers.hf import HFTextClassificationHelper


    class MyClassifier(HFTextClassificationHelper):
        provider = "my-classifier"
        base_url = "https://classifier.internal.example"
        api_key_env = ("MY_CLASSIFIER_KEY",)
"""

from __future__ import annotations

from infermux.helpers.base import TaskProviderHelper
from infermux.helpers.hf.audio import (
    HFAudioClassificationHelper,
    HFAudioToAudioHelper,
    HFAutomaticSpeechRecognitionHelper,
    HFTextToAudioHelper,
    HFTextToSpeechHelper,
)
from infermux.helpers.hf.classify import (
    HFFillMaskHelper,
    HFQuestionAnsweringHelper,
    HFTableQuestionAnsweringHelper,
    HFTabularClassificationHelper,
    HFTabularRegressionHelper,
    HFTextClassificationHelper,
    HFTokenClassificationHelper,
    HFZeroShotClassificationHelper,
)
from infermux.helpers.hf.common import (
    HFBinaryTaskHelper,
    HFTaskHelper,
    binary_input,
    hf_error_message,
)
from infermux.helpers.hf.text import (
    TGI_PARAMETERS,
    HFFeatureExtractionHelper,
    HFSentenceSimilarityHelper,
    HFSummarizationHelper,
    HFTextGenerationHelper,
    HFTranslationHelper,
)
from infermux.helpers.hf.vision import (
    HFDepthEstimationHelper,
    HFDocumentQuestionAnsweringHelper,
    HFImageClassificationHelper,
    HFImageSegmentationHelper,
    HFImageToImageHelper,
    HFImageToTextHelper,
    HFImageToVideoHelper,
    HFObjectDetectionHelper,
    HFTextToImageHelper,
    HFTextToVideoHelper,
    HFVideoClassificationHelper,
    HFVisualQuestionAnsweringHelper,
    HFZeroShotImageClassificationHelper,
    HFZeroShotObjectDetectionHelper,
)

__all__ = [
    "HF_HELPERS",
    "TGI_PARAMETERS",
    "HFAudioClassificationHelper",
    "HFAudioToAudioHelper",
    "HFAutomaticSpeechRecognitionHelper",
    "HFBinaryTaskHelper",
    "HFDepthEstimationHelper",
    "HFDocumentQuestionAnsweringHelper",
    "HFFeatureExtractionHelper",
    "HFFillMaskHelper",
    "HFImageClassificationHelper",
    "HFImageSegmentationHelper",
    "HFImageToImageHelper",
    "HFImageToTextHelper",
    "HFImageToVideoHelper",
    "HFObjectDetectionHelper",
    "HFQuestionAnsweringHelper",
    "HFSentenceSimilarityHelper",
    "HFSummarizationHelper",
    "HFTableQuestionAnsweringHelper",
    "HFTabularClassificationHelper",
    "HFTabularRegressionHelper",
    "HFTaskHelper",
    "HFTextClassificationHelper",
    "HFTextGenerationHelper",
    "HFTextToAudioHelper",
    "HFTextToImageHelper",
    "HFTextToSpeechHelper",
    "HFTextToVideoHelper",
    "HFTokenClassificationHelper",
    "HFTranslationHelper",
    "HFVideoClassificationHelper",
    "HFVisualQuestionAnsweringHelper",
    "HFZeroShotClassificationHelper",
    "HFZeroShotImageClassificationHelper",
    "HFZeroShotObjectDetectionHelper",
    "binary_input",
    "hf_error_message",
]

#: The task API helper of every task it defines, by task (chat and the Responses API are
#: OpenAI-compatible everywhere: ``infermux.helpers.openai.OPENAI_HELPERS``).
HF_HELPERS: dict[str, type[TaskProviderHelper]] = {
    helper.task: helper
    for helper in (
        HFAudioClassificationHelper,
        HFAudioToAudioHelper,
        HFAutomaticSpeechRecognitionHelper,
        HFDepthEstimationHelper,
        HFDocumentQuestionAnsweringHelper,
        HFFeatureExtractionHelper,
        HFFillMaskHelper,
        HFImageClassificationHelper,
        HFImageSegmentationHelper,
        HFImageToImageHelper,
        HFImageToTextHelper,
        HFImageToVideoHelper,
        HFObjectDetectionHelper,
        HFQuestionAnsweringHelper,
        HFSentenceSimilarityHelper,
        HFSummarizationHelper,
        HFTableQuestionAnsweringHelper,
        HFTabularClassificationHelper,
        HFTabularRegressionHelper,
        HFTextClassificationHelper,
        HFTextGenerationHelper,
        HFTextToAudioHelper,
        HFTextToImageHelper,
        HFTextToSpeechHelper,
        HFTextToVideoHelper,
        HFTokenClassificationHelper,
        HFTranslationHelper,
        HFVideoClassificationHelper,
        HFVisualQuestionAnsweringHelper,
        HFZeroShotClassificationHelper,
        HFZeroShotImageClassificationHelper,
        HFZeroShotObjectDetectionHelper,
    )
}
