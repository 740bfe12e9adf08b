"""Never pay twice: a synchronous call billed per call is sent at most once.

A blocking ``fal.run`` image, a text-to-image or text-to-speech endpoint that answers with
the media: each call runs (and bills) a generation, as a queue submit does. The real
plugins talk to a scripted server on 127.0.0.1 (``base_url`` pointed at it), which counts
what it receives: a 5xx or a timeout after sending is never followed by a second request
and raises :class:`JobMayExistError`; a 429 (an answer saying "not done"), a model still
loading and a refused connection are retried; chat is retried on a 5xx as before.
Sync and async alike.
"""

from __future__ import annotations

import base64
import io
import wave
from dataclasses import dataclass
from typing import Any

import pytest

from infermux import InferenceClient
from infermux.engine import Send, Sleep
from infermux.errors import (
    JobMayExistError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)
from infermux.helpers.base import HTTPRequest
from infermux.transport.retry import RetryPolicy
from tests.core.both_clients import invoke, open_client
from tests.core.localserver import LocalServer, Reply, free_port

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

FAST = RetryPolicy(max_retries=3, initial_delay=0.005, max_delay=0.02)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 80)
    return buffer.getvalue()


@dataclass(frozen=True)
class PaidCall:
    """One synchronous call the plugin marks paid per call, and how to make it."""

    provider: str
    method: str
    model: str
    inputs: Any
    prompt: str | None = None  # image-to-image: how to change the image

    @property
    def id(self) -> str:
        return f"{self.provider}-{self.method}"


PAID_CALLS = [
    PaidCall("fal-ai", "text_to_image", "fal-ai/flux/schnell", "a cat"),
    PaidCall("fal-ai", "text_to_speech", "fal-ai/kokoro", "hello"),
    PaidCall("fal-ai", "automatic_speech_recognition", "fal-ai/whisper", _wav()),
    PaidCall("together", "text_to_image", "black-forest-labs/FLUX.1-schnell", "a cat"),
    PaidCall("together", "image_to_image", "black-forest-labs/FLUX.1-kontext-dev", PNG, "red"),
    PaidCall("together", "text_to_speech", "cartesia/sonic", "hello"),
    PaidCall("nebius", "text_to_image", "black-forest-labs/flux-schnell", "a cat"),
    PaidCall("nscale", "text_to_image", "stabilityai/stable-diffusion-xl-base-1.0", "a cat"),
    PaidCall("hyperbolic", "text_to_image", "SDXL1.0-base", "a cat"),
    PaidCall("openai", "text_to_image", "gpt-image-1", "a cat"),
    PaidCall("openai", "text_to_speech", "gpt-4o-mini-tts", "hello"),
    PaidCall("deepinfra", "text_to_speech", "hexgrad/Kokoro-82M", "hello"),
    PaidCall("hf-inference", "text_to_image", "stabilityai/sdxl-turbo", "a cat"),
    PaidCall("hf-inference", "image_to_image", "timbrooks/instruct-pix2pix", PNG, "red"),
    PaidCall("hf-inference", "text_to_speech", "facebook/mms-tts-eng", "hello"),
]
FAL_RUN = PAID_CALLS[0]


@pytest.fixture(params=PAID_CALLS, ids=[c.id for c in PAID_CALLS])
def paid(request: pytest.FixtureRequest) -> PaidCall:
    return request.param  # type: ignore[no-any-return]


def options(provider: str, server: LocalServer, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "provider": provider,
        "base_url": server.url,
        "api_key": "test-key-not-real",
        "hub_lookup": False,
        "timeout": 5.0,
        "retry": FAST,
    }
    return {**settings, **overrides}


async def call(kind: str, paid: PaidCall, server: LocalServer, **overrides: Any) -> Any:
    extra = {"prompt": paid.prompt} if paid.prompt else {}
    async with open_client(kind, **options(paid.provider, server, **overrides)) as client:
        return await invoke(client, paid.method, paid.inputs, model=paid.model, **extra)


def test_every_marked_helper_builds_a_request_sent_at_most_once():
    """The calls below are the ones the plugins mark: each builds a paid_per_call request."""
    from infermux.registry.loader import get_registry

    registry = get_registry()
    tasks = {"text_to_image": "text-to-image", "image_to_image": "image-to-image"}
    tasks |= {"text_to_speech": "text-to-speech"}
    tasks |= {"automatic_speech_recognition": "automatic-speech-recognition"}
    for paid in PAID_CALLS:
        helper = registry.get(paid.provider, tasks[paid.method]).helper
        assert helper.paid_per_call is True, paid.id
        assert helper.idempotency_header is None, paid.id  # none documented: see the docs


async def test_a_paid_call_answered_with_a_5xx_is_sent_once(kind, paid, local_server):
    local_server.responder = lambda seen: Reply(
        500, json={"detail": "internal error"}, headers={"x-request-id": "req-500"}
    )
    with pytest.raises(JobMayExistError) as caught:
        await call(kind, paid, local_server)
    assert len(local_server.requests) == 1
    error = caught.value
    assert isinstance(error.__cause__, ServerError)
    assert error.provider == paid.provider
    assert error.request_id == "req-500"
    assert "not sent again" in str(error)
    assert "paid per call" in str(error)
    assert "req-500" in error.how_to_find


