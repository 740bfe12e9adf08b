"""The sync and async clients; import them from :mod:`infermux`."""
