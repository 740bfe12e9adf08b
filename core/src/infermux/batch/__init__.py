"""Batches: many rows, within rate limits, resumable, nothing lost (issue 15).

The parts, one job each:

- ``rows``: an input line (OpenAI Batch or infermux-native) to a :class:`BatchRequest`;
- ``build``: a row to the engine's ``TaskRequest`` (through the client's own methods), and
  its token estimate;
- ``limiter``: per-provider requests/tokens per minute, 429 back-off (AIMD), headers;
- ``runner``: one row on an async client's engine (:class:`RowRunner`), many at once
  (:func:`run_rows`);
- ``shape``: results and failures to output rows, binary outputs to files;
- ``files``: the input file's check (before anything is sent), the output file, resume;
- ``summary``: the statistics a run keeps and the summary written after it (what the user
  sees during a run is drawn by ``infermux.progress``).

``infermux batch`` (``infermux.cli.batch``) and ``client.batch()`` are built on these.
"""

from typing import TYPE_CHECKING

from infermux import _lazy_exports

if TYPE_CHECKING:  # `X as X`: re-exported names (what type checkers see)
    from infermux.batch.limiter import AdaptiveRateLimiter as AdaptiveRateLimiter
    from infermux.batch.limiter import Grant as Grant
    from infermux.batch.limiter import LimiterSet as LimiterSet
    from infermux.batch.limiter import RateLimiter as RateLimiter
    from infermux.batch.results import AsyncBatchResults as AsyncBatchResults
    from infermux.batch.results import BatchResults as BatchResults
    from infermux.batch.rows import OPENAI_URL_TASKS as OPENAI_URL_TASKS
    from infermux.batch.rows import BatchInputError as BatchInputError
    from infermux.batch.rows import BatchRequest as BatchRequest
    from infermux.batch.rows import parse_row as parse_row
    from infermux.batch.runner import RowRunner as RowRunner
    from infermux.batch.runner import run_rows as run_rows
    from infermux.batch.summary import BatchStats as BatchStats

# Lazy, so that the clients can name BatchResults in their annotations (resolvable by
# typing.get_type_hints) without importing the batch machinery with the client.
_EXPORTS: dict[str, str] = {
    "AdaptiveRateLimiter": "infermux.batch.limiter",
    "AsyncBatchResults": "infermux.batch.results",
    "BatchInputError": "infermux.batch.rows",
    "BatchRequest": "infermux.batch.rows",
    "BatchResults": "infermux.batch.results",
    "BatchStats": "infermux.batch.summary",
    "Grant": "infermux.batch.limiter",
    "LimiterSet": "infermux.batch.limiter",
    "OPENAI_URL_TASKS": "infermux.batch.rows",
    "RateLimiter": "infermux.batch.limiter",
    "RowRunner": "infermux.batch.runner",
    "parse_row": "infermux.batch.rows",
    "run_rows": "infermux.batch.runner",
}
__all__ = sorted(_EXPORTS)  # derived from the export table

__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)
