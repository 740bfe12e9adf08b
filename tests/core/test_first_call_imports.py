"""What a first chat answer imports, checked in a fresh interpreter.

Memory at cold start is mostly modules (their code objects and the classes they build), so
a module a first task call does not use should not be imported by it: the dedicated-endpoint
and config-endpoint builders (``endpoints``), the provider identity of custom calls
(``engine.identity``), and the OpenAI-style namespaces
``client.chat`` and ``client.responses``, load when first used; and of the chat task's
pydantic models only the answer's is built (the others are deferred until used).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

#: Modules a first ``chat_completion`` through a provider plugin does not need.
NOT_ON_A_FIRST_CALL = (
    "infermux.endpoints",
    "infermux.engine.identity",
    "infermux.client._chat_alias",
    "infermux.client._responses",
    "infermux.responses",
    "infermux.responses.inputs",
    "infermux.progress",  # drawn by the CLI only
)

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import httpx2
    from infermux import InferenceClient

    ANSWER = {
        "id": "cmpl-1",
        "object": "chat.completion",
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"},
             "finish_reason": "stop"}
        ],
    }
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, json=ANSWER))
    with httpx2.Client(transport=transport) as http:
        client = InferenceClient(
            provider="together", api_key="k", http_client=http, hub_lookup=False
        )
        out = client.chat_completion([{"role": "user", "content": "hi"}], model="m")
        assert out.choices[0].message.content == "hi"
        first = sorted(m for m in sys.modules if m.startswith("infermux"))
        from infermux.types import _generated
        chat = _generated.chat_completion
        built = sorted(
            name for name, obj in vars(chat).items()
            if isinstance(obj, type) and obj.__module__ == chat.__name__
            and obj.__pydantic_complete__
        )
        # Still there when asked for:
        assert type(client.chat).__name__ == "Chat", client.chat
        assert type(client.responses).__name__ == "Responses", client.responses
        assert client.chat is client.chat  # built once
        later = sorted(m for m in sys.modules if m.startswith("infermux"))
    print(json.dumps({"first": first, "later": later, "built": built}))
    """
)


@pytest.mark.slow  # a fresh interpreter: about 2 s
def test_a_first_chat_answer_imports_only_what_it_uses() -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert "infermux_together" in modules["first"], "the call did not go through the plugin"
    unexpected = sorted(set(NOT_ON_A_FIRST_CALL) & set(modules["first"]))
    assert not unexpected, f"a first chat answer imported {unexpected}"
    assert {"infermux.client._chat_alias", "infermux.client._responses"} <= set(modules["later"])
    # Task models are built on first use (defer_build): the answer's model, whose schema
    # takes in its nested models, and not the 30-odd others of the chat task's module.
    assert modules["built"] == ["ChatCompletionOutput"], modules["built"]


def test_the_resolver_knows_the_routers_policies_without_importing_endpoints() -> None:
    from infermux.endpoints import ROUTER_POLICIES
    from infermux.engine.resolution import _ROUTER_POLICIES

    assert _ROUTER_POLICIES == ROUTER_POLICIES
