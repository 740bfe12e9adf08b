"""Keys reach their own host and nothing else, and never show anywhere.

Three scripted servers record the headers they receive:

- ``provider`` on 127.0.0.1 (the provider's own host),
- ``router`` on 127.0.0.1 with another port (the Hugging Face router and Hub),
- ``media`` on 127.0.0.2 (a media CDN, a redirect target: a host nobody's key belongs to).

A key is only ever sent to its own host: never a provider key to the router or the Hub,
never a Hugging Face token to a provider host, never any key to a media download, a
follow-up on another host, or a redirect. And no key ever shows in logs (every level,
with httpx2 and httpcore2 logging on), reprs, exception messages and bodies, stream
errors, or the CLI's output.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from infermux import register_openai_compatible
from infermux.auth import choose_route
from infermux.engine import Send
from infermux.errors import InfermuxError
from infermux.helpers.base import (
    AuthScheme,
    Call,
    FollowUp,
    HTTPRequest,
    Payload,
    Response,
    TaskProviderHelper,
)
from infermux.media import ImageOutput
from infermux.registry.store import ProviderRegistry, Registration
from tests.core.both_clients import collect, invoke, open_client
from tests.core.localserver import LocalServer, Reply, Seen, _Handler, _Server, free_port
from tests.core.test_faults import chat_body, chunk

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.[12]$"])

PROVIDER_KEY = "prov-secret-key-3c9d0e1f2a4b5c6d7e8f"
HF_TOKEN = "hf_" + "SecretTokenValue" * 2 + "xy"
KEYS = (PROVIDER_KEY, HF_TOKEN)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
MESSAGES = [{"role": "user", "content": "Hello"}]


class HostServer(LocalServer):
    """The scripted server of the core tests, on another loopback address."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self._httpd.server_close()
        self._httpd = _Server((address, 0), _Handler)
        self._httpd.owner = self
        self.address = address
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}"


@pytest.fixture(scope="module")
def _servers() -> Iterator[dict[str, LocalServer]]:
    servers = {
        "provider": LocalServer(),
        "router": LocalServer(),
        "media": HostServer("127.0.0.2"),
    }
    for server in servers.values():
        server.start()
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def servers(_servers: dict[str, LocalServer]) -> Iterator[dict[str, LocalServer]]:
    for server in _servers.values():
        server.reset()
    yield _servers
    for server in _servers.values():
        server.reset()


def auth_seen(server: LocalServer) -> list[tuple[str, str | None]]:
    return [(s.path, s.headers.get("authorization")) for s in server.requests]


def all_headers(server: LocalServer) -> str:
    return json.dumps([s.headers for s in server.requests])


class RelayHelper(TaskProviderHelper):
    """A provider whose answer names the next steps: ``{"steps": [[url, authenticate], ...]}``.

    Each step is a FollowUp to that URL (whatever its host), the last one's bytes are the
    image. This is what job queues and media results look like to the core.
    """

    provider = "relay"
    task = "text-to-image"
    api_key_env = ("RELAY_KEY",)
    output_type = ImageOutput

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def prepare_route(self, call: Call) -> str:
        return "/generate"

    def prepare_payload(self, call: Call) -> Payload:
        return {"prompt": call.inputs, "model": call.model.provider_model_id}

    def parse_response(self, response: Response, call: Call) -> Any:
        return self._next(self.json_object(response)["steps"])

    def _next(self, steps: list[Any]) -> Any:
        (url, authenticate), rest = steps[0], steps[1:]

        def then(response: Response) -> Any:
            if rest:
                return self._next(rest)
            return ImageOutput(response.content, "image/png", provider=self.provider)

        return FollowUp(HTTPRequest("GET", url, authenticate=authenticate), then)


class RelayImageToImage(RelayHelper):
    task = "image-to-image"

    def prepare_payload(self, call: Call) -> Payload:
        return {"image": call.inputs.as_base64(), "model": call.model.provider_model_id}


