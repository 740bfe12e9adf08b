"""The conformance suite (``infermux.testing.conformance``) on the first-party plugins, each
of its checks shown to catch what it is for, a broken plugin shown to fail it under pytest,
and the plugin-author guide's examples run (network blocked).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import textwrap
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from infermux import AudioOutput, ImageOutput
from infermux.errors import InvalidInputError, ResponseFormatError
from infermux.helpers.base import (
    AuthScheme,
    Call,
    FollowUp,
    HTTPRequest,
    Response,
    TaskProviderHelper,
)
from infermux.helpers.openai import OpenAIChatHelper, OpenAIEmbeddingsHelper, OpenAIImageHelper
from infermux.testing import cassette
from infermux.testing.conformance import (
    SENTINEL_KEY,
    ProviderConformance,
    cassette_problems,
    check_helper,
    core_dependency_problems,
    distribution_helpers,
    error_message_problems,
    garbage_problems,
    identity_problems,
    key_host_problems,
    output_type_problems,
    paid_request_problems,
    request_problems,
    response_problems,
    sandbox,
    stream_event_garbage_problems,
    stream_flag_problems,
)
from infermux.testing.samples import (
    Sample,
    binary_response,
    garbage_responses,
    json_response,
    sample_calls,
)
from tests.conftest import CASSETTES, FAKE_HF_TOKEN, ROOT
from tests.docs_blocks import code_blocks

pytest_plugins = ["pytester"]

# The suites below run in-process under pytester, which removes every module first imported
# during a run when the run ends. PyYAML's C parser cannot be imported twice: a yaml
# re-imported after such a run builds nodes of the old classes, and every later cassette
# fails with "could not determine a constructor for the tag None". Import it before any
# pytester snapshot is taken.
import vcr.serializers.yamlserializer  # noqa: E402, F401

# -- the first-party plugins ----------------------------------------------------------------


def _video_job(job_id: str, status: str, **extra: Any) -> Response:
    return json_response({"id": job_id, "status": status, **extra})


_TOGETHER_VIDEO_JOBS = [
    Sample("together_job_queued", _video_job("job-1", "queued")),
    Sample(
        "together_job_completed",
        _video_job(
            "job-1", "completed", outputs={"video_url": "https://cdn.together.invalid/v.mp4"}
        ),
    ),
]


class TestTogetherConformance(ProviderConformance):
    distribution = "infermux-together"
    cassette_dir = "cassettes/together"
    # Together's videos are jobs (POST /v2/videos answers {"id", "status"}).
    sample_responses = {
        "together/text-to-video": _TOGETHER_VIDEO_JOBS,
        "together/image-to-video": _TOGETHER_VIDEO_JOBS,
    }


class TestHFInferenceConformance(ProviderConformance):
    distribution = "infermux-hf-inference"
    cassette_dir = "cassettes/hf-inference"


# -- bugs the suite found, pinned where they lived ----------------------------------------------


def _call(helper: TaskProviderHelper) -> Call:
    return sample_calls(helper, "direct")[0]


def test_openai_chat_helper_rejects_a_body_without_choices():
    """`{}` validated as ChatCompletionOutput(choices=None): users hit TypeError later."""

    class Chat(OpenAIChatHelper):
        provider = "acme"
        base_url = "https://api.acme.example"

    helper = Chat()
    with pytest.raises(ResponseFormatError):
        helper.parse_response(json_response({}), _call(helper))


def test_hf_inference_text_to_image_rejects_an_html_page():
    """A proxy's 2xx error page came back as ImageOutput(content_type="text/html")."""
    from infermux_hf_inference import HFInferenceTextToImage

    helper = HFInferenceTextToImage()
    page = binary_response(b"<!DOCTYPE html><html>502 Bad Gateway</html>", "text/html")
    with pytest.raises(ResponseFormatError):
        helper.parse_response(page, _call(helper))


# -- each check catches what it is for ---------------------------------------------------------


class Embeddings(OpenAIEmbeddingsHelper):
    """A conformant helper; the broken ones below change one thing each."""

    provider = "acme"
    base_url = "https://api.acme.example"
    api_key_env = ("ACME_API_KEY",)


