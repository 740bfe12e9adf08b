"""Audio: speech recognition, classification, source separation and speech synthesis (the
core's task API helpers on the model's route)."""

from __future__ import annotations

from infermux.helpers.hf import (
    HFAudioClassificationHelper,
    HFAudioToAudioHelper,
    HFAutomaticSpeechRecognitionHelper,
    HFTextToSpeechHelper,
)
from infermux_hf_inference._common import HFInferenceBase

__all__ = [
    "HFInferenceAudioClassification",
    "HFInferenceAudioToAudio",
    "HFInferenceAutomaticSpeechRecognition",
    "HFInferenceTextToSpeech",
]


class HFInferenceAutomaticSpeechRecognition(HFInferenceBase, HFAutomaticSpeechRecognitionHelper):
    """The audio file as the body, in its own format (FLAC, WAV, MP3 ...); ``{"text"}`` back."""


class HFInferenceAudioClassification(HFInferenceBase, HFAudioClassificationHelper):
    """Labels with scores for an audio clip."""


class HFInferenceAudioToAudio(HFInferenceBase, HFAudioToAudioHelper):
    """Source separation / enhancement: one labelled audio output per source."""


class HFInferenceTextToSpeech(HFInferenceBase, HFTextToSpeechHelper):
    """The answer is the audio itself (FLAC or WAV bytes)."""

    paid_per_call = True  # billed by compute time, which a resend would spend again
