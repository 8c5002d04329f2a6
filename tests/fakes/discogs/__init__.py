"""A fake Discogs API for tests and benchmarks (ASGI, served on loopback)."""

from tests.fakes.discogs.app import FakeDiscogs, Logged
from tests.fakes.discogs.clock import VirtualClock
from tests.fakes.discogs.data import Collection, make_collection
from tests.fakes.discogs.server import serve

__all__ = ["Collection", "FakeDiscogs", "Logged", "VirtualClock", "make_collection", "serve"]