class Chat(OpenAIChatHelper):
    """A conformant streaming helper."""

    provider = "acme"
    base_url = "https://api.acme.example"
    api_key_env = ("ACME_API_KEY",)


def test_conformant_helpers_have_no_problems():
    assert check_helper(Embeddings()) == []
    assert check_helper(Chat()) == []


def test_check_helper_agrees_with_the_pytest_suite():
    for helper in distribution_helpers("infermux-together"):
        assert check_helper(helper, responses=_TOGETHER_VIDEO_JOBS) == []


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"provider": "Acme AI"}, "invalid provider id"),
        ({"task": "chat"}, "unknown task 'chat'"),
        ({"base_url": "api.acme.example"}, "base_url must be an http(s) URL"),
        ({"api_key_env": "ACME_API_KEY"}, "api_key_env must be a tuple"),
        ({"auth": AuthScheme("X Key")}, "not a valid header name"),
        ({"auth": "Bearer"}, "auth must be an AuthScheme"),
        ({"supported_parameters": ["dimensions"]}, "supported_parameters must be None"),
        ({"routable": "yes"}, "routable must be a bool"),
        ({"key_url": "acme.example/keys"}, "key_url must be None or an http(s) URL"),
        ({"model_aliases": {"small": None}}, "model_aliases must map names to model ids"),
        ({"default_requests_per_minute": 0}, "default_requests_per_minute must be None or > 0"),
    ],
    ids=lambda value: value if isinstance(value, str) else next(iter(value)),
)
def test_identity_problems(attributes, expected):
    helper = type("Broken", (Embeddings,), attributes)()
    assert any(expected in p for p in identity_problems(helper)), identity_problems(helper)


def test_streaming_without_parse_stream_event_is_an_identity_problem():
    class Streams(TaskProviderHelper):
        provider = "acme"
        task = "text-generation"
        base_url = "https://api.acme.example"
        supports_streaming = True

    assert identity_problems(Streams()) == [
        "supports_streaming is True but parse_stream_event is not implemented"
    ]


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        (("queue.acme.example", "jobs.acme.example:8443"), None),
        ((".acme.example",), None),
        ((".example",), "is not a host name"),
        ((".huggingface.co",), "must never be sent to Hugging Face"),
        (("https://queue.acme.example/v1",), "is not a host name"),
        (("queue.acme.example/v1",), "is not a host name"),
        (("router.huggingface.co",), "must never be sent to Hugging Face"),
        ("queue.acme.example", "must be a tuple of host names"),
    ],
)
def test_key_host_problems(hosts, expected):
    problems = key_host_problems(type("Hosts", (Embeddings,), {"key_hosts": hosts})())
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


def test_output_type_problems():
    assert output_type_problems(type("NoType", (Embeddings,), {"output_type": None})()) == [
        "output_type is not declared: set it to the class parse_response returns"
    ]
    wrong = type("Wrong", (Chat,), {"output_type": dict})()
    assert "the client returns ChatCompletionOutput" in output_type_problems(wrong)[0]
    assert output_type_problems(Chat()) == []


class _Request(Embeddings):
    """Overrides to break prepare_request in one way per test case."""


def _leaky_header(self, call):
    return {"Authorization": "Bearer " + "sk-" + "a1" * 16}


def _key_in_header(self, call):
    return {"X-Trace": "sk-" + "b2" * 16}


def _reads_key(self, call):
    return {"input": call.inputs, "model": os.environ.get("ACME_API_KEY", "")}


def _connects(self, call):
    # A helper hiding its I/O behind a broad except is still caught.
    with contextlib.suppress(Exception):
        socket.create_connection(("api.acme.example", 443))
    return {"input": call.inputs}


def _sleeps(self, call):
    time.sleep(0.01)
    return {}


def _ignores_base_url(self, call):
    return "https://api.acme.example/v1/embeddings"


def _bytes_payload(self, call):
    return {"input": b"raw bytes"}


def _mutates(self, call):
    if isinstance(call.inputs, list):
        call.inputs.append("extra")
    return {"input": call.inputs}


def _lowercase_method(self, call):
    return HTTPRequest("post", self.prepare_url(call), payload={"input": call.inputs})


def _non_str_header(self, call):
    return {"X-Retries": 3}


def _crashes(self, call):
    return {"input": call.parameters["dimensions"]}


