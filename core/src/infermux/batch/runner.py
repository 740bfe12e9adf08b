"""Running rows on an async client's engine: one row (:meth:`RowRunner.run_row`), and many
at once with bounded concurrency (:func:`run_rows`).

A row runs through ``Engine.run`` like any single call (routing, model mapping, key
isolation, retries, job polling), driven here rather than by the client so that every
request it sends passes the provider's rate limiter first:

- before each request: ``limiter.acquire(estimated tokens)``;
- a 429: ``limiter.on_rate_limited`` pauses the provider for every row and lowers its rate,
  and the request is sent again once the pause is over. Those resends do not use up the
  client's ``max_retries`` (a 429 in a batch is the limiter's business, not the row's), but
  are bounded by ``max_rate_limit_waits``; past it the 429 goes to the engine's own retries;
- a clean answer: ``limiter.on_success`` (the rate climbs back; rate-limit headers clamp
  it), and the answer's ``usage`` corrects the token estimate.

A row never raises: a failure becomes an error row with a typed code (see ``shape.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Generator,
    Iterable,
    Mapping,
)
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infermux.batch.build import build_task_request, estimate_tokens
from infermux.batch.files import digest
from infermux.batch.limiter import Clock, Grant, LimiterSet, RateLimiter, SleepFn
from infermux.batch.rows import BatchInputError, BatchRequest, parse_row
from infermux.batch.shape import error_row, result_body, success_row, usage_of
from infermux.batch.summary import BatchStats
from infermux.engine import Effect, Send, Sleep
from infermux.errors import InvalidInputError
from infermux.provenance import response_info
from infermux.transport.retry import server_requested_delay

if TYPE_CHECKING:
    from infermux.client._base import AsyncClientBase

__all__ = ["RowRunner", "run_rows"]

#: Requests the engine sends for itself (model mappings, router listings): not a row's
#: provider, so not charged to its limiter.
_UNLIMITED = frozenset({"huggingface-hub", "hf-router"})


@dataclass
class _RowState:
    """What one row's requests did, for its output row and the limiter."""

    tokens: int
    attempts: int = 0
    provider: str | None = None
    first_sent: float | None = None
    limiter: RateLimiter | None = None
    grant: Grant | None = None


