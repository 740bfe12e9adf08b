"""``infermux demo``: real client calls through the installed plugins, on recorded traffic.

Each step replays a cassette with :func:`infermux.testing.cassette` (vcrpy, record mode
``none``), so it needs no key and no network. A fake Hugging Face token, passed as
``api_key=``, routes the calls through the Hugging Face router exactly as recorded; the
environment is never touched. The cassettes come from ``--cassettes``, a ``cassettes/``
folder of a checkout, or the copies shipped in the wheel (``infermux/_demo_cassettes``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from infermux.cli.errors import EXIT_FAILURE, CLIError
from infermux.cli.output import pillow_available, save_media

__all__ = ["CASSETTES", "demo_command", "find_cassettes"]

#: Not a real token: the recordings were made through the router with an ``hf_`` token.
_DEMO_TOKEN = "hf_" + "demo" * 8

CHAT = "together/chat_completion_stream.yaml"
EMBEDDING = "hf-inference/legacy/feature_extraction_sentence_transformers.yaml"
IMAGE = "together/text_to_image.yaml"
CASSETTES = (CHAT, EMBEDDING, IMAGE)

CHAT_MODEL = "meta-llama/Meta-Llama-3-8B-Instruct"
CHAT_MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]
#: A sentence-embedding model: one 384-value vector per text. Its recording was made on the
#: serverless Inference API (the hf-inference provider's former host), so the demo sends it
#: there with base_url; that recording's request had no empty "parameters" object, so its
#: body is not matched (see _embedding).
EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
EMBEDDING_BASE_URL = "https://api-inference.huggingface.co"
EMBEDDING_TEXT = "Hi, who are you?"
IMAGE_MODEL = "stabilityai/stable-diffusion-xl-base-1.0"
IMAGE_PROMPT = "An astronaut riding a horse on the moon."


def _has_cassettes(folder: Path) -> bool:
    return all((folder / name).is_file() for name in CASSETTES)


def shipped_cassettes() -> Path | None:
    """The copies inside the installed package, else the repository's (editable installs)."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "_demo_cassettes", package.parents[2] / "cassettes"):
        if _has_cassettes(candidate):
            return candidate
    return None


def find_cassettes(explicit: str | None, cwd: Path | None = None) -> Path:
    """``--cassettes``, else ``cassettes/`` here or in the nearest parent, else the shipped
    copies."""
    if explicit is not None:
        folder = Path(explicit).expanduser().resolve()
        missing = [name for name in CASSETTES if not (folder / name).is_file()]
        if missing:
            raise CLIError(f"{folder} lacks the demo's recordings: {', '.join(missing)}")
        return folder
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if _has_cassettes(folder / "cassettes"):
            return folder / "cassettes"
    shipped = shipped_cassettes()
    if shipped is not None:
        return shipped
    raise CLIError(
        f"cannot find the recorded cassettes (looked for cassettes/ in {start} and its "
        "parents, and in the installed package): pass --cassettes DIR"
    )


@contextmanager
def _replay(path: Path, **options: Any) -> Iterator[None]:
    """Replay ``path``; a request it does not hold becomes a clear error, not a traceback."""
    from infermux.testing import cassette

    # vcrpy ships no type information; import_module keeps mypy --strict quiet.
    unrecorded: type[Exception] = importlib.import_module(
        "vcr.errors"
    ).CannotOverwriteExistingCassetteException
    try:
        with cassette(path, **options):
            yield
    except unrecorded as exc:
        raise CLIError(
            f"the client sent a request that {path} did not record (the recording may be "
            f"out of date): {str(exc).splitlines()[0]}",
            exit_code=EXIT_FAILURE,
        ) from None


def _say(text: str = "") -> None:
    print(text, flush=True)


