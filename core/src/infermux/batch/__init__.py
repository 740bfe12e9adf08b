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
- ``progress`` and ``summary``: what the user sees during and after a run.

``infermux batch`` (``infermux.cli.batch``) and ``client.batch()`` are built on these.
"""

from infermux.batch.limiter import AdaptiveRateLimiter, Grant, LimiterSet, RateLimiter
from infermux.batch.rows import OPENAI_URL_TASKS, BatchInputError, BatchRequest, parse_row
from infermux.batch.runner import RowRunner, run_rows
from infermux.batch.summary import BatchStats

__all__ = [
    "OPENAI_URL_TASKS",
    "AdaptiveRateLimiter",
    "BatchInputError",
    "BatchRequest",
    "BatchStats",
    "Grant",
    "LimiterSet",
    "RateLimiter",
    "RowRunner",
    "parse_row",
    "run_rows",
]
