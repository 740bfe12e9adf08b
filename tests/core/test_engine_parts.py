"""The engine's parts stand on their own: each is built from what it needs (settings, the
clock, the registry, the sender) and reads the time only from the clock it was given."""

from __future__ import annotations

import pytest

from infermux.engine import Engine, EngineSettings, Send, Sleep
from infermux.engine.jobs import JobRunner
from infermux.engine.resolution import Resolver
from infermux.engine.sending import Sender
from infermux.errors import RequestTimeoutError, ServerError
from infermux.helpers.base import HTTPRequest, Response
from infermux.mapping import ProviderMappingEntry
from infermux.registry.store import ProviderRegistry
from infermux.testing import FakeClock
from infermux.transport.retry import RetryPolicy

URL = "https://api.example.com/v1/x"


def test_the_engine_is_composed_of_its_parts_sharing_one_sender_and_clock():
    clock = FakeClock()
    settings = EngineSettings(clock=clock)
    engine = Engine(settings, ProviderRegistry())
    assert isinstance(engine.sender, Sender)
    assert isinstance(engine.resolver, Resolver)
    assert isinstance(engine.jobs, JobRunner)
    assert engine.resolver.sender is engine.sender is engine.jobs.sender
    assert engine.clock is engine.sender.clock is engine.jobs.clock is clock
    assert engine.jobs.origin == engine.resolver.origin
    assert engine.mapping_cache is engine.resolver.mapping_cache
    assert not isinstance(engine, Sender | Resolver | JobRunner)  # composed, not inherited


def test_a_sender_needs_only_settings_and_a_clock():
    clock = FakeClock(100.0)
    policy = RetryPolicy(max_retries=1, initial_delay=1.0, jitter=0.0)
    sender = Sender(EngineSettings(retry=policy, timeout=30.0), clock)
    sending = sender.send(HTTPRequest("GET", URL), None, "example", None, deadline=110.0)
    first = next(sending)
    assert isinstance(first, Send)
    assert first.timeout == 10.0  # capped at the deadline, read on the clock given
    assert first.headers["user-agent"].startswith("infermux/")
    busy = Response(503, {}, b"{}", URL)
    wait = sending.send(busy)
    assert isinstance(wait, Sleep)
    clock.advance(11.0)  # the back-off took us past the deadline
    with pytest.raises(RequestTimeoutError, match="no time left"):
        next(sending)


def test_a_sender_raises_the_last_error_once_its_retries_are_spent():
    sender = Sender(EngineSettings(retry=RetryPolicy(max_retries=0)), FakeClock())
    sending = sender.send(HTTPRequest("GET", URL), None, "example", None)
    next(sending)
    with pytest.raises(ServerError):
        sending.send(Response(500, {}, b'{"error": "down"}', URL))


def test_the_hub_mapping_cache_ages_on_the_clock_it_was_given():
    clock = FakeClock()
    settings = EngineSettings(clock=clock, mapping_ttl=60.0)
    resolver = Resolver(settings, ProviderRegistry(), Sender(settings, clock))
    entry = ProviderMappingEntry("together", "org/model-turbo", "conversational", "live")
    resolver.mapping_cache.put("org/model", [entry])
    clock.advance(59.0)
    assert resolver.mapping_cache.get("org/model") == (True, [entry])
    clock.advance(2.0)
    assert resolver.mapping_cache.get("org/model") == (False, None)
