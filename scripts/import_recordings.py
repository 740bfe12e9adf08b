#!/usr/bin/env python3
# /// script
# requires-python = ">=3.11"
# dependencies = ["pyyaml>=6"]
# ///
"""Turn real recorded provider traffic into the project's own VCR cassettes.

Reads vcrpy YAML cassettes from the shared recordings (huggingface_hub's test suite,
Apache-2.0; see shared/recordings/README.md) and writes `cassettes/<provider>/<name>.yaml`
plus a `PROVENANCE.md` per folder. For every cassette it:

- keeps every interaction (including the Hub model lookups) and every request and response
  body unchanged, but for key-shaped text in response bodies (KEY_SHAPED, such as a Space
  named `.../hf_streamlit_...`), replaced by filler of the same length; binary bodies stay
  binary (verified after writing, see `verify`);
- lowercases request header names and drops the request headers in DROP_REQUEST_HEADERS;
- drops credential headers (SECRET_HEADERS) from requests and responses;
- refuses to write anything that still looks like a credential (SECRET_PATTERNS);
- checks that the traffic really goes to the provider the cassette is filed under;
- notes which cassettes contain (expired) signed URLs; those are kept as recorded.

Run from the repository root:

    uv run python scripts/import_recordings.py            # (re)write the cassettes
    uv run python scripts/import_recordings.py --check    # fail if they are out of date

To import more, add a row to IMPORTS and run the script again.
"""

# ruff: noqa: E501  (the selection table reads best unwrapped)

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import yaml

from infermux.secret_patterns import KEY_SHAPED, SECRET_PATTERNS, scrub_key_shaped

REPO = Path(__file__).resolve().parents[1]
CASSETTES = REPO / "cassettes"
DEFAULT_SOURCE = Path("/work/shared/recordings/hf-hub-cassettes")

PRE = "pre-3021_34bb25d9d8"  # provider-era recordings (2025), through router.huggingface.co
DELETED = "deleted-on-main"  # older serverless API (api-inference.huggingface.co) and cohere
OTHER = "other-branches"  # centml and async TGI variants


class Import(NamedTuple):
    target: str  # path under cassettes/: <provider>/<name>.yaml or hf-inference/legacy/<name>.yaml
    folder: str  # folder under the recordings directory
    source: str  # file name in that folder
    note: str = ""  # anything a reader of PROVENANCE.md should know