@pytest.mark.parametrize(
    ("override", "routing", "expected"),
    [
        ({"prepare_headers": _leaky_header}, "direct", "sets the auth header 'Authorization'"),
        ({"prepare_headers": _key_in_header}, "direct", "holds what looks like a OpenAI-style key"),
        ({"prepare_payload": _reads_key}, "direct", "holds the value of a key variable"),
        ({"prepare_payload": _connects}, "direct", "attempted I/O (socket.create_connection)"),
        ({"prepare_headers": _sleeps}, "direct", "attempted I/O (time.sleep)"),
        ({"prepare_url": _ignores_base_url}, "router", "does not start with the call's base_url"),
        ({"prepare_payload": _bytes_payload}, "direct", "payload is not JSON-serialisable"),
        ({"prepare_payload": _mutates}, "direct", "mutated the call's inputs"),
        ({"prepare_request": _lowercase_method}, "direct", "is not an upper-case HTTP method"),
        ({"prepare_headers": _non_str_header}, "direct", "is not str -> str"),
        ({"prepare_payload": _crashes}, "direct", "raised KeyError: 'dimensions'"),
    ],
    ids=lambda value: (
        next(iter(value.values())).__name__.strip("_") if isinstance(value, dict) else str(value)
    ),
)
def test_request_problems(override, routing, expected):
    helper = type("Broken", (_Request,), override)()
    problems = request_problems(helper, routing)
    assert any(expected in p for p in problems), problems


def test_request_problems_name_the_helper_file_and_line():
    helper = type("Broken", (_Request,), {"prepare_payload": _crashes})()
    assert re.search(r"\(at test_conformance\.py:\d+\)", request_problems(helper)[0])


def test_a_helper_may_refuse_some_inputs_but_not_all():
    def no_batches(self, call):
        if isinstance(call.inputs, list):
            raise InvalidInputError("acme embeds one text at a time")
        return {"input": call.inputs, "model": call.model.provider_model_id}

    def nothing(self, call):
        raise InvalidInputError("never")

    assert request_problems(type("One", (Embeddings,), {"prepare_payload": no_batches})()) == []
    refuses = request_problems(type("None_", (Embeddings,), {"prepare_payload": nothing})())
    assert refuses == [
        "prepare_request refused every representative 'feature-extraction' call with "
        "InvalidInputError"
    ]


def test_a_queue_host_in_key_hosts_is_a_valid_direct_url():
    class Queued(Embeddings):
        key_hosts = ("queue.acme.example",)

        def prepare_url(self, call):
            if call.base_url == self.base_url:  # direct, default base URL: the queue host
                return "https://queue.acme.example/v1/embeddings"
            return super().prepare_url(call)

    assert request_problems(Queued(), "direct") == []
    assert request_problems(Queued(), "router") == []
    domain = type("Domain", (Queued,), {"key_hosts": (".acme.example",)})()
    assert request_problems(domain, "direct") == []
    elsewhere = type("Elsewhere", (Queued,), {"key_hosts": ()})()
    assert "does not start with" in request_problems(elsewhere, "direct")[0]


def test_stream_flag_problems():
    def never_streams(self, call):
        return HTTPRequest("POST", self.prepare_url(call), payload=self.prepare_payload(call))

    broken = type("Broken", (Chat,), {"prepare_request": never_streams})()
    assert stream_flag_problems(Chat()) == []
    assert stream_flag_problems(broken) == [
        "prepare_request(direct call with a list of 2 inputs, stream): request.stream is "
        "False for call.stream=True"
    ]


def test_response_problems():
    def returns_dict(self, response, call):
        return response.json()

    def crashes(self, response, call):
        return response.json()["result"]

    def rejects_all(self, response, call):
        raise ResponseFormatError("never")

    dict_problems = response_problems(type("A", (Chat,), {"parse_response": returns_dict})())
    assert dict_problems == [
        "parse_response(openai_chat): returned dict, not ChatCompletionOutput (output_type)"
    ]
    crash = response_problems(type("B", (Chat,), {"parse_response": crashes})())
    assert crash[0].startswith("parse_response(openai_chat) raised KeyError: 'result'")
    assert (
        "accepted none of the representative"
        in response_problems(type("C", (Chat,), {"parse_response": rejects_all})())[0]
    )