class RowRunner:
    """Runs batch rows on ``client``'s engine and HTTP session; the unit a distributed
    runner (Ray, Dask) calls per row.

    Example::

        async with AsyncInferenceClient(provider="together") as client:
            runner = RowRunner(client, limiters=LimiterSet(requests_per_minute=600))
            row = await runner.run_row({"custom_id": "a", "task": "conversational",
                                        "inputs": [{"role": "user", "content": "Hi"}],
                                        "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo"})
            row["response"]["body"]  # or row["error"]["code"]

    Args:
        client: an :class:`~infermux.AsyncInferenceClient` (its settings apply to every row).
        limiters: per-provider limiters (default: unlimited until a 429 says otherwise).
        media_dir: where binary outputs are written (default: base64 in the row).
        provider, model: defaults for rows that do not name their own.
        stats: where counts, latencies and tokens are accumulated.
        clock, sleep: time, injectable (tests).
        max_rate_limit_waits: 429s a request may wait out before the engine's retries apply.
    """

    def __init__(
        self,
        client: AsyncClientBase,
        *,
        limiters: LimiterSet | None = None,
        media_dir: str | Path | None = None,
        provider: str | None = None,
        model: str | None = None,
        stats: BatchStats | None = None,
        clock: Clock = time.monotonic,
        sleep: SleepFn = asyncio.sleep,
        max_rate_limit_waits: int = 50,
    ) -> None:
        self.client = client
        self.limiters = limiters if limiters is not None else LimiterSet(clock=clock, sleep=sleep)
        self.media_dir = Path(media_dir) if media_dir is not None else None
        self.provider = provider
        self.model = model
        self.stats = stats if stats is not None else BatchStats()
        self._clock = clock
        self._sleep = sleep
        self.max_rate_limit_waits = max_rate_limit_waits

    def parse(self, row: Mapping[str, Any] | BatchRequest) -> BatchRequest:
        """A row dict (either format) as a :class:`BatchRequest`, with this runner's defaults."""
        if isinstance(row, BatchRequest):
            return row
        return parse_row(row, provider=self.provider, model=self.model)

    async def run_row(self, row: Mapping[str, Any] | BatchRequest) -> dict[str, Any]:
        """Run one row; return its output row. Never raises for the row's own failure."""
        try:
            request = self.parse(row)
        except BatchInputError as exc:
            return error_row(_unparsed(row), exc)
        output = await self._run(request)
        self.stats.record_row(output)
        return output

    async def _run(self, request: BatchRequest) -> dict[str, Any]:
        state = _RowState(tokens=estimate_tokens(request))
        try:
            task_request = build_task_request(request)
            result = await self._drive(self.client.engine.run(task_request), state)
            info = response_info(result)
            usage = usage_of(result)
            if usage and state.limiter is not None and state.grant is not None:
                used = usage.get("total_tokens") or (
                    usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)
                )
                state.limiter.correct_tokens(state.grant, used)
            body = result_body(result, request, self.media_dir)
        except Exception as exc:  # every failure of a row becomes its error row
            return error_row(
                request,
                exc,
                provider=state.provider,
                model=request.model,
                attempts=state.attempts,
                latency=self._latency(state),
            )
        return success_row(
            request,
            body,
            status_code=(info.status_code if info and info.status_code else 200),
            request_id=info.request_id if info else None,
            provider=info.provider if info else state.provider,
            model=info.model if info else request.model,
            attempts=state.attempts,
            latency=self._latency(state),
            usage=usage,
        )

    def _latency(self, state: _RowState) -> float:
        return 0.0 if state.first_sent is None else self._clock() - state.first_sent

    async def _drive(self, gen: Generator[Effect, Any, Any], state: _RowState) -> Any:
        """``AsyncClientBase._drive``, with the limiter around each request."""
        send_value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = gen.send(send_value) if error is None else gen.throw(error)
            except StopIteration as stop:
                return stop.value
            send_value, error = None, None
            if type(effect) is Send:
                try:
                    send_value = await self._send(effect, state)
                except Exception as exc:  # handed to the engine, which decides to retry
                    error = exc
            elif type(effect) is Sleep:
                await self._wait(effect)

    async def _wait(self, effect: Sleep) -> None:
        if effect.cancel is None:
            if effect.seconds > 0:
                await self._sleep(effect.seconds)
            return
        deadline = self._clock() + effect.seconds
        while not effect.cancel.cancelled and self._clock() < deadline:
            await self._sleep(min(0.05, deadline - self._clock()))

    async def _send(self, effect: Send, state: _RowState) -> Any:
        if effect.provider in _UNLIMITED:
            return await self._send_http(effect)
        limiter = self.limiters(effect.provider)
        waits = 0
        while True:
            grant = await limiter.acquire(state.tokens)
            if state.first_sent is None:
                state.first_sent = self._clock()
            self.stats.record_request(retry=state.attempts > 0)
            state.attempts += 1
            state.provider = effect.provider
            response = await self._send_http(effect)
            status = response.status_code
            if status == 429:
                self.stats.record_rate_limited(effect.provider)
                limiter.on_rate_limited(grant, server_requested_delay(response.headers))
                if waits < self.max_rate_limit_waits:
                    waits += 1
                    continue
            elif status < 400:
                limiter.on_success(grant, response.headers)
                state.limiter, state.grant = limiter, grant
            return response

    async def _send_http(self, effect: Send) -> Any:
        client = self.client
        if client._limits.capped or effect.requests_per_minute:
            async with client._limits.slot(effect.provider, effect.requests_per_minute):
                return await client._http.send(effect)
        return await client._http.send(effect)


