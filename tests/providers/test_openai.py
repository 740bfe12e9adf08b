"""openai: direct only. Chat end to end is in test_openai_compatible_partners.py; here the
rules that make it direct only, and its error body. The cassettes are synthetic (see
cassettes/openai/PROVENANCE.md).
"""

from __future__ import annotations

import pytest

from infermux import InferenceClient
from infermux.errors import AuthenticationError, ConfigurationError, MissingAPIKeyError
from tests.conftest import FAKE_HF_TOKEN

MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture(autouse=True)
def _no_provider_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def test_router_routing_raises_a_configuration_error(sent):
    client = InferenceClient(
        provider="openai", api_key=FAKE_HF_TOKEN, routing="router", http_client=sent.client()
    )
    with pytest.raises(ConfigurationError, match="not served by the Hugging Face router"):
        client.chat_completion(MESSAGES, model="gpt-4o-mini")
    assert sent.requests == []


def test_a_hugging_face_token_alone_raises_missing_api_key(sent):
    client = InferenceClient(provider="openai", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with pytest.raises(MissingAPIKeyError, match="OPENAI_API_KEY") as info:
        client.chat_completion(MESSAGES, model="gpt-4o-mini")
    assert "never sent to a third-party host" in str(info.value)
    assert sent.requests == []  # no Hub lookup either: OpenAI ids are used as given


def test_a_saved_hugging_face_token_is_not_used_either(sent, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", FAKE_HF_TOKEN)
    client = InferenceClient(provider="openai", http_client=sent.client())
    with pytest.raises(MissingAPIKeyError):
        client.chat_completion(MESSAGES, model="gpt-4o-mini")
    assert sent.requests == []


def test_openai_is_direct_only_and_never_looked_up_on_the_hub():
    from infermux.registry.loader import get_registry

    helper = get_registry().get("openai", "conversational").helper
    assert helper.routable is False
    assert helper.needs_model_mapping is False


def test_unauthorized_is_an_authentication_error(replay):
    client = InferenceClient(provider="openai", api_key="sk-fake")
    with (
        replay("openai/chat_completion_unauthorized_synthetic.yaml"),
        pytest.raises(AuthenticationError) as info,
    ):
        client.chat_completion(MESSAGES, model="gpt-4o-mini")
    assert info.value.status_code == 401
    assert info.value.provider_message.startswith("Incorrect API key provided")