@pytest.fixture
def registry(servers: dict[str, LocalServer]) -> ProviderRegistry:
    registry = ProviderRegistry()
    for cls in (RelayHelper, RelayImageToImage):
        registry.add(Registration(cls(servers["provider"].url), "relay-plugin"))
    register_openai_compatible(
        "plain",
        base_url=f"{servers['provider'].url}/v1",
        api_key_env="RELAY_KEY",
        registry=registry,
    )
    return registry


def client_for(kind: str, registry: ProviderRegistry, servers: dict[str, LocalServer], **kw: Any):
    kw.setdefault("timeout", 5.0)
    kw.setdefault("max_retries", 0)
    return open_client(
        kind,
        registry=registry,
        router_url=servers["router"].url,
        hub_url=servers["router"].url,
        **kw,
    )


def relay_script(servers: dict[str, LocalServer], first: str) -> None:
    """``first`` answers the call; then two keyed follow-ups on other hosts and a download."""
    provider, media, router = servers["provider"], servers["media"], servers["router"]
    steps = [
        [f"{media.url}/job/status", True],  # a helper asking for the key on another host
        [f"{provider.url}/job/result", True],  # the provider's own host
        [f"{router.url}/job/peek", True],  # the router's host, asked for by a provider
        [f"{media.url}/out.png", False],  # a media download
    ]
    servers[first].queue(Reply(200, json={"steps": steps}))
    media.queue(Reply(200, json={"status": "ok"}))
    provider.queue(Reply(200, json={"status": "ok"}))
    router.queue(Reply(200, json={"status": "ok"}))
    media.queue(Reply(200, body=PNG, headers={"content-type": "image/png"}))


# -- a key goes to its own host only ------------------------------------------------------------


async def test_provider_key_goes_to_the_provider_host_only(kind, registry, servers, monkeypatch):
    monkeypatch.setenv("RELAY_KEY", PROVIDER_KEY)
    monkeypatch.setenv("HF_TOKEN", HF_TOKEN)  # present, and never sent to the provider
    servers["router"].queue(Reply(404, json={"error": "Repository not found"}))  # Hub lookup
    relay_script(servers, "provider")
    async with client_for(kind, registry, servers, provider="relay") as client:
        image = await invoke(client, "text_to_image", "a lighthouse", model="org/model")
    assert image.content == PNG
    bearer = f"Bearer {PROVIDER_KEY}"
    assert auth_seen(servers["provider"]) == [("/generate", bearer), ("/job/result", bearer)]
    assert auth_seen(servers["media"]) == [("/job/status", None), ("/out.png", None)]
    # The router's host saw the Hub lookup (with the HF token: its own host) and the
    # follow-up a provider answer pointed at it, without the provider's key.
    assert auth_seen(servers["router"]) == [
        ("/api/models/org/model?expand=inferenceProviderMapping", f"Bearer {HF_TOKEN}"),
        ("/job/peek", None),
    ]
    assert HF_TOKEN not in all_headers(servers["provider"]) + all_headers(servers["media"])
    assert PROVIDER_KEY not in all_headers(servers["router"]) + all_headers(servers["media"])


