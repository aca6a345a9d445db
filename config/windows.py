"""Maintenance, backup and snapshot windows: their formats and the rules AWS enforces between them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from config.base import FieldError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_CLOCK = r"([01]\d|2[0-3]):[0-5]\d"
_DAY = "(mon|tue|wed|thu|fri|sat|sun)"

DailyWindow = Annotated[str, Field(pattern=rf"^{_CLOCK}-{_CLOCK}$")]
"""A daily UTC time range `hh24:mi-hh24:mi`, e.g. a backup or snapshot window."""

WeeklyWindow = Annotated[str, Field(pattern=rf"^{_DAY}:{_CLOCK}-{_DAY}:{_CLOCK}$")]
"""A weekly UTC time range `ddd:hh24:mi-ddd:hh24:mi`, e.g. a maintenance window."""

WEEK = 7 * 24 * 60


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def weekly_ranges(window: str) -> list[tuple[int, int]]:
    """A weekly window as minute-of-week ranges (split in two when it wraps past Sunday midnight)."""
    start, end = window.split("-")
    start_day, start_clock = start.split(":", 1)
    end_day, end_clock = end.split(":", 1)
    begin = DAYS.index(start_day) * 1440 + _minutes(start_clock)
    finish = DAYS.index(end_day) * 1440 + _minutes(end_clock)
    return [(begin, finish)] if begin < finish else [(begin, WEEK), (0, finish)]


def daily_ranges(window: str) -> list[tuple[int, int]]:
    """A daily window repeated over the week as minute-of-week ranges."""
    start, end = (_minutes(part) for part in window.split("-"))
    ranges = []
    for day in range(7):
        begin, finish = day * 1440 + start, day * 1440 + end
        if start >= end:  # wraps past midnight
            finish += 1440
        ranges.extend([(begin, finish)] if finish <= WEEK else [(begin, WEEK), (0, finish - WEEK)])
    return ranges


def window_length(ranges: list[tuple[int, int]]) -> int:
    """Total minutes of a weekly window given as ranges."""
    return sum(finish - begin for begin, finish in ranges)


def check_windows(daily: str, daily_key: str, weekly: str, weekly_key: str) -> None:
    """Reject windows AWS refuses: shorter than 30 minutes, or a daily window overlapping the weekly one."""
    check_daily_window(daily, daily_key)
    daily_parts = daily_ranges(daily)
    weekly_parts = weekly_ranges(weekly)
    if window_length(weekly_parts) < 30:
        raise FieldError(weekly_key, f"{weekly!r} is shorter than the 30 minutes AWS requires")
    for begin, finish in daily_parts:
        for other_begin, other_finish in weekly_parts:
            if begin < other_finish and other_begin < finish:
                raise FieldError(weekly_key, f"{weekly!r} overlaps {daily_key} {daily!r}; AWS requires them apart")


def check_daily_window(window: str, key: str) -> None:
    """Reject a daily window shorter than the 30 minutes AWS requires."""
    start, end = (_minutes(part) for part in window.split("-"))
    if (end - start) % 1440 < 30:
        raise FieldError(key, f"{window!r} is shorter than the 30 minutes AWS requires")
