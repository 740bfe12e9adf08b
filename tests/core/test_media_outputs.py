"""Generated media as a task output (``infermux.helpers.media_outputs``): data URLs and
base64 decoded in place, http(s) URLs downloaded without any key and under the client's
size caps (sync and async, against the scripted local server)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from infermux.errors import ResponseFormatError, ResponseTooLargeError
from infermux.helpers.base import Call, FollowUp, Response, TaskProviderHelper
from infermux.helpers.media_outputs import decode_data_url, media_from_base64, media_output
from infermux.media import AudioOutput, ImageOutput, VideoOutput
from infermux.registry.store import ProviderRegistry, Registration
from tests.core.both_clients import invoke, open_client
from tests.core.conftest import LOCAL_KEY
from tests.core.localserver import LocalServer, Reply

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$", r"localhost$"])

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 16


def _response(content: bytes, content_type: str, url: str = "https://cdn.example/x") -> Response:
    return Response(200, {"content-type": content_type}, content, url)


# -- sans-I/O ------------------------------------------------------------------------------


def test_a_data_url_is_decoded_now_with_the_type_from_the_bytes():
    url = "data:image/jpeg;base64," + base64.b64encode(PNG).decode()
    image = media_output(url, ImageOutput, provider="acme", task="text-to-image")
    assert isinstance(image, ImageOutput)
    assert image.content == PNG
    assert image.content_type == "image/png"  # the bytes win over the declared jpeg
    assert image.url is None
    assert image.provider == "acme"


def test_a_data_url_of_unknown_bytes_keeps_its_declared_type():
    content, declared = decode_data_url("data:audio/x-custom;base64,AAEC")
    assert (content, declared) == (b"\x00\x01\x02", "audio/x-custom")
    audio = media_output("data:audio/x-custom;base64,AAEC", AudioOutput, provider="acme")
    assert audio.content_type == "audio/x-custom"


def test_a_percent_encoded_data_url():
    assert decode_data_url("data:text/plain,a%20b") == (b"a b", "text/plain")


def test_a_remote_url_becomes_a_download_that_carries_no_key():
    follow_up = media_output("https://cdn.example/v.mp4", VideoOutput, provider="acme")
    assert isinstance(follow_up, FollowUp)
    assert follow_up.request.method == "GET"
    assert follow_up.request.url == "https://cdn.example/v.mp4"
    assert follow_up.request.authenticate is False
    assert follow_up.request.headers == {}
    video = follow_up.then(_response(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 8, "video/mp4"))
    assert isinstance(video, VideoOutput)
    assert (video.content_type, video.url) == ("video/mp4", "https://cdn.example/v.mp4")


def test_the_declared_type_is_used_when_the_download_says_octet_stream():
    follow_up = media_output(
        "https://cdn.example/a", AudioOutput, provider="acme", declared="audio/x-custom"
    )
    audio = follow_up.then(_response(b"\x01\x02", "application/octet-stream"))
    assert audio.content_type == "audio/x-custom"


def test_convert_post_processes_the_output():
    follow_up = media_output("https://cdn.example/i", ImageOutput, provider="acme", convert=list_of)
    assert follow_up.then(_response(PNG, "image/png"))[0].content == PNG


def list_of(output: Any) -> list[Any]:
    return [output]


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://cdn.example/x.png", "/relative/x.png", "cdn.example/x.png"],
    ids=["file", "ftp", "path", "bare-host"],
)
def test_anything_but_http_or_data_is_refused_not_fetched(url):
    with pytest.raises(ResponseFormatError, match="not an http\\(s\\) URL") as raised:
        media_output(url, ImageOutput, provider="acme", task="text-to-image")
    assert raised.value.provider == "acme"
    assert raised.value.task == "text-to-image"


def test_invalid_base64_and_empty_media_are_format_errors():
    with pytest.raises(ResponseFormatError, match="acme text-to-image: data URL that is not valid"):
        media_output(
            "data:image/png;base64,abcde", ImageOutput, provider="acme", task="text-to-image"
        )
    with pytest.raises(ResponseFormatError, match="empty ImageOutput"):
        media_output("data:image/png;base64,", ImageOutput, provider="acme")
    follow_up = media_output("https://cdn.example/e.png", ImageOutput, provider="acme")
    with pytest.raises(ResponseFormatError, match=r"empty ImageOutput from https://cdn\.example"):
        follow_up.then(_response(b"", "image/png"))


def test_base64_media_strict_and_lenient():
    encoded = base64.b64encode(WAV).decode()
    audio = media_from_base64(encoded, AudioOutput, provider="acme")
    assert (audio.content, audio.content_type) == (WAV, "audio/wav")
    # Lenient by default (as b64decode is): characters outside the alphabet are skipped.
    assert media_from_base64(encoded[:8] + "\n" + encoded[8:], AudioOutput, provider="a").content
    with pytest.raises(ResponseFormatError, match="media that is not valid base64"):
        media_from_base64(encoded[:8] + "*" + encoded[8:], AudioOutput, provider="a", strict=True)
    with pytest.raises(ResponseFormatError, match="not a string"):
        media_from_base64(None, AudioOutput, provider="a")  # type: ignore[arg-type]


def test_the_helper_methods_default_to_the_output_type():
    class Painter(TaskProviderHelper):
        provider = "painter"
        task = "text-to-image"
        output_type = ImageOutput

    image = Painter().media_from_base64(base64.b64encode(PNG).decode())
    assert isinstance(image, ImageOutput)
    assert image.provider == "painter"
    assert isinstance(Painter().media_output("https://cdn.example/1.png"), FollowUp)

    class Lister(Painter):
        output_type = list

    with pytest.raises(TypeError, match="not a MediaOutput class"):
        Lister().media_output("https://cdn.example/1.png")


# -- through the client, against a local server ----------------------------------------------


class MediaURLHelper(TaskProviderHelper):
    """Answers ``{"url": ...}``: the URL of the generated image, fetched by media_output."""

    provider = "media-url"
    task = "text-to-image"
    api_key_env = ("LOCAL_KEY",)
    routable = False
    needs_model_mapping = False
    output_type = ImageOutput

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def prepare_route(self, call: Call) -> str:
        return "/generate"

    def prepare_payload(self, call: Call) -> dict[str, Any]:
        return {"prompt": call.inputs}

    def parse_response(self, response: Response, call: Call) -> Any:
        return self.media_output(self.json_object(response)["url"])


@pytest.fixture
def client_for(kind: str, local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("LOCAL_KEY", LOCAL_KEY)
    registry = ProviderRegistry()
    registry.add(Registration(MediaURLHelper(local_server.url), "test"))

    def make(**options: Any) -> Any:
        return open_client(
            kind, provider="media-url", model="painter", registry=registry, timeout=5.0, **options
        )

    return make


async def test_a_download_on_another_host_gets_no_key(client_for, local_server):
    media = f"http://localhost:{local_server.port}/files/out.png"
    local_server.queue(
        Reply(200, json={"url": media}),
        Reply(200, body=PNG, headers={"content-type": "image/png"}),
    )
    async with client_for() as client:
        image = await invoke(client, "text_to_image", "a lighthouse")
    assert (image.content, image.url) == (PNG, media)
    generate, download = local_server.requests
    assert generate.headers["authorization"] == f"Bearer {LOCAL_KEY}"
    assert download.path == "/files/out.png"
    assert "authorization" not in download.headers
    assert LOCAL_KEY not in repr(download.headers)


async def test_a_download_on_the_providers_own_host_gets_no_key_either(client_for, local_server):
    local_server.queue(
        Reply(200, json={"url": f"{local_server.url}/files/out.png"}),
        Reply(302, headers={"location": f"http://localhost:{local_server.port}/signed/1.png"}),
        Reply(200, body=PNG, headers={"content-type": "application/octet-stream"}),
    )
    async with client_for() as client:
        image = await invoke(client, "text_to_image", "a lighthouse")
    assert image.content_type == "image/png"
    _, first, redirected = local_server.requests
    assert (first.path, redirected.path) == ("/files/out.png", "/signed/1.png")
    assert "authorization" not in first.headers
    assert "authorization" not in redirected.headers


async def test_a_download_over_max_media_bytes_stops_at_the_cap(client_for, local_server):
    local_server.queue(
        Reply(200, json={"url": f"{local_server.url}/files/huge.png"}),
        Reply(200, body=PNG + b"\x00" * 5000, headers={"content-type": "image/png"}),
    )
    async with client_for(max_media_bytes=1000) as client:
        with pytest.raises(ResponseTooLargeError, match="max_media_bytes=1,000") as raised:
            await invoke(client, "text_to_image", "a lighthouse")
    assert raised.value.limit == 1000
    assert [seen.path for seen in local_server.requests] == ["/generate", "/files/huge.png"]


async def test_a_download_that_is_not_media_is_capped_by_max_response_bytes(
    client_for, local_server
):
    # A CDN answering text/html is read under the body cap, not the (larger) media cap.
    local_server.queue(
        Reply(200, json={"url": f"{local_server.url}/files/page"}),
        Reply(200, body=b"<html>" + b"x" * 5000, headers={"content-type": "text/html"}),
    )
    async with client_for(max_response_bytes=2000, max_media_bytes=10**6) as client:
        with pytest.raises(ResponseTooLargeError, match="max_response_bytes=2,000"):
            await invoke(client, "text_to_image", "a lighthouse")


async def test_a_data_url_answer_needs_no_second_request(client_for, local_server):
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    local_server.queue(Reply(200, json={"url": data_url}))
    async with client_for() as client:
        image = await invoke(client, "text_to_image", "a lighthouse")
    assert image.content == PNG
    assert [seen.path for seen in local_server.requests] == ["/generate"]