async def test_hf_token_goes_to_the_router_only(kind, registry, servers, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", HF_TOKEN)  # no provider key: the call goes through the router
    relay_script(servers, "router")
    async with client_for(kind, registry, servers, provider="relay", hub_lookup=False) as client:
        image = await invoke(client, "text_to_image", "a lighthouse", model="org/model")
    assert image.content == PNG
    bearer = f"Bearer {HF_TOKEN}"
    assert auth_seen(servers["router"]) == [("/relay/generate", bearer), ("/job/peek", bearer)]
    # The provider's host, named by the router's answer, never gets the Hugging Face token.
    assert auth_seen(servers["provider"]) == [("/job/result", None)]
    assert auth_seen(servers["media"]) == [("/job/status", None), ("/out.png", None)]


async def test_a_provider_key_is_never_sent_to_the_router(kind, registry, servers, monkeypatch):
    monkeypatch.setenv("RELAY_KEY", PROVIDER_KEY)
    async with client_for(kind, registry, servers, provider="relay", routing="router") as client:
        with pytest.raises(InfermuxError, match="never sent to the router"):
            await invoke(client, "text_to_image", "a lighthouse", model="m")
    assert all(server.requests == [] for server in servers.values())


async def test_a_redirect_to_another_host_never_carries_the_key(
    kind, registry, servers, monkeypatch
):
    monkeypatch.setenv("RELAY_KEY", PROVIDER_KEY)
    target = f"{servers['media'].url}/v1/chat/completions"
    servers["provider"].queue(Reply(307, headers={"Location": target}))
    servers["media"].queue(Reply(200, json=chat_body("stolen")))
    async with client_for(kind, registry, servers, provider="plain", model="m") as client:
        with pytest.raises(InfermuxError):  # a keyed request never follows a redirect
            await invoke(client, "chat_completion", MESSAGES)
    assert auth_seen(servers["provider"]) == [("/v1/chat/completions", f"Bearer {PROVIDER_KEY}")]
    assert servers["media"].requests == []


async def test_a_redirected_download_is_followed_without_any_key(
    kind, registry, servers, monkeypatch
):
    monkeypatch.setenv("RELAY_KEY", PROVIDER_KEY)
    provider, media = servers["provider"], servers["media"]
    provider.queue(Reply(200, json={"steps": [[f"{provider.url}/files/out.png", False]]}))
    provider.queue(Reply(302, headers={"Location": f"{media.url}/cdn/out.png"}))
    media.queue(Reply(200, body=PNG, headers={"content-type": "image/png"}))
    async with client_for(kind, registry, servers, provider="relay", model="m") as client:
        image = await invoke(client, "text_to_image", "a lighthouse")
    assert image.content == PNG
    assert auth_seen(provider) == [
        ("/generate", f"Bearer {PROVIDER_KEY}"),
        ("/files/out.png", None),
    ]
    assert auth_seen(media) == [("/cdn/out.png", None)]


async def test_an_input_url_is_downloaded_without_any_key(kind, registry, servers, monkeypatch):
    monkeypatch.setenv("RELAY_KEY", PROVIDER_KEY)
    monkeypatch.setenv("HF_TOKEN", HF_TOKEN)
    provider, media = servers["provider"], servers["media"]
    media.queue(Reply(200, body=PNG, headers={"content-type": "image/png"}))
    provider.queue(Reply(200, json={"steps": [[f"{media.url}/result.png", False]]}))
    media.queue(Reply(200, body=PNG, headers={"content-type": "image/png"}))
    async with client_for(kind, registry, servers, provider="relay", model="m") as client:
        await invoke(client, "image_to_image", f"{media.url}/input.png")
    assert auth_seen(media) == [("/input.png", None), ("/result.png", None)]
    assert auth_seen(provider) == [("/generate", f"Bearer {PROVIDER_KEY}")]


# -- keys never show -------------------------------------------------------------------------------


def assert_hidden(text: str, where: str) -> None:
    for key in KEYS:
        assert key not in text, f"{where} shows a key: {text[:300]}"


def exception_texts(exc: BaseException) -> str:
    """Everything an exception shows: message, repr, args, attributes, its printed chain."""
    parts = [str(exc), repr(exc), repr(exc.args)]
    for name in ("body", "event", "provider_message", "url"):
        parts.append(repr(getattr(exc, name, None)))
    # The chain a traceback prints: the cause, else an unsuppressed context.
    linked = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if linked is not None:
        parts.append(exception_texts(linked))
    return "\n".join(parts)


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record of infermux, httpx2 and httpcore2, at DEBUG."""
    for name in ("", "infermux", "httpx2", "httpcore2"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


async def test_keys_never_show_in_logs_reprs_or_errors(
    kind, registry, servers, monkeypatch, all_logs
):
    monkeypatch.setenv("RELAY_KEY", PROVIDER_KEY)
    monkeypatch.setenv("HF_TOKEN", HF_TOKEN)
    provider = servers["provider"]
    echo = {"error": {"message": f"Invalid API key {PROVIDER_KEY}"}, "key": PROVIDER_KEY}
    stream_failure = {"error": {"message": f"key {PROVIDER_KEY} revoked"}}
    errors: list[BaseException] = []
    texts: list[str] = []
    async with client_for(kind, registry, servers, provider="plain", model="m") as client:
        texts.append(repr(client))
        texts.append(repr(client.engine.settings))
        texts.append(repr(vars(client)))
        # A success, then failures whose bodies echo the keys.
        provider.queue(Reply(200, json=chat_body()))
        await invoke(client, "chat_completion", MESSAGES)
        for reply in (
            Reply(401, json=echo),
            Reply(500, body=f"upstream said {PROVIDER_KEY}"),
            Reply(200, body=f"not json {PROVIDER_KEY}", headers={"x-echo": "nothing"}),
            Reply(307, headers={"Location": f"{servers['media'].url}/elsewhere"}),
        ):
            provider.queue(reply)
            with pytest.raises(InfermuxError) as raised:
                await invoke(client, "chat_completion", MESSAGES)
            errors.append(raised.value)
        # A stream, and an error event inside a stream echoing the key.
        provider.queue(Reply(chunks=[chunk("Hi"), b"data: [DONE]\n\n"]))
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        texts.append(repr(stream))
        texts.append(repr(vars(stream)))
        await collect(stream)
        provider.queue(
            Reply(chunks=[chunk("Hi"), f"data: {json.dumps(stream_failure)}\n\n".encode()])
        )
        stream = await invoke(client, "chat_completion", MESSAGES, stream=True)
        with pytest.raises(InfermuxError) as raised:
            await collect(stream)
        errors.append(raised.value)
    # Connection refused, after the retries.
    register_openai_compatible(
        "gone",
        base_url=f"http://127.0.0.1:{free_port()}/v1",
        api_key_env="RELAY_KEY",
        registry=registry,
    )
    async with client_for(kind, registry, servers, provider="gone", model="m") as client:
        with pytest.raises(InfermuxError) as raised:
            await invoke(client, "chat_completion", MESSAGES)
        errors.append(raised.value)
    route = choose_route(registry.get("plain", "conversational").helper, api_key=None)
    texts += [repr(route), str(route), repr(route.credential)]
    assert len(errors) == 6
    for exc in errors:
        assert_hidden(exception_texts(exc), f"{type(exc).__name__}")
    for text in texts:
        assert_hidden(text, "a repr")
    assert all_logs.records  # httpx2 and httpcore2 did log, at DEBUG
    assert_hidden(logged_text(all_logs), "the logs")


def test_an_effect_repr_never_shows_the_key():
    request = HTTPRequest("POST", "https://api.example.com/v1/chat/completions")
    effect = Send(request, {"Authorization": f"Bearer {PROVIDER_KEY}"}, 5.0, False)
    assert_hidden(repr(effect), "Send")
    assert_hidden(str(effect), "Send")


# -- the CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def gateway(tmp_path, servers, monkeypatch) -> LocalServer:
    """A config-file provider on the local server; its key in a variable the CLI cannot
    guess is a key (so only the core's own redaction stands between it and the output)."""
    (tmp_path / "infermux.toml").write_text(
        f'[providers.gateway]\nbase_url = "{servers["provider"].url}/v1"\n'
        'api_key_env = "GATEWAY_CREDENTIAL"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("GATEWAY_CREDENTIAL", PROVIDER_KEY)
    monkeypatch.setenv("HF_TOKEN", HF_TOKEN)
    return servers["provider"]


def echoing(seen: Seen) -> Reply:
    """A server echoing every header it got, in its error body."""
    return Reply(401, json={"error": {"message": f"bad credentials: {seen.headers}"}})


@pytest.mark.parametrize("verbosity", [[], ["-v"], ["-vv"]])
def test_cli_output_never_shows_a_key(gateway, capsys, verbosity):
    from infermux.cli import main

    gateway.responder = echoing
    code = main([*verbosity, "chat", "m", "--provider", "gateway", "Hello"])
    out = capsys.readouterr()
    assert code == 1
    assert "bad credentials" in out.err
    assert "<redacted>" in out.err
    assert_hidden(out.out + out.err, "the CLI")
    assert gateway.requests[0].headers["authorization"] == f"Bearer {PROVIDER_KEY}"


def test_cli_stream_error_and_success_never_show_a_key(gateway, capsys):
    from infermux.cli import main

    failure = {"error": {"message": f"key {PROVIDER_KEY} was revoked mid-stream"}}
    gateway.queue(
        Reply(chunks=[chunk("Hel"), chunk("lo"), b"data: [DONE]\n\n"]),
        Reply(chunks=[chunk("Hel"), f"data: {json.dumps(failure)}\n\n".encode()]),
    )
    assert main(["-vv", "chat", "m", "--provider", "gateway", "Hello"]) == 0
    assert main(["-vv", "chat", "m", "--provider", "gateway", "Hello"]) == 1
    out = capsys.readouterr()
    assert "Hello" in out.out
    assert "revoked mid-stream" in out.err
    assert "DEBUG httpcore2" in out.err  # the -vv logs were on
    assert_hidden(out.out + out.err, "the CLI")


# -- cassettes -----------------------------------------------------------------------------------


class OddHeaderChat(TaskProviderHelper):
    """A third party's provider sending its key in a header no list of names foresees."""

    provider = "odd"
    task = "text-generation"
    api_key_env = ("RELAY_KEY",)
    auth = AuthScheme("X-Goog-Api-Key")
    routable = False
    needs_model_mapping = False

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def prepare_route(self, call: Call) -> str:
        return "/generate"

    def prepare_payload(self, call: Call) -> Payload:
        return {"prompt": call.inputs}

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import TextGenerationOutput

        return TextGenerationOutput(generated_text=self.json_object(response)["text"])


def test_a_recorded_cassette_never_holds_a_key(tmp_path, registry, servers, monkeypatch):
    """Recording (vcrpy, through ``infermux.testing.cassette``) drops the key from the
    request whatever header carries it, and from anything the server echoed back."""
    from infermux import InferenceClient
    from infermux.testing import cassette

    monkeypatch.setenv("RELAY_KEY", PROVIDER_KEY)
    provider = servers["provider"]
    registry.add(Registration(OddHeaderChat(provider.url), "odd-plugin"))
    provider.queue(
        Reply(401, json={"error": {"message": f"Invalid API key {PROVIDER_KEY}"}}),
        Reply(
            200,
            json={"text": "fine", "echo": f"key was {PROVIDER_KEY}"},
            headers={"x-debug-auth": f"Bearer {PROVIDER_KEY}"},
        ),
    )
    tape = tmp_path / "recorded.yaml"
    plain = InferenceClient(provider="plain", model="m", registry=registry, max_retries=0)
    with cassette(tape, record_mode="all"):
        with plain, pytest.raises(InfermuxError):
            plain.chat_completion(MESSAGES)
        with InferenceClient(provider="odd", model="m", registry=registry) as c:
            assert c.text_generation("Hello").generated_text == "fine"
    assert provider.requests[1].headers["x-goog-api-key"] == PROVIDER_KEY  # it was sent
    recorded = tape.read_text(encoding="utf-8")
    assert "Invalid API key" in recorded
    assert_hidden(recorded, "the cassette")
    # The scrubbed cassette still replays.
    with cassette(tape), InferenceClient(provider="odd", model="m", registry=registry) as c:
        assert c.text_generation("Hello").generated_text == "fine"
