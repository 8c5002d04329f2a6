from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.models import User


async def by_identity(session: AsyncSession, issuer: str, subject: str) -> User | None:
    return (
        await session.scalars(select(User).where(User.issuer == issuer, User.subject == subject))
    ).one_or_none()


async def by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)