async def test_a_paid_call_answered_with_a_502_after_a_429_is_sent_twice_only(kind, local_server):
    """The 429 ran nothing and is retried; the 502 that follows may have: no third request."""
    local_server.queue(
        Reply(429, json={"detail": "slow down"}, headers={"retry-after": "0"}),
        Reply(502, json={"detail": "bad gateway"}),
    )
    with pytest.raises(JobMayExistError):
        await call(kind, FAL_RUN, local_server)
    assert len(local_server.requests) == 2


@pytest.mark.parametrize(
    "paid", [FAL_RUN, PAID_CALLS[3], PAID_CALLS[12]], ids=["fal-ai", "together", "hf-inference"]
)
async def test_a_paid_call_that_times_out_after_sending_is_sent_once(kind, paid, local_server):
    local_server.responder = lambda seen: Reply(hang=True)
    with pytest.raises(JobMayExistError) as caught:
        await call(kind, paid, local_server, timeout=0.5)
    assert len(local_server.requests) == 1
    assert isinstance(caught.value.__cause__, RequestTimeoutError)
    assert "may have run and been billed" in str(caught.value)


async def test_a_paid_call_refused_with_429_is_sent_again(kind, paid, local_server):
    """A 429 is an answer saying "not done": resending it cannot bill twice."""
    local_server.responder = lambda seen: Reply(
        429, json={"detail": "slow down"}, headers={"retry-after": "0"}
    )
    with pytest.raises(RateLimitError):
        await call(kind, paid, local_server)
    assert len(local_server.requests) == 1 + FAST.max_retries


async def test_fal_run_succeeds_after_a_429(kind, local_server):
    local_server.responder = None
    local_server.queue(
        Reply(429, json={"detail": "slow down"}, headers={"retry-after": "0"}),
        Reply(200, json={"images": [{"url": f"{local_server.url}/image.png"}]}),
        Reply(200, body=PNG, headers={"Content-Type": "image/png"}),
    )
    out = await call(kind, FAL_RUN, local_server)
    assert out.content == PNG
    assert [r.path for r in local_server.requests] == [
        "/fal-ai/flux/schnell",
        "/fal-ai/flux/schnell",
        "/image.png",
    ]


async def test_a_loading_model_is_waited_for_even_on_a_paid_call(kind, local_server):
    """hf-inference's "model is loading" 503 ran nothing: the call waits and goes again."""
    local_server.queue(
        Reply(503, json={"error": "Model is loading", "estimated_time": 0.01}),
        Reply(200, body=PNG, headers={"Content-Type": "image/png"}),
    )
    out = await call(kind, PAID_CALLS[12], local_server)
    assert out.content == PNG
    assert len(local_server.requests) == 2


async def test_a_paid_call_to_a_refused_port_is_retried_not_reported_as_paid(kind, local_server):
    """Nothing listens: the request was never written, so it is retried, and what the
    caller sees is the transport error, not "the job may exist"."""
    refused = f"http://127.0.0.1:{free_port()}"
    opened = options("fal-ai", local_server, base_url=refused, timeout=2.0)
    async with open_client(kind, **opened) as client:
        with pytest.raises(TransportError) as caught:
            await invoke(client, "text_to_image", "a cat", model=FAL_RUN.model)
    assert not isinstance(caught.value, JobMayExistError)
    assert caught.value.request_sent is False


def test_the_engine_resends_a_paid_call_only_when_it_never_arrived():
    """The engine's decision, driven by hand: a refused connection is retried, a timeout
    after sending is not."""
    with InferenceClient(provider="fal-ai", api_key="k", hub_lookup=False, retry=FAST) as client:
        request = HTTPRequest("POST", "https://fal.run/fal-ai/flux/schnell", paid_per_call=True)
        sending = client.engine.sender.send(request, None, "fal-ai", None)
        assert isinstance(next(sending), Send)
        refused = TransportError("connection refused", request_sent=False)
        assert isinstance(sending.throw(refused), Sleep)  # backs off...
        assert isinstance(next(sending), Send)  # ...and sends again
        with pytest.raises(JobMayExistError, match="paid per call"):
            sending.throw(RequestTimeoutError("read timed out"))  # may have arrived


async def test_chat_is_still_retried_after_a_5xx(kind, local_server):
    """Chat is billed per token and conventionally retried (OpenAI's SDK, huggingface_hub):
    unchanged."""
    local_server.queue(
        Reply(500, json={"error": {"message": "internal"}}),
        Reply(
            200,
            json={
                "id": "c1",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "hi"},
                        "finish_reason": "stop",
                    }
                ],
            },
        ),
    )
    async with open_client(kind, **options("together", local_server)) as client:
        out = await invoke(
            client,
            "chat_completion",
            [{"role": "user", "content": "hello"}],
            model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
        )
    assert out.choices[0].message.content == "hi"
    assert len(local_server.requests) == 2
