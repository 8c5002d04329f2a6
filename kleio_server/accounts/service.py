"""Users: created on first sight of an (issuer, subject) pair."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kleio_server.accounts import repository
from kleio_server.auth.principal import Principal
from kleio_server.kit.errors import InvalidField
from kleio_server.models import User
from kleio_server.sync import changelog
from shared.domain.zones import zone_named
from shared.ids import new_id


async def ensure_user(sessions: async_sessionmaker[AsyncSession], principal: Principal) -> User:
    """The user row for this principal, created (with its sequence row) on first sight."""
    async with sessions() as session:
        user = await repository.by_identity(session, principal.issuer, principal.subject)
        if user is not None:
            return user
        user = User(
            id=new_id(),
            issuer=principal.issuer,
            subject=principal.subject,
            name=principal.name,
            email=principal.email,
            time_zone="UTC",
            created_at=dt.datetime.now(dt.UTC),
        )
        session.add(user)
        try:  # PostgreSQL reports the duplicate at the flush already, SQLite at the commit
            await session.flush()
            await changelog.create_sequence(session, user.id)
            await session.commit()
        except IntegrityError:  # another request (or instance) created it at the same moment
            await session.rollback()
            existing = await repository.by_identity(session, principal.issuer, principal.subject)
            assert existing is not None
            return existing
        return user


async def set_time_zone(session: AsyncSession, user: User, name: str) -> User:
    try:
        zone_named(name)
    except ValueError as exc:
        raise InvalidField("time_zone", str(exc)) from exc
    db_user = await session.merge(user)
    db_user.time_zone = name
    return db_user