def _chat(client: Any, folder: Path) -> None:
    _say("1. Chat completion, streamed")
    _say(f"   cassette: {CHAT}")
    _say(f"   model: {CHAT_MODEL}")
    _say(f"   user:  {CHAT_MESSAGES[-1]['content']}")
    sys.stdout.write("   reply: ")
    served_as: str | None = None
    finish_reason: str | None = None
    with _replay(folder / CHAT):
        stream = client.chat_completion(CHAT_MESSAGES, model=CHAT_MODEL, max_tokens=20, stream=True)
        with stream:
            for chunk in stream:
                served_as = served_as or chunk.model
                if not chunk.choices:
                    continue
                finish_reason = chunk.choices[0].finish_reason or finish_reason
                delta = chunk.choices[0].delta.content
                if delta:
                    sys.stdout.write(delta)
                    sys.stdout.flush()
    _say("..." if finish_reason == "length" else "")  # max_tokens=20 cut it short
    _say(f"   answered by: {stream.provider} (served as {served_as or CHAT_MODEL})")
    _say()


def _shape(value: Any) -> tuple[int, ...]:
    shape: list[int] = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


def _first_values(value: Any, count: int = 5) -> list[float]:
    while isinstance(value, list) and value and isinstance(value[0], list):
        value = value[0]
    return [round(float(v), 4) for v in value[:count]] if isinstance(value, list) else []


def _embedding(client: Any, folder: Path) -> None:
    _say("2. Sentence embedding (feature-extraction)")
    _say(f"   cassette: {EMBEDDING}")
    _say(f"   model: {EMBEDDING_MODEL}")
    _say(f"   text:  {EMBEDDING_TEXT!r}")
    # Matched on everything but the body: the recording lacks the empty "parameters".
    where = ("method", "scheme", "host", "port", "path", "query")
    with _replay(folder / EMBEDDING, match_on=where):
        vectors = client.feature_extraction(EMBEDDING_TEXT, model=EMBEDDING_MODEL)
    shape = " x ".join(map(str, _shape(vectors)))
    _say(f"   shape: {shape} (one {_shape(vectors)[-1]}-value vector for the sentence)")
    _say(f"   first values: {_first_values(vectors)}")
    _say(f"   answered by: {client.provider} (recorded on {EMBEDDING_BASE_URL})")
    _say()


def _image(client: Any, folder: Path, output_dir: Path) -> None:
    _say("3. Text to image")
    _say(f"   cassette: {IMAGE}")
    _say(f"   model:  {IMAGE_MODEL}")
    _say(f"   prompt: {IMAGE_PROMPT}")
    with _replay(folder / IMAGE):
        image = client.text_to_image(IMAGE_PROMPT, model=IMAGE_MODEL)
    _say(f"   answered by: {image.provider} ({image.content_type}, {len(image.content):,} bytes)")
    if pillow_available():
        saved = save_media(image, output_dir / "astronaut.png")
    else:
        saved = save_media(image, output_dir / f"astronaut{image.extension}")
        _say(
            f"   Pillow is not installed, so the {image.content_type} bytes are saved as "
            "they are (pip install pillow for a PNG)"
        )
    if saved.converted_from:
        _say(f"   converted {saved.converted_from} to {saved.content_type} with Pillow")
    _say(f"   saved to: {saved.path}")


def demo_command(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("vcr") is None:
        raise CLIError(
            "the demo replays recorded traffic with vcrpy, which is not installed: "
            "pip install vcrpy (or the core's 'testing' extra)"
        )
    folder = find_cassettes(args.cassettes)
    output_dir = Path(args.output_dir).expanduser().resolve()
    from infermux.client.sync_client import InferenceClient

    _say(f"infermux demo: real client calls replayed from {folder} (no key, no network)")
    _say()
    with InferenceClient(provider="together", api_key=_DEMO_TOKEN) as together:
        _chat(together, folder)
        with InferenceClient(
            provider="hf-inference",
            api_key=_DEMO_TOKEN,
            base_url=EMBEDDING_BASE_URL,
            hub_lookup=False,
        ) as hf_inference:
            _embedding(hf_inference, folder)
        _image(together, folder, output_dir)
    return 0
