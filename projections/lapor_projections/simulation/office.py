"""When the desks act: working days and office hours, on track, late or breached.

A desk that receives a complaint acts on the k-th working day after the day it
arrived (DOMAIN.md rule 3: the arrival day does not count; k = 0 is the same day
when it arrived on a working day early enough). k is drawn so that most desks act
within their SLA target, ``slow_desk_share`` between target and limit (late) and
``late_desk_share`` after the limit (breached), exactly as ``desk_deadlines``
judges them: acting on working day k is late iff k > target, breached iff k > limit.
The hour is in office hours (07:30-16:00 local), or in the evening for
``after_hours_share`` of actions. Everything is in the calendar's zone, so an
instant's ``date()`` is its local date.
"""

from __future__ import annotations

import random
from datetime import date, datetime

from lapor_domain import SlaLevel, SlaPolicy

OFFICE_OPENS = 7 * 3600 + 1800  # 07:30 local
OFFICE_CLOSES = 16 * 3600
EVENING_ENDS = 21 * 3600
LAST_SAME_DAY = 15 * 3600  # a desk that receives a complaint later acts on a following day


class OfficeHours:
    def __init__(
        self,
        policy: SlaPolicy,
        rng: random.Random,
        *,
        slow_share: float,
        late_share: float,
        after_hours_share: float,
    ) -> None:
        self.calendar = policy.calendar
        self.tz = self.calendar.timezone
        self._random = rng.random
        self._slow = late_share + slow_share  # thresholds on one draw: late first, then slow
        self._late = late_share
        self._after_hours = after_hours_share
        self._sla = {
            level: (policy.for_level(level).target, policy.for_level(level).limit) for level in SlaLevel
        }

    def desk_acts(self, now: datetime, level: SlaLevel) -> datetime:
        """When the desk of ``level`` that received the complaint at ``now`` acts on it."""
        random = self._random
        target, limit = self._sla[level]
        draw = random()
        if draw < self._late:
            days = limit + 1 + int(random() * (limit // 2 + 2))
        elif draw < self._slow and limit > target:
            days = target + 1 + int(random() * (limit - target))
        else:
            days = int(random() ** 1.6 * (target + 1))
        return self.working_time(now, days)

    def working_time(self, now: datetime, days: int) -> datetime:
        """An office-hours instant on the ``days``-th working day after ``now``'s local date (0: today)."""
        random = self._random
        today = now.date()
        if days == 0:
            seconds = now.hour * 3600 + now.minute * 60 + now.second
            if seconds < LAST_SAME_DAY and self.calendar.is_working_day(today):
                earliest = max(seconds + 300, OFFICE_OPENS)
                return self.local(today, earliest + int(random() * (OFFICE_CLOSES - earliest)))
            days = 1
        day = self.calendar.add_working_days(today, days)
        if random() < self._after_hours:
            return self.local(day, OFFICE_CLOSES + int(random() * (EVENING_ENDS - OFFICE_CLOSES)))
        return self.local(day, OFFICE_OPENS + int(random() * (OFFICE_CLOSES - OFFICE_OPENS)))

    def local(self, day: date, seconds: int) -> datetime:
        """``seconds`` after local midnight of ``day``, aware in the calendar's zone."""
        hour, rest = divmod(seconds, 3600)
        minute, second = divmod(rest, 60)
        return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=self.tz)
