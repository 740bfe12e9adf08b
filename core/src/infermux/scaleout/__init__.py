"""What ``infermux.ray`` and ``infermux.dask`` share; imports neither Ray nor Dask.

The parts, one job each:

- ``callables``: the callables' common part (client settings, the shared limit, the row
  shape) and the chat, embeddings and text-to-image mixins each engine's module reuses;
- ``columns``: a batch as the engines hand it over (a dict of columns, a pandas frame, a
  list of dicts) to records and back, with new columns added;
- ``shapes``: what a callable reads from a record and writes back (the general batch-row
  format, and the chat, embeddings and text-to-image shortcuts);
- ``worker``: one worker's client and row runner (the batch engine), at most
  ``max_in_flight`` rows in flight, the key read from an environment variable by name;
- ``shared_limit``: the state behind a cluster-wide rate limit (held by one actor) and the
  proxy a worker's row runner uses in place of its own limiter.
"""