def test_follow_ups_never_send_the_key_to_a_foreign_host():
    class LeakyDownload(OpenAIImageHelper):
        provider = "acme"
        base_url = "https://api.acme.example"

        def parse_response(self, response, call):
            url = "https://cdn.elsewhere.example/out.png"
            return FollowUp(HTTPRequest("GET", url), lambda r: ImageOutput(r.content, "image/png"))

    problems = response_problems(LeakyDownload())
    assert problems
    assert all("authenticate=True for host 'cdn.elsewhere.example'" in p for p in problems)
    for hosts in [("cdn.elsewhere.example",), (".elsewhere.example",)]:
        keyed = type("Keyed", (LeakyDownload,), {"key_hosts": hosts})()
        assert response_problems(keyed) == [], hosts
    other_domain = type("Other", (LeakyDownload,), {"key_hosts": (".other.example",)})()
    assert response_problems(other_domain) == problems


def test_follow_up_then_must_not_crash():
    class Poller(OpenAIImageHelper):
        provider = "acme"
        base_url = "https://api.acme.example"
        creates_job = True

        def parse_response(self, response, call):
            poll = HTTPRequest("GET", f"{call.base_url}/jobs/1")
            return FollowUp(poll, lambda r: r.json()["status"], poll=True)

    problems = response_problems(Poller())
    assert problems
    assert all("-> then(" in p and "raised" in p for p in problems), problems


def test_a_job_api_must_declare_that_it_creates_jobs():
    """Issue 14: a helper whose first answer is a job to poll declares creates_job, so the
    core never resends the paid request after a timeout or a 5xx."""

    class Undeclared(OpenAIImageHelper):
        provider = "acme"
        base_url = "https://api.acme.example"

        def parse_response(self, response, call):
            poll = HTTPRequest("GET", f"{call.base_url}/jobs/1")
            return FollowUp(poll, lambda r: self.parse_result(r), poll=True)

        def parse_result(self, response):
            return super().parse_response(response, None)

    problems = response_problems(Undeclared())
    assert any("does not declare creates_job = True" in p for p in problems), problems
    Undeclared.creates_job = True
    assert not any("creates_job" in p for p in response_problems(Undeclared()))


class _Speech(TaskProviderHelper):
    """A synchronous text-to-speech API that answers with the audio."""

    provider = "acme"
    task = "text-to-speech"
    base_url = "https://api.acme.example"
    output_type = AudioOutput

    def prepare_route(self, call: Call) -> str:
        return "/v1/speech"

    def prepare_payload(self, call: Call) -> Any:
        return {"text": call.inputs}

    def parse_response(self, response: Response, call: Call) -> Any:
        return AudioOutput(response.content, content_type="audio/wav")


def test_a_generation_helper_must_say_whether_each_call_is_paid():
    """A blocking generation bills per call: the helper declares paid_per_call (or says
    explicitly that a resend costs nothing), else the core would resend it after a 5xx."""
    (problem,) = paid_request_problems(_Speech())
    assert "neither paid_per_call nor creates_job" in problem
    assert "Set paid_per_call = True" in problem
    assert f"test_paid_requests_are_sent_once: {problem}" in check_helper(_Speech())
    paid = type("Paid", (_Speech,), {"paid_per_call": True})()
    assert paid_request_problems(paid) == []
    assert paid.prepare_request(sample_calls(paid, "direct")[0]).paid_per_call is True
    hourly = type("Hourly", (_Speech,), {"paid_per_call": False})()  # a considered choice
    assert paid_request_problems(hourly) == []
    keyed = type("Keyed", (_Speech,), {"idempotency_header": "Idempotency-Key"})()
    assert paid_request_problems(keyed) == []
    chat = type("Chat", (OpenAIChatHelper,), {"provider": "acme"})()
    assert paid_request_problems(chat) == []  # per-token: retried, nothing to declare


def test_a_declared_paid_flag_must_reach_the_request():
    """A prepare_request override that drops the flag would let the core resend the call."""

    class Dropped(_Speech):
        paid_per_call = True

        def prepare_request(self, call: Call) -> HTTPRequest:
            return HTTPRequest("POST", self.prepare_url(call), payload={"text": call.inputs})

    (problem,) = paid_request_problems(Dropped())
    assert "declares paid_per_call = True but its first request does not carry it" in problem
    assert "paid_per_call=self.paid_per_call" in problem
    job = type("Job", (Dropped,), {"creates_job": True, "paid_per_call": False})()
    (problem,) = paid_request_problems(job)
    assert "declares creates_job = True" in problem


