"""A batch from an input file to an output file: check, resume, run, summarise.

``run_file`` is what ``infermux batch`` runs; ``client.batch()`` runs rows from an iterator
through :func:`iterate` instead. Both check the configuration before the first request:
an unknown provider, a task the provider does not serve or a missing key stops the run
with a :class:`~infermux.errors.ConfigurationError` rather than failing every row.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Iterable,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infermux.batch.files import (
    InputCheck,
    OutputWriter,
    ResumeState,
    check_input,
    iter_requests,
    prepare_output,
)
from infermux.batch.limiter import Clock, LimiterSet, SleepFn
from infermux.batch.rows import BatchInputError, BatchRequest, parse_row
from infermux.batch.runner import RowRunner, run_rows
from infermux.batch.summary import BatchStats, Prices
from infermux.errors import InvalidInputError

if TYPE_CHECKING:
    from infermux.client._base import AsyncClientBase
    from infermux.engine import Engine
    from infermux.progress import RowProgress

__all__ = [
    "BatchOptions",
    "check_rows",
    "iterate",
    "preflight",
    "run_file",
    "summary_path_for",
]


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs (the CLI's options, ``client.batch()``'s keyword arguments)."""

    concurrency: int = 16
    #: One number for every provider, or ``{provider: number}``.
    requests_per_minute: float | Mapping[str, float] | None = None
    tokens_per_minute: float | Mapping[str, float] | None = None
    ordered: bool = False
    dedupe: bool = False
    media_dir: str | Path | None = None
    #: Defaults for rows that name no provider or model.
    provider: str | None = None
    model: str | None = None
    prices: Mapping[str, Prices] = field(default_factory=dict)
    max_rate_limit_waits: int = 50

    def __post_init__(self) -> None:
        c = self.concurrency
        if isinstance(c, bool) or not isinstance(c, int) or c < 1:
            raise InvalidInputError(f"concurrency must be an int >= 1, got {c!r}")


def preflight(engine: Engine, routes: Iterable[tuple[str | None, str]]) -> None:
    """Raise the configuration error a row would meet (unknown provider, unserved task,
    no key) before anything is sent. ``provider=None``/``"auto"`` rows are left to the
    Hub mapping at run time."""
    from infermux.auth import choose_route

    settings = engine.settings
    for provider, task in sorted(routes, key=lambda r: (r[0] or "", r[1])):
        name = provider or settings.provider
        if name is None or name == "auto":
            continue
        helper = engine.registry.get(name, task).helper
        choose_route(
            helper,
            api_key=settings.api_key,
            routing=settings.routing,
            router_url=settings.router_url,
            hub_url=settings.hub_url,
            base_url=settings.base_url,
        )


def summary_path_for(output: Path) -> Path:
    """``out.jsonl`` -> ``out.summary.json``."""
    return output.with_name(output.stem + ".summary.json")


def _write_json(path: Path, value: Any) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _runner(
    client: AsyncClientBase, options: BatchOptions, stats: BatchStats, clock: Clock, sleep: SleepFn
) -> RowRunner:
    limiters = LimiterSet(
        options.requests_per_minute, options.tokens_per_minute, clock=clock, sleep=sleep
    )
    return RowRunner(
        client,
        limiters=limiters,
        media_dir=options.media_dir,
        provider=options.provider,
        model=options.model,
        stats=stats,
        clock=clock,
        sleep=sleep,
        max_rate_limit_waits=options.max_rate_limit_waits,
    )


def _to_run(
    path: Path, options: BatchOptions, check: InputCheck, state: ResumeState, stats: BatchStats
) -> Iterable[BatchRequest]:
    collapsed_sent: set[str] = set()  # ids that appear several times, identical (small)
    for request in iter_requests(path, provider=options.provider, model=options.model):
        if state.is_done(request):
            stats.skipped += 1
            continue
        if request.custom_id in check.collapsed:
            if request.custom_id in collapsed_sent:
                continue
            collapsed_sent.add(request.custom_id)
        yield request


