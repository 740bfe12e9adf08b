"""Everything that touches the wire: the HTTP adapter, SSE decoding, retry policy."""