def test_paid_flags_must_be_bools():
    odd = type("Odd", (_Speech,), {"paid_per_call": "yes"})()
    assert "paid_per_call must be a bool, got 'yes'" in identity_problems(odd)


def test_garbage_problems():
    def crashes(self, response, call):
        return response.json()["data"][0]

    def accepts_anything(self, response, call):
        return [] if response.content == b"null" else self.json_object(response)

    garbage = {sample.name: sample for sample in garbage_responses()}
    crash = garbage_problems(
        type("A", (Embeddings,), {"parse_response": crashes})(), garbage["empty_object"]
    )
    assert crash[0].startswith("parse_response(empty_object: b'{}') raised KeyError: 'data'")
    lenient = type("B", (Embeddings,), {"parse_response": accepts_anything})()
    assert (
        "returned [] for a body that is no 'feature-extraction' output"
        in garbage_problems(lenient, garbage["null"])[0]
    )
    # `[]` may be an empty answer of a list-typed output.
    assert (
        garbage_problems(
            type("C", (Embeddings,), {"parse_response": lambda s, r, c: []})(),
            garbage["empty_list"],
        )
        == []
    )


def test_error_message_problems():
    def crashes(self, body):
        return body["error"]["message"]

    def returns_dict(self, body):
        return body.get("error") if isinstance(body, dict) else None

    assert error_message_problems(Chat()) == []
    crash = error_message_problems(type("A", (Chat,), {"error_message": crashes})())
    assert crash[0].startswith("error_message(None) raised TypeError")
    odd = error_message_problems(type("B", (Chat,), {"error_message": returns_dict})())
    assert odd == [
        "error_message({'error': {'message': 42}}): returned dict, not str or None",
        "error_message({'error': ['a', {'msg': 'b'}]}): returned list, not str or None",
    ]


def test_stream_event_garbage_problems():
    def crashes(self, event, call):
        return json.loads(event.data)["choices"][0]

    broken = type("Broken", (Chat,), {"parse_stream_event": crashes})()
    assert stream_event_garbage_problems(Chat(), "not_json", "<html>") == []
    assert stream_event_garbage_problems(broken, "not_json", "<html>")[0].startswith(
        "parse_stream_event(not_json: '<html>') raised JSONDecodeError"
    )
    assert stream_event_garbage_problems(broken, "empty_object", "{}")[0].startswith(
        "parse_stream_event(empty_object: '{}') raised KeyError"
    )


def test_sandbox_restores_everything(monkeypatch):
    monkeypatch.setenv("ACME_API_KEY", "real")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    originals = (socket.socket.connect, socket.create_connection, socket.getaddrinfo, time.sleep)
    with sandbox(Embeddings()) as attempts:
        assert os.environ["ACME_API_KEY"] == SENTINEL_KEY
        assert os.environ["HF_TOKEN"] == SENTINEL_KEY
        with pytest.raises(RuntimeError, match="helpers do no I/O"):
            socket.getaddrinfo("example.com", 443)
    assert attempts.io == ["socket.getaddrinfo"]
    assert (
        socket.socket.connect,
        socket.create_connection,
        socket.getaddrinfo,
        time.sleep,
    ) == originals
    assert os.environ["ACME_API_KEY"] == "real"
    assert "HF_TOKEN" not in os.environ


def _write_cassette(path: Path, request_headers: dict[str, Any], body: str = "ok") -> Path:
    interaction = {
        "request": {
            "method": "POST",
            "uri": "https://api.acme.example/v1",
            "body": None,
            "headers": request_headers,
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {},
            "body": {"string": body},
        },
    }
    path.write_text(json.dumps({"version": 1, "interactions": [interaction]}))  # JSON is YAML
    return path


