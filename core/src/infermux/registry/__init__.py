"""Which helper serves which (provider, task), and where each came from."""