# fmt: off
IMPORTS: list[Import] = [
    # --- together -------------------------------------------------------------------
    Import("together/chat_completion.yaml", PRE, "TestInferenceClient.test_chat_completion_no_stream[together,conversational].yaml"),
    Import("together/chat_completion_stream.yaml", PRE, "TestInferenceClient.test_chat_completion_with_stream[together,conversational].yaml"),
    Import("together/text_to_image.yaml", PRE, "TestInferenceClient.test_text_to_image_default[together,text-to-image].yaml", "image returned inline as base64 (`b64_json`)"),
    # --- hf-inference: chat and text generation (TGI) -------------------------------
    Import("hf-inference/chat_completion.yaml", PRE, "TestInferenceClient.test_chat_completion_no_stream[hf-inference,conversational].yaml"),
    Import("hf-inference/chat_completion_stream.yaml", PRE, "TestInferenceClient.test_chat_completion_with_stream[hf-inference,conversational].yaml"),
    Import("hf-inference/chat_completion_unauthorized.yaml", PRE, "TestInferenceClient.test_chat_completion_unprocessable_entity.yaml", "despite the source name the recorded answer is 401 `Invalid username or password.`, not 422"),
    Import("hf-inference/chat_completion_non_tgi.yaml", PRE, "TestInferenceClient.test_chat_completion_with_non_tgi.yaml"),
    Import("hf-inference/chat_completion_openai_compat.yaml", PRE, "TestOpenAICompatibility.test_without_base_url.yaml"),
    Import("hf-inference/chat_completion_openai_compat_stream.yaml", PRE, "TestOpenAICompatibility.test_with_stream_true.yaml"),
    Import("hf-inference/text_generation.yaml", PRE, "TestTextGenerationClientVCR.test_generate_no_details.yaml"),
    Import("hf-inference/text_generation_stream.yaml", PRE, "TestTextGenerationClientVCR.test_generate_stream_no_details.yaml", "request sends `details: true` although the test is 'no details'"),
    Import("hf-inference/text_generation_validation_error.yaml", PRE, "TestTextGenerationClientVCR.test_generate_validation_error.yaml", "422 validation error"),
    Import("hf-inference/text_generation_details.yaml", PRE, "TestTextGenerationClientVCR.test_generate_with_details.yaml"),
    Import("hf-inference/text_generation_stream_details.yaml", PRE, "TestTextGenerationClientVCR.test_generate_stream_with_details.yaml"),
    Import("hf-inference/text_generation_best_of.yaml", PRE, "TestTextGenerationClientVCR.test_generate_best_of.yaml"),
    Import("hf-inference/text_generation_grammar.yaml", PRE, "TestTextGenerationClientVCR.test_generate_with_grammar.yaml"),
    Import("hf-inference/text_generation_non_tgi.yaml", PRE, "TestTextGenerationClientVCR.test_generate_non_tgi_endpoint.yaml", "400 for TGI-only parameters, then retries without them"),
    Import("hf-inference/text_generation_non_tgi_regression.yaml", PRE, "TestTextGenerationClientVCR.test_generate_non_tgi_endpoint_regression_test.yaml", "400 for TGI-only parameters, then a retry without them"),
    # --- hf-inference: other tasks ---------------------------------------------------
    Import("hf-inference/audio_classification.yaml", PRE, "TestInferenceClient.test_audio_classification[hf-inference,audio-classification].yaml"),
    Import("hf-inference/audio_to_audio.yaml", PRE, "TestInferenceClient.test_audio_to_audio[hf-inference,audio-to-audio].yaml"),
    Import("hf-inference/automatic_speech_recognition.yaml", PRE, "TestInferenceClient.test_automatic_speech_recognition[hf-inference,automatic-speech-recognition].yaml"),
    Import("hf-inference/document_question_answering.yaml", PRE, "TestInferenceClient.test_document_question_answering[hf-inference,document-question-answering].yaml"),
    Import("hf-inference/feature_extraction.yaml", PRE, "TestInferenceClient.test_feature_extraction_with_sentence_transformers[hf-inference,feature-extraction].yaml", "model is facebook/bart-base despite the source name"),
    Import("hf-inference/image_classification.yaml", PRE, "TestInferenceClient.test_image_classification[hf-inference,image-classification].yaml"),
    Import("hf-inference/image_segmentation.yaml", PRE, "TestInferenceClient.test_image_segmentation[hf-inference,image-segmentation].yaml"),
    Import("hf-inference/image_to_text.yaml", PRE, "TestInferenceClient.test_image_to_text[hf-inference,image-to-text].yaml"),
    Import("hf-inference/object_detection.yaml", PRE, "TestInferenceClient.test_object_detection[hf-inference,object-detection].yaml"),
    Import("hf-inference/sentence_similarity.yaml", PRE, "TestInferenceClient.test_sentence_similarity[hf-inference,sentence-similarity].yaml"),
    Import("hf-inference/summarization.yaml", PRE, "TestInferenceClient.test_summarization[hf-inference,summarization].yaml"),
    Import("hf-inference/table_question_answering.yaml", PRE, "TestInferenceClient.test_table_question_answering[hf-inference,table-question-answering].yaml"),
    Import("hf-inference/text_classification.yaml", PRE, "TestInferenceClient.test_text_classification[hf-inference,text-classification].yaml"),
    Import("hf-inference/text_to_image.yaml", PRE, "TestInferenceClient.test_text_to_image_default[hf-inference,text-to-image].yaml", "raw JPEG response body"),
    Import("hf-inference/text_to_speech.yaml", PRE, "TestInferenceClient.test_text_to_speech[hf-inference,text-to-speech].yaml", "raw FLAC response body"),
    Import("hf-inference/token_classification.yaml", PRE, "TestInferenceClient.test_token_classification[hf-inference,token-classification].yaml"),
    Import("hf-inference/translation.yaml", PRE, "TestInferenceClient.test_translation[hf-inference,translation].yaml", "Hub lookup answers 307 (t5-small -> google-t5/t5-small) before the 200"),
    Import("hf-inference/translation_with_languages.yaml", PRE, "TestInferenceClient.test_translation_with_source_and_target_language[hf-inference,translation].yaml"),
    Import("hf-inference/visual_question_answering.yaml", PRE, "TestInferenceClient.test_visual_question_answering[hf-inference,visual-question-answering].yaml"),
    Import("hf-inference/zero_shot_classification.yaml", PRE, "TestInferenceClient.test_zero_shot_classification_single_label[hf-inference,zero-shot-classification].yaml"),
    Import("hf-inference/zero_shot_classification_multi_label.yaml", PRE, "TestInferenceClient.test_zero_shot_classification_multi_label[hf-inference,zero-shot-classification].yaml"),
    Import("hf-inference/zero_shot_image_classification.yaml", PRE, "TestInferenceClient.test_zero_shot_image_classification[hf-inference,zero-shot-image-classification].yaml"),
    # --- other providers through the router -------------------------------------------
    Import("black-forest-labs/text_to_image.yaml", PRE, "TestInferenceClient.test_text_to_image_default[black-forest-labs,text-to-image].yaml", "submit, then polls api.us1.bfl.ai, then downloads the JPEG"),
    Import("cerebras/chat_completion.yaml", PRE, "TestInferenceClient.test_chat_completion_no_stream[cerebras,conversational].yaml"),
    Import("cerebras/chat_completion_stream.yaml", PRE, "TestInferenceClient.test_chat_completion_with_stream[cerebras,conversational].yaml"),
    Import("fal-ai/automatic_speech_recognition.yaml", PRE, "TestInferenceClient.test_automatic_speech_recognition[fal-ai,automatic-speech-recognition].yaml", "audio sent as a base64 data URL"),
    Import("fal-ai/text_to_image.yaml", PRE, "TestInferenceClient.test_text_to_image_default[fal-ai,text-to-image].yaml", "answer holds an image URL; the PNG download is recorded"),
    Import("fireworks-ai/chat_completion.yaml", PRE, "TestInferenceClient.test_chat_completion_no_stream[fireworks-ai,conversational].yaml"),
    Import("fireworks-ai/chat_completion_stream.yaml", PRE, "TestInferenceClient.test_chat_completion_with_stream[fireworks-ai,conversational].yaml"),
    Import("hyperbolic/chat_completion.yaml", PRE, "TestInferenceClient.test_chat_completion_no_stream[hyperbolic,conversational].yaml"),
    Import("hyperbolic/chat_completion_stream.yaml", PRE, "TestInferenceClient.test_chat_completion_with_stream[hyperbolic,conversational].yaml"),
    Import("hyperbolic/text_to_image.yaml", PRE, "TestInferenceClient.test_text_to_image_default[hyperbolic,text-to-image].yaml", "image returned inline as base64 (`images[0].image`)"),
    Import("nebius/chat_completion.yaml", PRE, "TestInferenceClient.test_chat_completion_no_stream[nebius,conversational].yaml"),
    Import("nebius/chat_completion_stream.yaml", PRE, "TestInferenceClient.test_chat_completion_with_stream[nebius,conversational].yaml"),
    Import("nebius/text_to_image.yaml", PRE, "TestInferenceClient.test_text_to_image_default[nebius,text-to-image].yaml", "image returned inline as base64 (`b64_json`)"),
    Import("novita/chat_completion.yaml", PRE, "TestInferenceClient.test_chat_completion_no_stream[novita,conversational].yaml"),
    Import("novita/chat_completion_stream.yaml", PRE, "TestInferenceClient.test_chat_completion_with_stream[novita,conversational].yaml"),
    Import("replicate/text_to_image.yaml", PRE, "TestInferenceClient.test_text_to_image_default[replicate,text-to-image].yaml", "`Prefer: wait`; 201 with the output URL; the PNG download is recorded"),
    Import("replicate/text_to_speech.yaml", PRE, "TestInferenceClient.test_text_to_speech[replicate,text-to-speech].yaml", "recorded direct to api.replicate.com, no Hub lookup; only the 202 `starting` answer, no polling and no output"),
    Import("sambanova/chat_completion.yaml", PRE, "TestInferenceClient.test_chat_completion_no_stream[sambanova,conversational].yaml"),
    Import("sambanova/chat_completion_stream.yaml", PRE, "TestInferenceClient.test_chat_completion_with_stream[sambanova,conversational].yaml"),
    # --- providers recorded direct (no router, no Hub lookup) ---------------------------
    Import("cohere/chat_completion.yaml", DELETED, "TestInferenceClient.test_chat_completion_no_stream[cohere,conversational].yaml", "recorded direct to api.cohere.com, no Hub lookup"),
    Import("cohere/chat_completion_stream.yaml", DELETED, "TestInferenceClient.test_chat_completion_with_stream[cohere,conversational].yaml", "recorded direct to api.cohere.com, no Hub lookup"),
    Import("centml/chat_completion.yaml", OTHER, "TestInferenceClient.test_chat_completion_no_stream[centml,conversational].yaml", "recorded direct to api.centml.com, no Hub lookup"),
    Import("centml/chat_completion_stream.yaml", OTHER, "TestInferenceClient.test_chat_completion_with_stream[centml,conversational].yaml", "recorded direct to api.centml.com, no Hub lookup"),
    # --- hf-inference legacy: the old serverless API, api-inference.huggingface.co --------
    Import("hf-inference/legacy/chat_completion.yaml", DELETED, "InferenceClientVCRTest.test_chat_completion_no_stream.yaml"),
    Import("hf-inference/legacy/chat_completion_stream.yaml", DELETED, "InferenceClientVCRTest.test_chat_completion_with_stream.yaml"),
    Import("hf-inference/legacy/chat_completion_non_tgi.yaml", DELETED, "InferenceClientVCRTest.test_chat_completion_with_non_tgi.yaml"),
    Import("hf-inference/legacy/chat_completion_tool.yaml", DELETED, "InferenceClientVCRTest.test_chat_completion_with_tool.yaml", "two tool-calling requests"),
    Import("hf-inference/legacy/chat_completion_response_format.yaml", DELETED, "InferenceClientVCRTest.test_chat_completion_with_response_format.yaml"),
    Import("hf-inference/legacy/chat_completion_unprocessable_entity.yaml", DELETED, "InferenceClientVCRTest.test_chat_completion_unprocessable_entity.yaml", "real 422, body is text/plain"),
    Import("hf-inference/legacy/unprocessable_entity.yaml", DELETED, "InferenceClientVCRTest.test_unprocessable_entity_error.yaml", "real 422, body is text/plain"),
    Import("hf-inference/legacy/chat_completion_openai_compat_base_url.yaml", PRE, "TestOpenAICompatibility.test_base_url_and_api_key.yaml", "explicit base_url, no Hub lookup"),
    Import("hf-inference/legacy/feature_extraction_sentence_transformers.yaml", DELETED, "InferenceClientVCRTest.test_feature_extraction_with_sentence_transformers.yaml", "sentence-transformers/all-MiniLM-L6-v2, one 384-value sentence embedding; no Hub lookup (the demo's embedding step)"),
]
# fmt: on

