"""Async Discogs client (httpx), pure rate limiter, typed payloads, import state machine."""

from shared.discogs.client import ALL_FOLDER, PER_PAGE, DiscogsClient
from shared.discogs.errors import (
    BadToken,
    DiscogsError,
    ImportInterrupted,
    NotFound,
    RateLimited,
    Unavailable,
    UnexpectedResponse,
)
from shared.discogs.gate import Priority
from shared.discogs.importer import Importer
from shared.discogs.memory_sink import InMemorySink
from shared.discogs.ratelimit import RateLimiter, RateLimitPolicy, RetryDecision, minimum_seconds
from shared.discogs.settings import DiscogsSettings, user_agent
from shared.discogs.sink import (
    ImportCheckpoint,
    ImportProgress,
    ImportResult,
    ImportSink,
    ImportStep,
)
from shared.discogs.timing import Clock, ScaledClock, SystemClock

__all__ = [
    "ALL_FOLDER",
    "PER_PAGE",
    "BadToken",
    "Clock",
    "DiscogsClient",
    "DiscogsError",
    "DiscogsSettings",
    "ImportCheckpoint",
    "ImportInterrupted",
    "ImportProgress",
    "ImportResult",
    "ImportSink",
    "ImportStep",
    "Importer",
    "InMemorySink",
    "NotFound",
    "Priority",
    "RateLimitPolicy",
    "RateLimited",
    "RateLimiter",
    "RetryDecision",
    "ScaledClock",
    "SystemClock",
    "Unavailable",
    "UnexpectedResponse",
    "minimum_seconds",
    "user_agent",
]
