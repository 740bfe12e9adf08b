"""One client, one measure, in this process: what ``run.py`` starts once per (client, measure).

Standard library only at module level, so the same file runs in every client's own
environment (the workspace, or ``benchmarks/.envs/<peer>``). It prints one JSON object.

    python benchmarks/workloads.py --client infermux --measure cpu --base-url http://127.0.0.1:PORT

Every client does the same HTTP work against the local server: POST one chat request with
the same messages and ``max_tokens``, and turn the answer into that client's result type
(a dict for raw httpx2, pydantic models for infermux and openai, dataclasses for
huggingface_hub, litellm's ``ModelResponse``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

MODEL = "bench-model"
KEY = "bench-key"
MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Say something about foxes and dogs."},
]
MAX_TOKENS = 64

#: The statement each client's cold-import measure times, in a fresh interpreter. For
#: infermux that includes plugin discovery (every installed first-party plugin).
IMPORTS = {
    "httpx2": "import httpx2",
    "infermux": (
        "import infermux\nfrom infermux.registry.loader import get_registry\nget_registry()"
    ),
    "huggingface_hub": "from huggingface_hub import InferenceClient",
    "openai": "import openai\nopenai.OpenAI",
    "litellm": "import litellm",
}


# -- clients: (sync call, sync stream, async factory) --------------------------------------


class Client:
    """What a workload needs from a client; ``stream`` returns the number of chunks."""

    call: Callable[[], Any]
    stream: Callable[[], int]

    async def acall(self) -> Any:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


class RawHTTPX2(Client):
    """The baseline: httpx2 directly. Build the request, send it, decode the JSON; for a
    stream, iterate its lines and decode each ``data:`` line."""

    def __init__(self, base_url: str) -> None:
        import httpx2

        self.httpx2 = httpx2
        self.url = base_url + "/v1/chat/completions"
        self.headers = {"Authorization": f"Bearer {KEY}"}
        self.client = httpx2.Client()
        self._async: Any = None

    def _body(self, stream: bool) -> dict[str, Any]:
        return {"model": MODEL, "messages": MESSAGES, "max_tokens": MAX_TOKENS, "stream": stream}

    def call(self) -> Any:
        response = self.client.post(self.url, json=self._body(False), headers=self.headers)
        response.raise_for_status()
        return response.json()

    def stream(self) -> int:
        count = 0
        with self.client.stream(
            "POST", self.url, json=self._body(True), headers=self.headers
        ) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if line.startswith("data:"):
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    json.loads(data)
                    count += 1
        return count

    async def acall(self) -> Any:
        if self._async is None:
            self._async = self.httpx2.AsyncClient()
        response = await self._async.post(self.url, json=self._body(False), headers=self.headers)
        response.raise_for_status()
        return response.json()

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()


class Infermux(Client):
    """infermux through a first-party plugin (together), its base URL pointed at the server."""

    def __init__(self, base_url: str) -> None:
        from infermux import InferenceClient

        options = {"provider": "together", "api_key": KEY, "base_url": base_url, "max_retries": 0}
        self.client = InferenceClient(**options)
        self.async_options = options
        self._async: Any = None

    def call(self) -> Any:
        return self.client.chat_completion(MESSAGES, model=MODEL, max_tokens=MAX_TOKENS)

    def stream(self) -> int:
        count = 0
        for _chunk in self.client.chat_completion(
            MESSAGES, model=MODEL, max_tokens=MAX_TOKENS, stream=True
        ):
            count += 1
        return count

    async def acall(self) -> Any:
        if self._async is None:
            # Imported here, as raw httpx2 builds its async client only when first used:
            # the cold start to a sync answer imports the sync client alone.
            from infermux import AsyncInferenceClient

            self._async = AsyncInferenceClient(**self.async_options)
        return await self._async.chat_completion(MESSAGES, model=MODEL, max_tokens=MAX_TOKENS)

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()


class InfermuxAiohttp(Infermux):
    """infermux with its optional aiohttp transport for async calls (``infermux[aiohttp]``,
    ``INFERMUX_ASYNC_HTTP=aiohttp``); sync calls are the same as ``infermux``."""

    def __init__(self, base_url: str) -> None:
        os.environ["INFERMUX_ASYNC_HTTP"] = "aiohttp"
        super().__init__(base_url)


class InfermuxAnyio(Infermux):
    """infermux's async client on httpcore2's own anyio network backend
    (``INFERMUX_ASYNC_HTTP=anyio``): what the asyncio backend it uses by default saves."""

    def __init__(self, base_url: str) -> None:
        os.environ["INFERMUX_ASYNC_HTTP"] = "anyio"
        super().__init__(base_url)


class RawHTTPX2Pydantic(RawHTTPX2):
    """Raw httpx2 that validates each answer into one small pydantic model: the memory any
    client returning pydantic models starts from (pydantic's modules, its Rust core and its
    schema machinery), whatever else it does."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        from pydantic import BaseModel

        class Answer(BaseModel):
            id: str
            model: str
            choices: list[dict[str, Any]]

        self.answer = Answer

    def call(self) -> Any:
        return self.answer.model_validate(super().call())

    async def acall(self) -> Any:
        return self.answer.model_validate(await super().acall())