# Not imported, on purpose (add a row above to change that):
# - PRE TestInferenceClient.test_feature_extraction_with_transformers[...]: the same request
#   and response body as the sentence-transformers one.
# - PRE TestInferenceClient.test_hf_inference_get_recommended_model_has_recommendation,
#   InferenceApiTest.*: Hub lookups and the retired InferenceApi only.
# - PRE test_async_*, test_http_session_correctly_closed, test_openai_compatibility_*, and the
#   async TGI ones in other-branches: recorded through aiohttp, request bodies are missing;
#   the sync recordings above cover the same calls.
# - DELETED InferenceClientVCRTest.* other tasks: superseded by the router-era recordings;
#   several store request bodies as `!!python/object` tags, which the safe loader refuses.

# Removed from requests and responses, whatever their case.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-key",
        "api-key",
        "x-api-key",
        "cookie",
        "set-cookie",
    }
)
# Removed from requests only (noise that changes on every run).
DROP_REQUEST_HEADERS = frozenset({"x-amzn-trace-id", "user-agent"})

# Anything matching SECRET_PATTERNS anywhere in a cassette stops the import; KEY_SHAPED text
# in a recorded response body is replaced by filler of the same length (scrub_key_shaped),
# request bodies are left alone, cassette matching uses them. Both: infermux.secret_patterns.


