"""Issue 14 items 13, 15 and 17: non-finite numbers refused before sending, keys over plain
HTTP only to the origin configured for them, key echoes redacted in every spelling."""

from __future__ import annotations

import base64
import math
from typing import Any

import pytest

from infermux.auth import choose_route
from infermux.errors import AuthenticationError, InvalidInputError
from infermux.helpers.base import TaskProviderHelper
from tests.core.both_clients import invoke, open_client
from tests.core.conftest import LOCAL_KEY
from tests.core.localserver import Reply

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

MESSAGES = [{"role": "user", "content": "Hello"}]


@pytest.fixture
def client_for(kind, local_registry):
    def make(**options: Any) -> Any:
        options.setdefault("timeout", 5.0)
        options.setdefault("max_retries", 0)
        return open_client(
            kind, provider="local", model="local-model", registry=local_registry, **options
        )

    return make


# -- item 13: NaN and infinity --------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "named"),
    [
        ({"temperature": math.nan}, "temperature"),
        ({"top_p": math.inf}, "top_p"),
        ({"logit_bias": {"42": -math.inf}}, "logit_bias['42']"),
        ({"extra_body": {"penalty": math.nan}}, "extra_body['penalty']"),
        ({"extra_body": {"deep": [1.0, {"x": math.inf}]}}, "extra_body['deep'][1]['x']"),
    ],
    ids=["temperature-nan", "top_p-inf", "nested-parameter", "extra_body", "nested-extra_body"],
)
async def test_non_finite_numbers_are_refused_before_sending(client_for, local_server, call, named):
    async with client_for() as client:
        with pytest.raises(InvalidInputError) as caught:
            await invoke(client, "chat_completion", MESSAGES, **call)
    assert named in str(caught.value)
    assert "NaN or infinite" in str(caught.value)
    assert local_server.requests == []


async def test_non_finite_payload_of_a_custom_request_is_refused(
    kind, local_registry, local_server
):

    async with open_client(kind, provider="local", registry=local_registry) as client:
        with pytest.raises(InvalidInputError, match=r"payload\['x'\]"):
            await invoke(client, "request", "/v1/x", json={"x": math.nan})
    assert local_server.requests == []


# -- item 17: key echoes in any spelling ----------------------------------------------------


def _spellings() -> dict[str, str]:
    b64 = base64.b64encode(LOCAL_KEY.encode()).decode()
    bearer = base64.b64encode(f"Bearer {LOCAL_KEY}".encode()).decode()
    return {
        "upper": LOCAL_KEY.upper(),
        "mixed": LOCAL_KEY[:10].upper() + LOCAL_KEY[10:],
        "base64": b64,
        "base64-unpadded": b64.rstrip("="),
        "base64-urlsafe": base64.urlsafe_b64encode(LOCAL_KEY.encode()).decode(),
        "base64-bearer": bearer,
        "basic": base64.b64encode(f"{LOCAL_KEY}:".encode()).decode(),
    }


@pytest.mark.parametrize("spelling", sorted(_spellings()))
async def test_key_echo_is_redacted_in_every_spelling(client_for, local_server, spelling):
    echoed = _spellings()[spelling]
    local_server.queue(Reply(401, json={"error": {"message": f"bad key {echoed}", "got": echoed}}))
    async with client_for() as client:
        with pytest.raises(AuthenticationError) as caught:
            await invoke(client, "chat_completion", MESSAGES)
    exc = caught.value
    shown = f"{exc} {exc!r} {exc.args!r} {exc.body!r} {exc.provider_message}"
    assert echoed not in shown
    assert LOCAL_KEY not in shown
    assert "<redacted>" in exc.provider_message
    assert exc.model == "local-model"
    assert "(model 'local-model')" in str(exc)


# -- item 15: keys over plain HTTP ----------------------------------------------------------


class _Queue(TaskProviderHelper):
    provider = "fal-like"
    task = "text-to-image"
    base_url = "https://fal.run"
    api_key_env = ("FAL_LIKE_KEY",)
    key_hosts = ("queue.fal.run", ".fal.media")


def test_http_base_url_keeps_the_key_to_that_exact_origin():
    route = choose_route(
        _Queue(), api_key="provider-key-123456", base_url="http://127.0.0.1:8080", environ={}
    )
    credential = route.credential
    assert credential is not None
    assert credential.allows("http://127.0.0.1:8080/fal-ai/flux")
    # The provider's other hosts keep their key over HTTPS only, never over plain HTTP.
    assert not credential.allows("http://queue.fal.run/fal-ai/flux")
    assert credential.allows("https://queue.fal.run/fal-ai/flux")
    assert not credential.allows("http://x.fal.media/file.png")
    # Another port or scheme on the same host is another origin.
    assert not credential.allows("http://127.0.0.1:8081/fal-ai/flux")
    assert not credential.allows("http://127.0.0.1/fal-ai/flux")


class _HFSpace(TaskProviderHelper):
    provider = "hf-like"
    task = "conversational"
    base_url = "https://router.huggingface.co/hf-inference"
    uses_hf_token = True
    key_hosts = (".hf.space",)


def test_hf_token_never_goes_to_a_plain_http_space():
    route = choose_route(
        _HFSpace(),
        api_key="hf_" + "a" * 34,
        router_url="http://127.0.0.1:9000",
        environ={},
    )
    credential = route.credential
    assert credential is not None
    assert not credential.allows("http://my-space.hf.space/api/predict")
    assert credential.allows("http://127.0.0.1:9000/v1/chat/completions")