async def run_file(
    client: AsyncClientBase,
    input_path: str | Path,
    output_path: str | Path,
    options: BatchOptions | None = None,
    *,
    resume: bool = True,
    progress: RowProgress | None = None,
    summary_path: str | Path | None = None,
    clock: Clock = time.monotonic,
    sleep: SleepFn = asyncio.sleep,
) -> BatchStats:
    """Run the batch in ``input_path`` into ``output_path``; return its statistics.

    Raises before the first request for a malformed input, duplicate ids or a
    configuration error. The summary is written to ``summary_path`` (default
    ``OUTPUT.summary.json``), also when the run is interrupted.
    """
    options = options or BatchOptions()
    source, target = Path(input_path), Path(output_path)
    if source.resolve() == target.resolve():
        raise InvalidInputError("the output file must not be the input file")
    check = check_input(
        source, provider=options.provider, model=options.model, dedupe=options.dedupe
    )
    preflight(client.engine, check.routes)
    state = prepare_output(target, check, resume=resume)
    stats = BatchStats(prices=options.prices)
    runner = _runner(client, options, stats, clock, sleep)
    total = check.rows - len(check.collapsed)  # rows to write, in all
    if progress is not None:
        progress.start(max(0, total - len(state.done)))
    started = clock()
    try:
        with OutputWriter(target, clock=clock) as writer:
            rows = _to_run(source, options, check, state, stats)
            results = run_rows(
                runner,
                rows,
                concurrency=options.concurrency,
                ordered=options.ordered,
                dedupe=options.dedupe,
            )
            # `aclosing`: on any way out (an error, Ctrl-C), rows in flight are cancelled
            # and awaited here, before the writer and the client close.
            async with contextlib.aclosing(results):
                async for row in results:
                    writer.write(row)
                    if progress is not None:
                        progress.update(stats)
    finally:
        stats.elapsed = clock() - started
        if progress is not None:
            progress.close(stats)
        summary = stats.summary()
        summary["input"], summary["output"] = str(source), str(target)
        summary["resumed"] = {
            "kept_rows": state.kept,
            "dropped_error_rows": state.dropped_errors,
            "dropped_changed_rows": state.dropped_changed,
            "dropped_unreadable_lines": state.dropped_unreadable,
        }
        _write_json(Path(summary_path) if summary_path else summary_path_for(target), summary)
    return stats


def check_rows(rows: Sequence[Any], options: BatchOptions) -> set[tuple[str | None, str]]:
    """For a list of rows: malformed rows and duplicate ids are refused before anything
    is sent. Returns the (provider, task) pairs, for :func:`preflight`."""
    seen: dict[str, str] = {}
    routes: set[tuple[str | None, str]] = set()
    for index, row in enumerate(rows):
        if isinstance(row, BatchRequest):
            request = row
        else:
            try:
                request = parse_row(row, provider=options.provider, model=options.model)
            except BatchInputError as exc:
                raise BatchInputError(f"row {index}: {exc}") from None
        routes.add((request.provider, request.task))
        earlier = seen.get(request.custom_id)
        if earlier is None:
            seen[request.custom_id] = request.request_hash
        elif earlier != request.request_hash or not options.dedupe:
            raise BatchInputError(
                f"row {index}: duplicate custom_id {request.custom_id!r}, nothing was sent; "
                "give each row its own custom_id (or dedupe=True to send identical rows once)"
            )
    return routes


async def iterate(
    client: AsyncClientBase,
    rows: Iterable[Any] | AsyncIterable[Any],
    options: BatchOptions,
    *,
    clock: Clock = time.monotonic,
    sleep: SleepFn = asyncio.sleep,
    stats: BatchStats | None = None,
    checked: bool = False,
) -> AsyncGenerator[dict[str, Any], None]:
    """Output rows for ``rows`` (dicts in either input format), as ``client.batch()``
    yields them. A list is checked whole first (malformed rows, duplicate ids, the
    configuration; ``checked`` says the caller did it); an iterator is read lazily and a
    malformed row becomes an error row."""
    runner = _runner(client, options, stats or BatchStats(prices=options.prices), clock, sleep)
    if isinstance(rows, Sequence) and not checked:
        preflight(client.engine, check_rows(rows, options))
    # An iterator's rows are not known in advance: each is checked when it runs.
    results = run_rows(
        runner,
        rows,
        concurrency=options.concurrency,
        ordered=options.ordered,
        dedupe=options.dedupe,
    )
    # Closing this generator (a caller leaving early) closes run_rows now, which cancels
    # and awaits the rows in flight; without `aclosing` they would run on until the event
    # loop's shutdown finalised it, after the client had closed its connections.
    async with contextlib.aclosing(results):
        async for row in results:
            yield row