# Query parameters of signed (and by now expired) download URLs.
SIGNED_URL = re.compile(
    r"https?://[^\s\"'<>]+?[?&](?:x-amz-signature|x-amz-credential|signature|sig|expires|token|se)=[^\s\"'<>]*",
    re.IGNORECASE,
)

ROUTER_HOST = "router.huggingface.co"
LEGACY_HOST = "api-inference.huggingface.co"
HUB_HOST = "huggingface.co"
DIRECT_HOSTS = {
    "api.cohere.com": "cohere",
    "api.centml.com": "centml",
    "api.replicate.com": "replicate",
}

LICENCE = "Apache-2.0 (huggingface_hub test suite)"
BEGIN = "<!-- BEGIN imported: generated by scripts/import_recordings.py; edit the script, not this block -->"
END = "<!-- END imported -->"


class RecordingError(Exception):
    """A recording that must not be imported as it is."""


# --- YAML ---------------------------------------------------------------------------------
# Safe loading only: unknown tags such as !!python/object make the import fail. Dumping uses
# the pure-Python SafeDumper so the output is the same wherever the script runs.

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: bytes | str) -> Any:
    return yaml.load(text, Loader=_Loader)  # a safe loader


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=False)


# --- conversion -----------------------------------------------------------------------------


def convert(raw: Any, name: str) -> tuple[dict[str, Any], Counter[str]]:
    """Return the scrubbed cassette and a count of the changes made."""
    if not isinstance(raw, dict) or raw.get("version") != 1 or not raw.get("interactions"):
        raise RecordingError(f"{name}: not a vcrpy cassette with version 1 and interactions")
    changes: Counter[str] = Counter()
    interactions = []
    for interaction in raw["interactions"]:
        interaction = copy.deepcopy(interaction)
        request, response = interaction["request"], interaction["response"]
        request["headers"] = scrub_headers(request.get("headers") or {}, "request", changes)
        response["headers"] = scrub_headers(response.get("headers") or {}, "response", changes)
        body = response.get("body") or {}
        if isinstance(body.get("string"), str):
            found = len(KEY_SHAPED.findall(body["string"]))
            if found:
                body["string"] = scrub_key_shaped(body["string"])
                changes["key-shaped text in a response body replaced (same length)"] += found
        interactions.append(interaction)
    return {"interactions": interactions, "version": 1}, changes