class HuggingFaceHub(Client):
    """huggingface_hub's InferenceClient on an OpenAI-compatible base URL."""

    def __init__(self, base_url: str) -> None:
        from huggingface_hub import AsyncInferenceClient, InferenceClient

        self.client = InferenceClient(base_url=base_url, api_key=KEY)
        self.base_url = base_url
        self.async_client_class = AsyncInferenceClient
        self._async: Any = None

    def call(self) -> Any:
        return self.client.chat_completion(MESSAGES, max_tokens=MAX_TOKENS)

    def stream(self) -> int:
        count = 0
        for _chunk in self.client.chat_completion(MESSAGES, max_tokens=MAX_TOKENS, stream=True):
            count += 1
        return count

    async def acall(self) -> Any:
        if self._async is None:
            self._async = self.async_client_class(base_url=self.base_url, api_key=KEY)
        return await self._async.chat_completion(MESSAGES, max_tokens=MAX_TOKENS)

    async def aclose(self) -> None:
        if self._async is not None:
            close = getattr(self._async, "close", None) or getattr(self._async, "aclose", None)
            if close is not None:
                await close()


class OpenAI(Client):
    """The openai SDK pointed at the server's ``/v1``."""

    def __init__(self, base_url: str) -> None:
        import openai

        self.client = openai.OpenAI(base_url=base_url + "/v1", api_key=KEY, max_retries=0)
        self.async_client = openai.AsyncOpenAI(
            base_url=base_url + "/v1", api_key=KEY, max_retries=0
        )

    def call(self) -> Any:
        return self.client.chat.completions.create(
            model=MODEL, messages=MESSAGES, max_tokens=MAX_TOKENS
        )

    def stream(self) -> int:
        count = 0
        for _chunk in self.client.chat.completions.create(
            model=MODEL, messages=MESSAGES, max_tokens=MAX_TOKENS, stream=True
        ):
            count += 1
        return count

    async def acall(self) -> Any:
        return await self.async_client.chat.completions.create(
            model=MODEL, messages=MESSAGES, max_tokens=MAX_TOKENS
        )

    async def aclose(self) -> None:
        await self.async_client.close()


class LiteLLM(Client):
    """litellm's ``completion`` / ``acompletion`` on an OpenAI-compatible ``api_base``."""

    def __init__(self, base_url: str) -> None:
        import litellm

        litellm.telemetry = False
        self.litellm = litellm
        self.options = {
            "model": f"openai/{MODEL}",
            "api_base": base_url + "/v1",
            "api_key": KEY,
            "messages": MESSAGES,
            "max_tokens": MAX_TOKENS,
        }

    def call(self) -> Any:
        return self.litellm.completion(**self.options)

    def stream(self) -> int:
        count = 0
        for _chunk in self.litellm.completion(**self.options, stream=True):
            count += 1
        return count

    async def acall(self) -> Any:
        return await self.litellm.acompletion(**self.options)


CLIENTS: dict[str, type[Client]] = {
    "httpx2": RawHTTPX2,
    "infermux": Infermux,
    "infermux_aiohttp": InfermuxAiohttp,
    "infermux_anyio": InfermuxAnyio,
    "httpx2_pydantic": RawHTTPX2Pydantic,
    "huggingface_hub": HuggingFaceHub,
    "openai": OpenAI,
    "litellm": LiteLLM,
}


# -- measures ---------------------------------------------------------------------------------