def test_cassette_problems(tmp_path):
    token = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    clean = _write_cassette(tmp_path / "clean.yaml", {"content-type": ["application/json"]})
    leaky = _write_cassette(tmp_path / "leaky.yaml", {"Authorization": ["Bearer x"]}, body=token)
    commented = tmp_path / "commented.yaml"
    commented.write_text(f"# recorded with {token}\n" + clean.read_text())
    assert cassette_problems(clean) == []
    assert cassette_problems(leaky) == [
        "interaction 0: request header 'Authorization'",
        "Hugging Face token: hf_AbC...",
    ]
    assert cassette_problems(commented) == ["Hugging Face token: hf_AbC..."]


def test_core_dependency_problems():
    assert core_dependency_problems("infermux-together") == []
    assert core_dependency_problems("x", ["infermux<0.2,>=0.1"]) == []
    assert core_dependency_problems("x", ["infermux~=0.1.0"]) == []
    assert "without an upper bound" in core_dependency_problems("x", ["infermux>=0.1"])[0]
    assert "without a lower bound" in core_dependency_problems("x", ["infermux<0.2"])[0]
    assert "does not require infermux" in core_dependency_problems("x", ["httpx2>=2"])[0]
    extra_only = ["infermux<0.2,>=0.1; extra == 'dev'"]
    assert "does not require infermux" in core_dependency_problems("x", extra_only)[0]
    assert core_dependency_problems("no-such-distribution-here") == [
        "distribution 'no-such-distribution-here' is not installed"
    ]


# -- the suite under pytest: a broken plugin fails it -------------------------------------------

_BROKEN_PLUGIN = """
import json

from infermux.helpers.openai import OpenAIChatHelper
from infermux.testing.conformance import ProviderConformance


class LeakyChat(OpenAIChatHelper):
    provider = "broken"
    base_url = "https://api.broken.example"

    def prepare_headers(self, call):
        return {"Authorization": "Bearer " + "sk-" + "a1" * 16}

    def parse_response(self, response, call):
        return json.loads(response.content)["choices"][0]


class TestBrokenConformance(ProviderConformance):
    helpers = [LeakyChat()]
"""