def scrub_headers(headers: dict[str, Any], side: str, changes: Counter[str]) -> dict[str, Any]:
    drop = SECRET_HEADERS | DROP_REQUEST_HEADERS if side == "request" else SECRET_HEADERS
    kept: dict[str, Any] = {}
    for header, value in headers.items():
        lower = header.lower()
        if lower in drop:
            changes[f"removed {side} `{lower}`"] += 1
            continue
        key = lower if side == "request" else header
        if key != header:
            changes["request header names lowercased"] += 1
        if key in kept:
            raise RecordingError(f"{side} header {header!r} occurs twice once lowercased")
        kept[key] = value
    return kept


# --- checks -------------------------------------------------------------------------------


def strings_in(obj: Any) -> list[str]:
    """Every string in a loaded cassette (keys too); bytes are read as latin-1."""
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in strings_in(k) + strings_in(v)]
    if isinstance(obj, list):
        return [s for item in obj for s in strings_in(item)]
    if isinstance(obj, bytes):
        return [obj.decode("latin-1")]
    if isinstance(obj, str):
        return [obj]
    return []


def find_secrets(cassette: dict[str, Any]) -> list[str]:
    problems = []
    for interaction in cassette["interactions"]:
        for side in ("request", "response"):
            for header in interaction[side].get("headers") or {}:
                if header.lower() in SECRET_HEADERS:
                    problems.append(f"{side} header {header!r}")
    for text in strings_in(cassette):
        for label, pattern in SECRET_PATTERNS.items():
            for match in pattern.finditer(text):
                problems.append(f"{label}: {match.group(0)[:6]}...")
    return problems