def peak_rss_kib() -> int:
    """This process's peak resident set (VmHWM; reset at exec, unlike ru_maxrss)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage // 1024 if sys.platform == "darwin" else usage


#: Measures that take the best of several batches: on a shared machine other processes
#: only ever add time (cache and CPU contention), so the least disturbed batch is the
#: closest to the client's own cost (the reasoning of ``timeit``).
BATCHES = 5


def measure_cpu(client: Client, n: int, warmup: int) -> dict[str, Any]:
    """Client CPU per sync non-streaming call (the server runs in another process): the
    lowest of ``BATCHES`` batches of ``n / BATCHES`` calls."""
    for _ in range(warmup):
        client.call()
    size = max(1, n // BATCHES)
    cpus, walls = [], []
    for _ in range(BATCHES):
        gc.collect()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(size):
            client.call()
        cpus.append((time.process_time() - cpu0) / size)
        walls.append((time.perf_counter() - wall0) / size)
    return {
        "value": min(cpus),
        "unit": "s/call",
        "median": statistics.median(cpus),
        "wall_per_call": min(walls),
        "n": size * BATCHES,
    }


def measure_stream(client: Client, repeats: int, chunks: int) -> dict[str, Any]:
    """Consume a ``chunks``-event stream as typed chunks: the lowest client CPU (and wall
    time) of ``repeats`` streams."""
    got = client.stream()  # warm-up, and a check that every chunk arrives
    if got < chunks:  # litellm adds a closing chunk of its own
        raise SystemExit(f"expected {chunks} chunks, got {got}")
    cpus, walls = [], []
    for _ in range(repeats):
        gc.collect()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        client.stream()
        cpus.append(time.process_time() - cpu0)
        walls.append(time.perf_counter() - wall0)
    return {
        "value": min(cpus),
        "unit": "s/stream",
        "median": statistics.median(cpus),
        "wall": min(walls),
        "chunks": chunks,
        "repeats": repeats,
    }


def measure_async(client: Client, total: int, concurrency: int, repeats: int) -> dict[str, Any]:
    """Requests per second with ``concurrency`` calls in flight on one event loop: the best
    of ``repeats`` batches."""
    import asyncio

    async def batch(count: int) -> float:
        queue = iter(range(count))

        async def worker() -> None:
            for _ in queue:
                await client.acall()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return count / (time.perf_counter() - started)

    async def main() -> list[float]:
        try:
            await batch(concurrency * 2)  # warm-up: open the connections
            results = []
            for _ in range(repeats):
                gc.collect()
                results.append(await batch(total))
            return results
        finally:
            await client.aclose()

    rates = asyncio.run(main())
    return {
        "value": max(rates),
        "unit": "req/s",
        "median": statistics.median(rates),
        "total": total,
        "concurrency": concurrency,
    }


def measure_memory(
    client_class: type[Client],
    base_url: str,
    n: int,
    chunks: int,
    concurrency: int,
    python_heap: bool = False,
) -> dict[str, Any]:
    """Peak RSS above the interpreter's own after importing the client and running a mix
    of sync calls, one stream and a round of concurrent async calls. With ``python_heap``,
    the peak of Python's own allocations instead (tracemalloc: no shared libraries, no
    allocator slack, no C or Rust heaps)."""
    import asyncio

    if python_heap:
        import tracemalloc

        tracemalloc.start()
    baseline = peak_rss_kib()
    client = client_class(base_url)
    for _ in range(n):
        client.call()
    if client.stream() < chunks:
        raise SystemExit("stream incomplete")

    async def run_async() -> None:
        try:
            await asyncio.gather(*(client.acall() for _ in range(concurrency)))
        finally:
            await client.aclose()

    asyncio.run(run_async())
    gc.collect()
    if python_heap:
        current, peak_bytes = tracemalloc.get_traced_memory()
        return {"value": peak_bytes / 2**20, "unit": "MiB", "current_mib": current / 2**20}
    peak = peak_rss_kib()
    return {"value": (peak - baseline) / 1024, "unit": "MiB", "baseline_mib": baseline / 1024}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", choices=sorted(CLIENTS), required=True)
    parser.add_argument(
        "--measure", choices=["cpu", "stream", "async", "memory", "pymemory"], required=True
    )
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--n", type=int, default=500, help="calls (cpu, memory)")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5, help="streams or async batches")
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("--total", type=int, default=2048, help="async calls per batch")
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args(argv)
    # litellm would fetch its model cost map from the network at import.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

    client_class = CLIENTS[args.client]
    if args.measure in ("memory", "pymemory"):
        result = measure_memory(
            client_class,
            args.base_url,
            args.n,
            args.chunks,
            args.concurrency,
            python_heap=args.measure == "pymemory",
        )
    else:
        client = client_class(args.base_url)
        if args.measure == "cpu":
            result = measure_cpu(client, args.n, args.warmup)
        elif args.measure == "stream":
            result = measure_stream(client, args.repeats, args.chunks)
        else:
            result = measure_async(client, args.total, args.concurrency, args.repeats)
    result.update(client=args.client, measure=args.measure)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
