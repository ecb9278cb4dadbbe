"""The pydantic types of the kinds' file keys (``Kind.spec_type`` names them), from which the spec
and its JSON Schema are built (``syncer.core.spec``).

They live here, not in each kind's module, because the kinds are imported by every
``django.setup()`` of the project (``syncer.db.kinds``, for the ORM signals: web, worker, beat,
every command), which should not pay for pydantic: only the spec imports this module.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from syncer.core.kinds.solar import SOLAR_EVENTS
from syncer.core.spec_types import Datetime, Strict

# every: (syncer.core.kinds.interval)
Duration = Annotated[
    str | int,
    Field(
        description="3s, 90 seconds, 5m, 1h30m, 250ms, 10us, ... or an integer number of seconds",
        examples=["3s", "5 minutes", "1h30m", 60],
    ),
]

# cron: (syncer.core.kinds.crontab)
CronField = str | Annotated[int, Field(ge=0)]


class CronMapping(Strict):
    """The mapping form of ``cron``; a missing field means ``*``."""

    minute: CronField = "*"
    hour: CronField = "*"
    day_of_month: CronField = "*"
    month_of_year: CronField = "*"
    day_of_week: CronField = "*"


Cron = Annotated[
    Annotated[str, StringConstraints(min_length=1)] | CronMapping,
    Field(description="minute hour day-of-month month day-of-week, an @alias, or a mapping"),
]


# solar: (syncer.core.kinds.solar)
class Solar(Strict):
    event: Literal[SOLAR_EVENTS]  # type: ignore[valid-type]
    latitude: Annotated[Decimal, Field(strict=False, ge=-90, le=90)]
    longitude: Annotated[Decimal, Field(strict=False, ge=-180, le=180)]


# clocked: (syncer.core.kinds.clocked)
Clocked = Annotated[Datetime, Field(description="Run once at this time (one_off)")]