def check_provider(target: str, cassette: dict[str, Any]) -> None:
    """The traffic must go to the provider whose folder the cassette is filed in."""
    parts = target.split("/")
    provider, legacy = parts[0], parts[1] == "legacy"
    seen_provider_call = False
    for interaction in cassette["interactions"]:
        url = urlsplit(interaction["request"]["uri"])
        if url.netloc == HUB_HOST and url.path.startswith("/api/models/"):
            continue  # the Hub model lookup, kept everywhere
        if url.netloc == ROUTER_HOST:
            called = url.path.split("/")[1]
        elif url.netloc == LEGACY_HOST:
            called = "hf-inference (legacy)"
        elif url.netloc in DIRECT_HOSTS:
            called = DIRECT_HOSTS[url.netloc]
        elif seen_provider_call:
            continue  # polling or media download that the provider's answer pointed to
        else:
            raise RecordingError(f"{target}: first call goes to unknown host {url.netloc}")
        expected = "hf-inference (legacy)" if legacy else provider
        if called != expected:
            raise RecordingError(f"{target}: talks to {called}, not {expected}: {url.geturl()}")
        seen_provider_call = True
    if not seen_provider_call:
        raise RecordingError(f"{target}: no call to a provider")


def response_bodies(cassette: dict[str, Any]) -> list[Any]:
    return [i["response"]["body"] for i in cassette["interactions"]]


def verify(source: dict[str, Any], converted: dict[str, Any], text: str, target: str) -> None:
    """Read the written YAML back: it must be the converted cassette, with the recorded bodies
    (but for key-shaped text, replaced at the same length)."""
    reloaded = load_yaml(text)
    if reloaded != converted:
        raise RecordingError(f"{target}: YAML round trip changed the cassette")
    for before, after in zip(response_bodies(source), response_bodies(reloaded), strict=True):
        expected = dict(before)
        if isinstance(before.get("string"), str):
            expected["string"] = scrub_key_shaped(before["string"])
            if len(expected["string"]) != len(before["string"]):
                raise RecordingError(f"{target}: scrubbing changed a body's length")
        if type(before.get("string")) is not type(after.get("string")) or expected != after:
            raise RecordingError(f"{target}: a response body changed")
    for old, new in zip(source["interactions"], reloaded["interactions"], strict=True):
        for key in ("method", "uri", "body"):
            if old["request"].get(key) != new["request"].get(key):
                raise RecordingError(f"{target}: request {key} changed")


