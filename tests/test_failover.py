"""provider="auto": candidates in preference order, failover on retryable errors only."""

from __future__ import annotations

import httpx2
import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.errors import BadRequestError, ServerError
from tests.conftest import FAKE_HF_TOKEN

MESSAGES = [{"role": "user", "content": "Hi"}]
MAPPING = {
    "inferenceProviderMapping": [
        {
            "provider": "fireworks-ai",
            "providerId": "fw/model",
            "status": "live",
            "task": "conversational",
        },
        {
            "provider": "not-installed",
            "providerId": "x/model",
            "status": "live",
            "task": "conversational",
        },
        {
            "provider": "together",
            "providerId": "tg/model",
            "status": "live",
            "task": "conversational",
        },
    ]
}
REPLY = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "from together"}}]}


class Providers:
    """The Hub and two providers behind one mock transport; fireworks-ai answers ``status``."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.seen: list[str] = []

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        path = request.url.path
        self.seen.append(path)
        if request.url.host == "huggingface.co":
            return httpx2.Response(200, json=MAPPING)
        if path.startswith("/fireworks-ai/"):
            return httpx2.Response(
                self.status,
                json={"error": {"message": "fireworks says no"}},
                headers={"retry-after": "0"},
            )
        return httpx2.Response(200, json=REPLY)

    def client(self, **kwargs):
        return InferenceClient(
            provider="auto",
            api_key=FAKE_HF_TOKEN,
            max_retries=1,
            http_client=httpx2.Client(transport=httpx2.MockTransport(self.handler)),
            **kwargs,
        )


def test_retryable_error_fails_over_to_the_next_installed_provider():
    providers = Providers(503)
    out = providers.client().chat_completion(MESSAGES, model="org/model")
    assert out.choices[0].message.content == "from together"
    assert out.response_info.provider == "together"
    # 2 attempts on fireworks-ai (1 retry), the uninstalled provider skipped, then together.
    assert providers.seen == [
        "/api/models/org/model",
        "/fireworks-ai/inference/v1/chat/completions",
        "/fireworks-ai/inference/v1/chat/completions",
        "/together/v1/chat/completions",
    ]


def test_no_failover_on_a_client_error():
    providers = Providers(400)
    with pytest.raises(BadRequestError, match="fireworks says no"):
        providers.client().chat_completion(MESSAGES, model="org/model")
    assert not any(p.startswith("/together/") for p in providers.seen)


def test_failover_can_be_turned_off():
    providers = Providers(503)
    with pytest.raises(ServerError):
        providers.client(failover=False).chat_completion(MESSAGES, model="org/model")
    assert not any(p.startswith("/together/") for p in providers.seen)


def test_preference_order_is_honoured():
    providers = Providers(503)
    out = providers.client(provider_preference=["together", "fireworks-ai"]).chat_completion(
        MESSAGES, model="org/model"
    )
    assert out.response_info.provider == "together"
    assert not any(p.startswith("/fireworks-ai/") for p in providers.seen)


async def test_async_failover():
    providers = Providers(503)
    async with AsyncInferenceClient(
        provider="auto",
        api_key=FAKE_HF_TOKEN,
        max_retries=0,
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(providers.handler)),
    ) as client:
        out = await client.chat_completion(MESSAGES, model="org/model")
    assert out.response_info.provider == "together"
