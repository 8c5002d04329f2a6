"""Who is calling: the identity every verifier produces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    ``(issuer, subject)`` identifies the user; the repository layer maps it to a user
    row created on first sight. ``expires_at`` is when the presented credential stops
    being valid (``None`` for the local access key, which does not expire).
    """

    issuer: str
    subject: str
    roles: frozenset[str]
    expires_at: datetime | None
    name: str | None = None
    email: str | None = None