def signed_urls(cassette: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for interaction in cassette["interactions"]:
        texts = [interaction["request"]["uri"]]
        body = interaction["response"]["body"].get("string")
        if isinstance(body, str):
            texts.append(body)
        for text in texts:
            found += [u for u in SIGNED_URL.findall(text) if u not in found]
    return found


# --- provenance ---------------------------------------------------------------------------


def read_manifest(source_dir: Path) -> dict[str, dict[str, str]]:
    with (source_dir / "MANIFEST.tsv").open(newline="") as f:
        return {row["dest"]: row for row in csv.DictReader(f, delimiter="\t")}


def changes_text(changes: Counter[str]) -> str:
    return "; ".join(f"{what} ({n}x)" for what, n in sorted(changes.items())) or "none"


def provenance_block(rows: list[dict[str, str]]) -> str:
    lines = [
        BEGIN,
        "",
        "Real traffic recorded by the test suite of the `huggingface_hub` library (Copyright",
        "Hugging Face, Apache License 2.0), taken from `shared/recordings/hf-hub-cassettes/`",
        "(see its `MANIFEST.tsv`); licence text in `cassettes/LICENSE-Apache-2.0.txt`. The",
        "cassettes are modified as the table says: request bodies are unchanged, and response",
        "bodies too but for text shaped like a key (`sk-`, `hf_`, `r8_`, `gsk_` and 16 more",
        "characters, even inside a longer name), replaced by filler of the same length so that",
        "secret scanners stay quiet; none of it was a credential.",
        "",
        "| cassette | source file (shared/recordings) | source commit | licence | changes | notes |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| `{row['cassette']}` | `hf-hub-cassettes/{row['source']}` | `{row['commit']}` "
            f"| {LICENCE} | {row['changes']} | {row['note']} |"
        )
    expired = [row for row in rows if row["signed_urls"]]
    if expired:
        lines += [
            "",
            "Signed download URLs, expired and kept as recorded (bodies are not altered):",
            "",
        ]
        for row in expired:
            for url in row["signed_urls"].split("\n"):
                lines.append(f"- `{row['cassette']}`: `{url}`")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def provenance_text(existing: str | None, folder: str, block: str) -> str:
    """Replace the generated block and keep whatever else the file says (synthetic entries)."""
    if existing and BEGIN in existing and END in existing:
        head, rest = existing.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        return head + block + ("\n" + tail if tail else "")
    return f"# Provenance of `cassettes/{folder}/`\n\n{block}"


# --- main ---------------------------------------------------------------------------------


def build(source_dir: Path) -> dict[Path, str]:
    """Every file this script owns, with its content."""
    manifest = read_manifest(source_dir)
    outputs: dict[Path, str] = {}
    rows_by_folder: dict[str, list[dict[str, str]]] = {}
    targets = [entry.target for entry in IMPORTS]
    if len(set(targets)) != len(targets):
        raise RecordingError("IMPORTS names a target twice")
    for entry in IMPORTS:
        if not re.fullmatch(r"[a-z0-9-]+/(legacy/)?[a-z0-9_]+\.yaml", entry.target):
            raise RecordingError(f"{entry.target}: use <provider>/<snake_case>.yaml")
        path = source_dir / entry.folder / entry.source
        raw_bytes = path.read_bytes()
        record = manifest.get(f"_history/{entry.folder}/{entry.source}")
        if record is None:
            raise RecordingError(f"{entry.folder}/{entry.source} is not in MANIFEST.tsv")
        if hashlib.sha256(raw_bytes).hexdigest() != record["sha256"]:
            raise RecordingError(
                f"{entry.folder}/{entry.source} does not match its MANIFEST checksum"
            )
        try:
            source = load_yaml(raw_bytes)
        except yaml.YAMLError as err:
            raise RecordingError(
                f"{entry.folder}/{entry.source}: cannot load safely: {err}"
            ) from err

        converted, changes = convert(source, entry.target)
        check_provider(entry.target, converted)
        if problems := find_secrets(converted):
            raise RecordingError(f"{entry.target}: looks like a credential: {problems}")
        text = (
            f"# Recorded traffic from huggingface_hub's test suite (Apache-2.0), source\n"
            f"# {entry.folder}/{entry.source}; modified by scripts/import_recordings.py\n"
            f"# (headers scrubbed, request header names lowercased). See PROVENANCE.md.\n"
        ) + dump_yaml(converted)
        verify(source, converted, text, entry.target)
        outputs[CASSETTES / entry.target] = text

        folder, cassette = entry.target.rsplit("/", 1)
        rows_by_folder.setdefault(folder, []).append(
            {
                "cassette": cassette,
                "source": f"{entry.folder}/{entry.source}",
                "commit": record["source_commit"],
                "changes": changes_text(changes),
                "note": entry.note,
                "signed_urls": "\n".join(signed_urls(converted)),
            }
        )

    for folder, rows in rows_by_folder.items():
        path = CASSETTES / folder / "PROVENANCE.md"
        existing = path.read_text(encoding="utf-8") if path.exists() else None
        outputs[path] = provenance_text(existing, folder, provenance_block(rows))
    return outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE, help="hf-hub-cassettes folder"
    )
    parser.add_argument("--check", action="store_true", help="only report files that would change")
    args = parser.parse_args()

    if not (args.source / "MANIFEST.tsv").is_file():
        print(f"error: no MANIFEST.tsv in {args.source} (pass --source)", file=sys.stderr)
        return 1
    try:
        outputs = build(args.source)
    except RecordingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1

    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text("utf-8") != text]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(REPO)}")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text := outputs[path], encoding="utf-8")
        print(f"wrote {path.relative_to(REPO)} ({len(text.encode()):,} bytes)")
    print(
        f"{len(IMPORTS)} cassettes, {len(stale)} files written, {len(outputs) - len(stale)} unchanged"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
