"""Acme: the helper without I/O, a call replayed from a cassette, and the
conformance suite of infermux.testing on every helper the installed package registers."""

from __future__ import annotations

from pathlib import Path

from infermux import InferenceClient
from infermux.helpers.base import Call, ModelMapping
from infermux.registry.loader import LoaderSettings, build_registry
from infermux.testing import cassette
from infermux.testing.conformance import ProviderConformance
from infermux.types import ChatCompletionOutput
from infermux_acme import AcmeChat

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
MESSAGES = [{"role": "user", "content": "Hello!"}]


def test_the_entry_point_registers_the_helpers():
    registry = build_registry(LoaderSettings(load_config_files=False))
    registration = registry.get("acme", "conversational")
    assert registration.distribution == "infermux-acme"
    assert isinstance(registration.helper, AcmeChat)


def test_request_is_built_without_io():
    helper = AcmeChat()
    call = Call(
        task="conversational",
        inputs=MESSAGES,
        model=ModelMapping("acme-chat-small"),
        routing="direct",
        base_url=helper.base_url,
        parameters={"max_tokens": 16},
    )
    request = helper.prepare_request(call)
    assert request.url == "https://api.acme.example/v1/chat/completions"
    assert request.payload == {
        "messages": MESSAGES,
        "model": "acme-chat-small",
        "max_tokens": 16,
        "stream": False,
    }
    assert request.headers == {}  # the core adds the key, and only for this host


def test_chat_completion_replays_the_cassette():
    # Clients are closed: one left open while recording fails under filterwarnings = error.
    with (
        InferenceClient(provider="acme", api_key="test-key-not-real") as client,
        cassette(CASSETTES / "acme" / "chat_completion_synthetic.yaml"),
    ):
        out = client.chat_completion(MESSAGES, model="acme-chat-small", max_tokens=16)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content == "Hello! How can I help?"
    assert out.response_info.provider == "acme"


class TestAcmeConformance(ProviderConformance):
    distribution = "infermux-acme"
    cassette_dir = CASSETTES / "acme"


def test_feature_extraction_replays_the_cassette():
    with (
        InferenceClient(provider="acme", api_key="test-key-not-real") as client,
        cassette(CASSETTES / "acme" / "feature_extraction_synthetic.yaml"),
    ):
        vectors = client.feature_extraction(
            ["Today is a sunny day.", "It rains."], model="acme-embed-small"
        )
    assert vectors == [[0.5, 0.25, -0.125], [0.25, -0.5, 0.125]]  # ordered by index


def test_auto_picks_acme_for_the_model_it_serves(monkeypatch):
    monkeypatch.setenv("ACME_API_KEY", "test-key-not-real")
    # provider="auto": no Hub lookup is recorded, none is made
    with (
        InferenceClient() as client,
        cassette(CASSETTES / "acme" / "chat_completion_auto_synthetic.yaml") as tape,
    ):
        out = client.chat_completion(MESSAGES, model="acme/acme-large")
    assert out.choices[0].message.content == "Hello from Acme Large."
    assert out.response_info.provider == "acme"
    assert tape.play_count == 1