def _unparsed(row: Any) -> BatchRequest:
    """A stand-in request for a row that could not be parsed (for its error row)."""
    import json

    try:
        text = json.dumps(row, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        text = repr(row)
    hashed = hashlib.sha256(text.encode()).hexdigest()[:32]
    custom_id = row.get("custom_id") if isinstance(row, Mapping) else None
    return BatchRequest(
        custom_id=custom_id if isinstance(custom_id, str) and custom_id else f"req-{hashed[:20]}",
        task="",
        inputs=None,
        request_hash=hashed,
    )


def _dedupe_copy(template: Mapping[str, Any], request: BatchRequest) -> dict[str, Any]:
    """The answer of an identical earlier row, as this row's output row."""
    row = {**template, "custom_id": request.custom_id}
    meta = dict(template.get("infermux") or {})
    meta.update(attempts=0, latency=0.0, deduplicated_from=template["custom_id"], usage=None)
    row["infermux"] = meta
    return row


async def _aiter(items: Iterable[Any] | AsyncIterable[Any]) -> AsyncGenerator[Any, None]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item


class _Refused:
    """A row refused before sending; ``output`` is its error row."""

    __slots__ = ("output",)

    def __init__(self, output: dict[str, Any]) -> None:
        self.output = output


class _IdGuard:
    """Each ``custom_id`` once per run: an iterator's rows cannot be checked up front as a
    list's or a file's are, so a repeated id becomes an error row, not a second request
    whose answer could not be told apart. With ``dedupe`` the same id may repeat for the
    same request (it is sent once). Keeps an 8-byte digest per row (about 60 bytes of
    memory a row, 60 MB a million): a file input is checked on disk instead."""

    def __init__(self, runner: RowRunner, dedupe: bool) -> None:
        self._runner = runner
        self._dedupe = dedupe
        self._seen: dict[int, int] = {}

    def admit(self, item: Any) -> Any:
        """``item`` parsed (or as it is, if it does not parse: run_row reports it), or a
        :class:`_Refused` for a repeated id."""
        try:
            request = self._runner.parse(item)
        except BatchInputError:
            return item
        key = digest(request.custom_id)
        value = digest(request.request_hash) if self._dedupe else 0
        earlier = self._seen.get(key)
        if earlier is None:
            self._seen[key] = value
            return request
        if self._dedupe and earlier == value:
            return request
        problem = BatchInputError(
            f"duplicate custom_id {request.custom_id!r}: this row was not sent; give each row "
            "its own custom_id (or dedupe=True to send identical rows once)"
        )
        output = error_row(request, problem)
        self._runner.stats.record_row(output)
        return _Refused(output)


async def run_rows(
    runner: RowRunner,
    rows: Iterable[Mapping[str, Any] | BatchRequest] | AsyncIterable[Any],
    *,
    concurrency: int = 16,
    ordered: bool = False,
    dedupe: bool = False,
) -> AsyncGenerator[dict[str, Any], None]:
    """Run ``rows`` with at most ``concurrency`` in flight; yield output rows as they finish
    (in input order with ``ordered=True``). Reads ``rows`` lazily: memory grows with
    ``concurrency`` (and, with ``ordered``, with how far a slow row holds up the rest; at
    most ``8 * concurrency`` rows are started past it), not with the number of rows.

    ``dedupe=True`` sends identical requests (same request hash) once and gives each row
    the answer; it remembers one answer per distinct request for the run. A ``custom_id``
    seen before in the run (for another request, or at all without ``dedupe``) is not sent:
    its row is an error row (``invalid_input``).
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidInputError(f"concurrency must be an int >= 1, got {concurrency!r}")
    window = 8 * concurrency
    source = _aiter(rows)
    tasks: set[asyncio.Task[None]] = set()
    # Finished rows arrive on a queue: O(1) per row, where asyncio.wait over the pending
    # set would cost O(concurrency) per row.
    finished_queue: asyncio.Queue[tuple[int, dict[str, Any] | BaseException]] = asyncio.Queue()
    finished: dict[int, dict[str, Any]] = {}
    answers: dict[str, asyncio.Future[dict[str, Any]]] = {}
    started = 0
    next_out = 0
    in_flight = 0  # started, result not yet taken from the queue
    exhausted = False
    guard = _IdGuard(runner, dedupe)

    async def run_one(item: Any) -> dict[str, Any]:
        if not dedupe:
            return await runner.run_row(item)
        try:
            request = runner.parse(item)
        except BatchInputError:
            return await runner.run_row(item)
        earlier = answers.get(request.request_hash)
        if earlier is not None:
            output = _dedupe_copy(await asyncio.shield(earlier), request)
            runner.stats.record_row(output)
            return output
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        answers[request.request_hash] = future
        output = await runner.run_row(request)
        future.set_result(output)
        return output

    async def one(seq: int, item: Any) -> None:
        try:
            result: dict[str, Any] | BaseException = (
                item.output if isinstance(item, _Refused) else await run_one(item)
            )
        except Exception as exc:  # a bug (rows never raise): surfaced to the caller
            result = exc
        finished_queue.put_nowait((seq, result))

    try:
        while True:
            while (
                not exhausted
                and in_flight < concurrency
                and (not ordered or started - next_out < window)
            ):
                try:
                    item = await anext(source)
                except StopAsyncIteration:
                    exhausted = True
                    break
                task = asyncio.ensure_future(one(started, guard.admit(item)))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                started += 1
                in_flight += 1
            if not in_flight:
                break
            seq, result = await finished_queue.get()
            in_flight -= 1
            if isinstance(result, BaseException):
                raise result
            if ordered:
                finished[seq] = result
                while next_out in finished:
                    yield finished.pop(next_out)
                    next_out += 1
            else:
                yield result
    finally:
        for pending in list(tasks):
            pending.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await source.aclose()  # the caller's own async iterable, if any, ends here too
