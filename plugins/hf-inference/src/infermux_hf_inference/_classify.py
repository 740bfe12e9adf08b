"""Text understanding: classification, entities, zero-shot, fill-mask, extractive and table
question answering, and tabular models (the core's task API helpers on the model's route)."""

from __future__ import annotations

from infermux.helpers.hf import (
    HFFillMaskHelper,
    HFQuestionAnsweringHelper,
    HFTableQuestionAnsweringHelper,
    HFTabularClassificationHelper,
    HFTabularRegressionHelper,
    HFTextClassificationHelper,
    HFTokenClassificationHelper,
    HFZeroShotClassificationHelper,
)
from infermux_hf_inference._common import HFInferenceBase

__all__ = [
    "HFInferenceFillMask",
    "HFInferenceQuestionAnswering",
    "HFInferenceTableQuestionAnswering",
    "HFInferenceTabularClassification",
    "HFInferenceTabularRegression",
    "HFInferenceTextClassification",
    "HFInferenceTokenClassification",
    "HFInferenceZeroShotClassification",
]


class HFInferenceTextClassification(HFInferenceBase, HFTextClassificationHelper):
    """Labels with scores."""


class HFInferenceTokenClassification(HFInferenceBase, HFTokenClassificationHelper):
    """Named entities and the like; a text with none gives an empty list."""


class HFInferenceZeroShotClassification(HFInferenceBase, HFZeroShotClassificationHelper):
    """Labels with scores, best first (both answer shapes the pipeline has)."""


class HFInferenceFillMask(HFInferenceBase, HFFillMaskHelper):
    """Candidates for the one mask token of the text."""


class HFInferenceQuestionAnswering(HFInferenceBase, HFQuestionAnsweringHelper):
    """One answer, or a list when ``top_k > 1``."""


class HFInferenceTableQuestionAnswering(HFInferenceBase, HFTableQuestionAnsweringHelper):
    """``query`` and ``table`` at the top level of the body, as the recorded client sends them."""


class HFInferenceTabularClassification(HFInferenceBase, HFTabularClassificationHelper):
    """One label (a string) per row."""


class HFInferenceTabularRegression(HFInferenceBase, HFTabularRegressionHelper):
    """One number per row."""
