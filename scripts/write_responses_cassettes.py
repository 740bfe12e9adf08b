"""Write the SYNTHETIC Responses API cassettes (no recording of Responses traffic exists).

Each cassette is written by hand from OpenAI's Responses API reference (the response
object of ``POST /v1/responses`` and its streaming events) and the providers' own pages
(console.groq.com/docs/responses-api, docs.together.ai/docs/inference/responses, the
Hugging Face router's guide docs/inference-providers/guides/responses-api.md); ids, texts
and numbers are invented. Request bodies are exactly what infermux sends.

    uv run python scripts/write_responses_cassettes.py          # (re)write them
    uv run python scripts/write_responses_cassettes.py --check  # exit 1 if out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1] / "cassettes"

GROQ_DIRECT = "https://api.groq.com/openai/v1/responses"
TOGETHER_DIRECT = "https://api.together.xyz/v1/responses"
ROUTER = "https://router.huggingface.co/v1/responses"
ENDPOINT = "https://llm.internal.example.com/v1/responses"
GPT_OSS = "openai/gpt-oss-120b"
QWEN = "Qwen/Qwen3-235B-A22B-Instruct-2507-tput"


def hub_lookup(model: str, provider: str, provider_id: str) -> dict[str, Any]:
    body = {
        "_id": "66e6a6ed2a6c4e0b8f0a1b2c",
        "id": model,
        "inferenceProviderMapping": {
            provider: {"status": "live", "providerId": provider_id, "task": "conversational"}
        },
    }
    return {
        "request": {
            "body": None,
            "headers": {
                "accept": ["*/*"],
                "accept-encoding": ["gzip, deflate"],
                "connection": ["keep-alive"],
            },
            "method": "GET",
            "uri": f"https://huggingface.co/api/models/{model}?expand=inferenceProviderMapping",
        },
        "response": {
            "body": {"string": json.dumps(body, separators=(",", ":"))},
            "headers": {"Content-Type": ["application/json; charset=utf-8"]},
            "status": {"code": 200, "message": "OK"},
        },
    }


def post(
    uri: str,
    request: dict[str, Any],
    body: str,
    *,
    status: int = 200,
    content_type: str = "application/json",
    headers: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    return {
        "request": {
            "body": json.dumps(request),
            "headers": {
                "accept": ["*/*"],
                "accept-encoding": ["gzip, deflate"],
                "connection": ["keep-alive"],
                "content-type": ["application/json"],
            },
            "method": "POST",
            "uri": uri,
        },
        "response": {
            "body": {"string": body},
            "headers": {"Content-Type": [content_type], **(headers or {})},
            "status": {"code": status, "message": {200: "OK", 401: "Unauthorized"}[status]},
        },
    }


def message(text: str, item_id: str = "msg_01") -> dict[str, Any]:
    return {
        "type": "message",
        "id": item_id,
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def response(
    model: str, output: list[dict[str, Any]], *, status: str = "completed", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "resp_01jz8k2m3n4p5q6r7s8t9v0w1x",
        "object": "response",
        "created_at": 1754000000,
        "status": status,
        "model": model,
        "output": output,
        "error": None,
        "incomplete_details": None,
        "instructions": extra.pop("instructions", None),
        "parallel_tool_calls": True,
        "temperature": 1.0,
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "usage": {
            "input_tokens": 24,
            "output_tokens": 18,
            "total_tokens": 42,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        }
        if status == "completed"
        else None,
    }
    body.update(extra)
    return body


def sse(events: list[dict[str, Any]]) -> str:
    lines = []
    for number, event in enumerate(events):
        event = {"type": event["type"], "sequence_number": number, **event}
        lines.append(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n")
    return "".join(lines)


STORY = "Luna the unicorn found a silver star. She kept it safe all night. Then she slept."
WEATHER_TOOL = {
    "type": "function",
    "name": "get_current_weather",
    "description": "Get the current weather in a given location",
    "parameters": {
        "type": "object",
        "properties": {
            "location": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location", "unit"],
    },
}
CALL = {
    "type": "function_call",
    "id": "fc_01",
    "call_id": "call_7Xb2",
    "name": "get_current_weather",
    "arguments": '{"location":"Boston, MA","unit":"celsius"}',
    "status": "completed",
}
EVENT_SCHEMA = {
    "properties": {
        "name": {"title": "Name", "type": "string"},
        "date": {"title": "Date", "type": "string"},
        "participants": {"items": {"type": "string"}, "title": "Participants", "type": "array"},
    },
    "required": ["name", "date", "participants"],
    "title": "CalendarEvent",
    "type": "object",
}


def stream_of_text(model: str, pieces: list[str]) -> list[dict[str, Any]]:
    text = "".join(pieces)
    created = response(model, [], status="in_progress")
    done = response(model, [message(text)])
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": created},
        {"type": "response.in_progress", "response": created},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**message(""), "status": "in_progress", "content": []},
        },
        {
            "type": "response.content_part.added",
            "item_id": "msg_01",
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "output_text", "text": "", "annotations": []},
        },
    ]
    events += [
        {
            "type": "response.output_text.delta",
            "item_id": "msg_01",
            "output_index": 0,
            "content_index": 0,
            "delta": piece,
            "logprobs": [],
        }
        for piece in pieces
    ]
    events += [
        {
            "type": "response.output_text.done",
            "item_id": "msg_01",
            "output_index": 0,
            "content_index": 0,
            "text": text,
            "logprobs": [],
        },
        {
            "type": "response.content_part.done",
            "item_id": "msg_01",
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "output_text", "text": text, "annotations": []},
        },
        {"type": "response.output_item.done", "output_index": 0, "item": message(text)},
        {"type": "response.completed", "response": done},
    ]
    return events


def tool_stream(model: str) -> list[dict[str, Any]]:
    created = response(model, [], status="in_progress")
    shell = {**CALL, "arguments": "", "status": "in_progress"}
    pieces = ['{"location":', '"Boston, MA",', '"unit":"celsius"}']
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": created},
        {"type": "response.output_item.added", "output_index": 0, "item": shell},
    ]
    events += [
        {
            "type": "response.function_call_arguments.delta",
            "item_id": "fc_01",
            "output_index": 0,
            "delta": piece,
        }
        for piece in pieces
    ]
    events += [
        {
            "type": "response.function_call_arguments.done",
            "item_id": "fc_01",
            "output_index": 0,
            "arguments": CALL["arguments"],
        },
        {"type": "response.output_item.done", "output_index": 0, "item": CALL},
        # A server that ends on output_item.done without a response.completed (seen with
        # a connection closed early): collect() rebuilds the response from the events.
    ]
    return events


def cassettes() -> dict[str, tuple[str, list[dict[str, Any]]]]:
    out: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    ask = {
        "instructions": "You are a helpful assistant.",
        "input": "Tell me a three sentence bedtime story about a unicorn.",
    }
    out["groq/responses_direct_synthetic.yaml"] = (
        "Groq Responses API (console.groq.com/docs/responses-api), "
        "POST /openai/v1/responses; direct",
        [
            hub_lookup(GPT_OSS, "groq", GPT_OSS),
            post(
                GROQ_DIRECT,
                {"model": GPT_OSS, **ask},
                json.dumps(response(GPT_OSS, [message(STORY)], instructions=ask["instructions"])),
                headers={"x-request-id": ["req_01jz8k2m3n"]},
            ),
        ],
    )
    out["groq/responses_routed_synthetic.yaml"] = (
        "Hugging Face router Responses API guide (POST router.huggingface.co/v1/responses, "
        "model 'org/id:provider'), OpenAI response object; routed, after a Hub lookup",
        [
            hub_lookup(GPT_OSS, "groq", GPT_OSS),
            post(
                ROUTER,
                {"model": f"{GPT_OSS}:groq", **ask, "max_output_tokens": 200},
                json.dumps(response(GPT_OSS, [message(STORY)], instructions=ask["instructions"])),
            ),
        ],
    )
    out["groq/responses_stream_synthetic.yaml"] = (
        "OpenAI Responses streaming events (response.created ... response.completed), as "
        "Groq's Responses API documents them; direct stream",
        [
            hub_lookup(GPT_OSS, "groq", GPT_OSS),
            post(
                GROQ_DIRECT,
                {"model": GPT_OSS, "input": "Say 'double bubble bath' twice.", "stream": True},
                sse(stream_of_text(GPT_OSS, ["Double bubble bath,", " double bubble bath!"])),
                content_type="text/event-stream",
            ),
        ],
    )
    out["groq/responses_structured_synthetic.yaml"] = (
        "Structured outputs on the Responses API (text.format json_schema), router guide "
        "example; direct",
        [
            hub_lookup(GPT_OSS, "groq", GPT_OSS),
            post(
                GROQ_DIRECT,
                {
                    "model": GPT_OSS,
                    "input": [
                        {"role": "system", "content": "Extract the event information."},
                        {
                            "role": "user",
                            "content": "Alice and Bob are going to a science fair on Friday.",
                        },
                    ],
                    "text": {
                        "format": {
                            "type": "json_schema",
                            "name": "CalendarEvent",
                            "schema": EVENT_SCHEMA,
                            "strict": True,
                        }
                    },
                },
                json.dumps(
                    response(
                        GPT_OSS,
                        [
                            message(
                                '{"name":"Science fair","date":"Friday",'
                                '"participants":["Alice","Bob"]}'
                            )
                        ],
                    )
                ),
            ),
        ],
    )
    out["groq/responses_unauthorized_synthetic.yaml"] = (
        "Groq errors docs (console.groq.com/docs/errors), 401 invalid_api_key on "
        "/openai/v1/responses",
        [
            hub_lookup(GPT_OSS, "groq", GPT_OSS),
            post(
                GROQ_DIRECT,
                {"model": GPT_OSS, "input": "Hi"},
                json.dumps(
                    {
                        "error": {
                            "message": "Invalid API Key",
                            "type": "invalid_request_error",
                            "code": "invalid_api_key",
                        }
                    }
                ),
                status=401,
            ),
        ],
    )
    weather = {"input": "What is the weather like in Boston today?", "tool_choice": "auto"}
    out["together/responses_tools_synthetic.yaml"] = (
        "Together Responses API (docs.together.ai/docs/inference/responses), function tool "
        "call output item; direct",
        [
            hub_lookup(QWEN, "together", QWEN),
            post(
                TOGETHER_DIRECT,
                {
                    "model": QWEN,
                    **weather,
                    "tools": [WEATHER_TOOL],
                },
                json.dumps(response(QWEN, [CALL])),
            ),
        ],
    )
    out["together/responses_tools_stream_synthetic.yaml"] = (
        "OpenAI Responses streaming events for a function call "
        "(response.function_call_arguments.delta/done), ending without response.completed; direct",
        [
            hub_lookup(QWEN, "together", QWEN),
            post(
                TOGETHER_DIRECT,
                {
                    "model": QWEN,
                    **weather,
                    "tools": [WEATHER_TOOL],
                    "stream": True,
                },
                sse(tool_stream(QWEN)),
                content_type="text/event-stream",
            ),
        ],
    )
    reasoning_item = {
        "type": "reasoning",
        "id": "rs_01",
        "summary": [],
        "content": [{"type": "reasoning_text", "text": "The user wants a short greeting."}],
    }
    out["together/responses_reasoning_synthetic.yaml"] = (
        "Together Responses API with reasoning (a reasoning item, then the message), "
        "reasoning.effort low; direct",
        [
            hub_lookup("openai/gpt-oss-20b", "together", "openai/gpt-oss-20b"),
            post(
                TOGETHER_DIRECT,
                {
                    "model": "openai/gpt-oss-20b",
                    "input": "Say hello to the world.",
                    "reasoning": {"effort": "low"},
                },
                json.dumps(
                    response(
                        "openai/gpt-oss-20b",
                        [reasoning_item, message("Hello, world!", "msg_02")],
                        reasoning={"effort": "low", "summary": None},
                    )
                ),
            ),
        ],
    )
    llama = "meta-llama/Llama-3.3-70B-Instruct"
    out["cerebras/responses_routed_synthetic.yaml"] = (
        "Hugging Face router Responses API guide: a provider without a Responses API of its "
        "own, reached as 'org/id:cerebras' through router.huggingface.co/v1/responses",
        [
            hub_lookup(llama, "cerebras", "llama-3.3-70b"),
            post(
                ROUTER,
                {"model": f"{llama}:cerebras", "input": "What is deep learning?"},
                json.dumps(
                    response(
                        llama,
                        [message("Deep learning is machine learning with deep neural networks.")],
                    )
                ),
            ),
        ],
    )
    out["cerebras/responses_stream_failed_synthetic.yaml"] = (
        "OpenAI Responses streaming: response.created then response.failed with an error "
        "object; routed through router.huggingface.co/v1/responses",
        [
            hub_lookup(llama, "cerebras", "llama-3.3-70b"),
            post(
                ROUTER,
                {"model": f"{llama}:cerebras", "input": "What is deep learning?", "stream": True},
                sse(
                    [
                        {
                            "type": "response.created",
                            "response": response(llama, [], status="in_progress"),
                        },
                        {
                            "type": "response.failed",
                            "response": response(
                                llama,
                                [],
                                status="failed",
                                error={
                                    "code": "server_error",
                                    "message": "upstream provider overloaded",
                                },
                            ),
                        },
                    ]
                ),
                content_type="text/event-stream",
            ),
        ],
    )
    out["openai-compatible/responses_endpoint_synthetic.yaml"] = (
        "OpenAI Responses API reference (POST /v1/responses) on an in-house OpenAI-compatible "
        'endpoint (base_url=, a config file\'s [providers.<name>] with tasks = ["responses"])',
        [
            post(
                ENDPOINT,
                {"model": "gateway-llm", "input": "Ping?"},
                json.dumps(response("gateway-llm", [message("Pong.")])),
            )
        ],
    )
    return out


def render(note: str) -> str:
    return (
        f"# SYNTHETIC cassette, written by hand (not recorded traffic): {note}\n"
        "# Written by scripts/write_responses_cassettes.py. See PROVENANCE.md.\n"
    )


def main(argv: list[str]) -> int:
    stale = []
    for name, (note, interactions) in cassettes().items():
        text = render(note) + yaml.safe_dump(
            {"interactions": interactions, "version": 1}, sort_keys=False, width=100
        )
        path = ROOT / name
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