@pytest.fixture
def run_suite(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")

    def run(source: str, *args: str) -> pytest.RunResult:
        pytester.makepyfile(test_plugin=textwrap.dedent(source))
        return pytester.runpytest(
            "-p", "no:cacheprovider", "-p", "infermux.testing.pytest_plugin", "-rA", *args
        )

    return run


def test_a_broken_helper_fails_the_suite(run_suite):
    result = run_suite(_BROKEN_PLUGIN)
    failed = {
        "test_builds_request[broken/conversational-direct]",
        "test_builds_request[broken/conversational-router]",
        "test_parses_representative_response[broken/conversational]",
        *(f"test_rejects_garbage[broken/conversational-{s.name}]" for s in garbage_responses()),
    }
    # The two stream checks do not apply (the helper does not stream): deselected, not skipped.
    result.assert_outcomes(failed=len(failed), passed=14, deselected=2)
    reported = set(
        re.findall(
            r"^FAILED test_plugin.py::TestBrokenConformance::(\S+)", result.stdout.str(), re.M
        )
    )
    assert reported == failed
    assert _outcomes(result)["test_identity[broken/conversational]"] == "PASSED"
    # One at a time: the two failures are reported in whatever order the tests ran.
    result.stdout.fnmatch_lines(["*sets the auth header 'Authorization' itself*"])
    result.stdout.fnmatch_lines(["*raised KeyError: 'choices' (at test_plugin.py:*"])


def _outcomes(result: pytest.RunResult) -> dict[str, str]:
    """Test name -> outcome, from the ``-rA`` short summary."""
    lines = re.findall(
        r"^(PASSED|FAILED|XFAIL|SKIPPED|ERROR) \S+::(\S+)", result.stdout.str(), re.M
    )
    return {name: outcome for outcome, name in lines}


def test_known_failures_are_strict_expected_failures(run_suite):
    known = """
    known_failures = {
        "test_builds_request[broken/conversational-direct]": "tracked in #1",
        "test_identity[broken/conversational]": "passes: strict xfail fails",
        "test_no_such_check[broken/conversational]": "a stale entry",
    }
"""
    source = _BROKEN_PLUGIN.replace("TestBrokenConformance", "TestKnown") + known
    outcomes = _outcomes(run_suite(source, "-k", "builds_request or identity or known_failures"))
    assert outcomes == {
        "test_identity[broken/conversational]": "FAILED",  # XPASS(strict)
        "test_builds_request[broken/conversational-direct]": "XFAIL",
        "test_builds_request[broken/conversational-router]": "FAILED",
        "test_known_failures_are_current": "FAILED",
    }


def test_distribution_and_extra_helper_tests(run_suite):
    source = """
        from infermux.testing.conformance import ProviderConformance


        class TestTogether(ProviderConformance):
            distribution = "infermux-together"

            def test_my_own_check(self, helper):
                assert helper.provider == "together"
        """
    result = run_suite(source, "-k", "my_own_check or core_dependency or has_no_secrets")
    outcomes = _outcomes(result)
    assert outcomes.pop("test_core_dependency_is_bounded[infermux-together]") == "PASSED"
    assert set(outcomes.values()) == {"PASSED"}
    assert "test_my_own_check[together/conversational]" in outcomes
    assert len(outcomes) == len(list(distribution_helpers("infermux-together")))
    # Without cassette_dir the secret scan has nothing to check: deselected, never skipped.
    result.stdout.fnmatch_lines(["*deselected*"])
    assert "SKIPPED" not in result.stdout.str()


def test_a_missing_distribution_is_a_collection_error(run_suite):
    source = """
        from infermux.testing.conformance import ProviderConformance


        class TestMissing(ProviderConformance):
            distribution = "infermux-no-such-provider"
        """
    result = run_suite(source)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*distribution 'infermux-no-such-provider' is not installed*"])


def test_a_secret_in_a_cassette_fails_the_suite(run_suite, pytester):
    folder = pytester.path / "cassettes" / "acme"
    folder.mkdir(parents=True)
    _write_cassette(folder / "chat_completion.yaml", {"x-key": ["abc"]})
    _write_cassette(folder / "embeddings.yaml", {"content-type": ["application/json"]})
    source = """
        from infermux.testing.conformance import ProviderConformance


        class TestCassettes(ProviderConformance):
            helpers = []
            cassette_dir = "cassettes/acme"
        """
    result = run_suite(source, "-k", "has_no_secrets")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*chat_completion.yaml*", "*request header 'x-key'*"])


# -- the plugin-author guide's examples run -----------------------------------------------------

GUIDE = ROOT / "docs" / "plugin-authors.md"


def _guide_blocks(language: str) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (f"plugin-authors.md:{block.line}", block.code, block.cassettes)
        for block in code_blocks(GUIDE.read_text(encoding="utf-8"))
        if block.language == language and "no-run" not in block.info
    ]


PYTHON_EXAMPLES = _guide_blocks("python")


def test_the_guide_has_runnable_examples():
    assert len(PYTHON_EXAMPLES) >= 5


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError("network access in a docs example")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize(
    ("where", "code", "cassettes"), PYTHON_EXAMPLES, ids=[w for w, _, _ in PYTHON_EXAMPLES]
)
@pytest.mark.usefixtures("no_network")
def test_guide_example_runs(where, code, cassettes, monkeypatch):
    """Each ```python block runs on its own (``<!-- cassette: ... -->`` comments replay)."""
    monkeypatch.setenv("HF_TOKEN", FAKE_HF_TOKEN)
    with ExitStack() as stack:
        for name in cassettes:
            stack.enter_context(cassette(CASSETTES / name))
        exec(compile(code, where, "exec"), {"__name__": "__guide__"})  # noqa: S102


@pytest.mark.parametrize(
    ("where", "text"),
    [(w, t) for w, t, _ in _guide_blocks("toml") if t.startswith("# infermux.toml")],
)
def test_guide_config_files_parse(where, text):
    from infermux.config import parse_config

    assert parse_config(text, where).endpoints


def test_identity_check_catches_malformed_served_models():
    from infermux.helpers.openai import OpenAIChatHelper
    from infermux.testing.conformance import identity_problems

    class Bad(OpenAIChatHelper):
        provider = "acme"
        base_url = "https://api.acme.example"
        served_models = ("acme/model", "")  # type: ignore[assignment]

    class Good(Bad):
        served_models = frozenset({"acme/model"})

    assert any("served_models" in p for p in identity_problems(Bad()))
    assert identity_problems(Good()) == []
