from __future__ import annotations

from pydantic import BaseModel

from shared.domain.status import Colour
from shared.protocol import entities as wire


class WearOut(BaseModel):
    plays: int
    hours_used: float
    remaining_hours: float | None
    percent: float
    colour: Colour


class StylusOut(wire.Stylus):
    wear: WearOut


class StylusTemplateOut(wire.StylusTemplate):
    pass
