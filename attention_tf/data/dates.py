"""A synthetic translation task: dates in human formats to ISO 8601.

"3 May 1979", "05/03/79" or "Thursday, May 3, 1979" -> "1979-05-03". Every
format is unambiguous: slashes are month/day/year (US), dots
day.month.year, and two-digit years mean 1950-2049. Small and exact, so a
model learns it in about a minute, and its attention should be nearly
monotonic: the year, month and day of the output come from the source
tokens that carry them.
"""

import datetime

import numpy as np

FIRST_DATE = datetime.date(1950, 1, 1)
LAST_DATE = datetime.date(2049, 12, 31)

_MONTHS = [datetime.date(2000, m, 1).strftime("%B") for m in range(1, 13)]
_WEEKDAYS = [datetime.date(2001, 1, d).strftime("%A") for d in range(1, 8)]


def _ordinal(day):
    suffix = (
        "th"
        if 10 <= day % 100 <= 20
        else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    )
    return f"{day}{suffix}"


# Each format writes a date from its parts: d (day), m (month number),
# month / mon (full and abbreviated names), wd / wdy (weekday), y (year).
_FORMATS = (
    "{d} {month} {y}",
    "{d} {mon} {y}",
    "{dd} {month} {y}",
    "{month} {d}, {y}",
    "{mon} {d}, {y}",
    "{mon}. {d}, {y}",
    "{wd}, {month} {d}, {y}",
    "{wdy}, {d} {mon} {y}",
    "{month} {th}, {y}",
    "the {th} of {month} {y}",
    "{th} {month} {y}",
    "{mm}/{dd}/{yy}",
    "{m}/{d}/{y}",
    "{dd}.{mm}.{y}",
    "{d}.{m}.{yy}",
    "{y}/{mm}/{dd}",
    "{d}-{mon}-{y}",
    "{d} {mon} {yy}",
    "{month} {y}, {d}",
)


def format_date(date, fmt):
    """Writes `date` with one of the format strings of this module."""
    text = fmt.format(
        d=date.day,
        dd=f"{date.day:02d}",
        th=_ordinal(date.day),
        m=date.month,
        mm=f"{date.month:02d}",
        month=_MONTHS[date.month - 1],
        mon=_MONTHS[date.month - 1][:3],
        wd=_WEEKDAYS[date.weekday()],
        wdy=_WEEKDAYS[date.weekday()][:3],
        y=date.year,
        yy=f"{date.year % 100:02d}",
    )
    return text


def generate(count, seed=0, first=FIRST_DATE, last=LAST_DATE):
    """`count` pairs `(human, iso)` of dates drawn uniformly in `[first, last]`.

    Letter case varies at random ("MAY", "may", "May"); the model's
    standardisation lowercases it again, as for real text.
    """
    if count < 1:
        raise ValueError(f"`count` must be positive. Received: {count}")
    if last < first:
        raise ValueError(f"`last` ({last}) is before `first` ({first}).")
    rng = np.random.default_rng(seed)
    days = rng.integers(0, (last - first).days + 1, size=count)
    formats = rng.integers(0, len(_FORMATS), size=count)
    cases = rng.integers(0, 6, size=count)
    pairs = []
    for day, fmt, case in zip(days, formats, cases):
        date = first + datetime.timedelta(days=int(day))
        text = format_date(date, _FORMATS[fmt])
        text = (
            text.upper() if case == 0 else text.lower() if case == 1 else text
        )
        pairs.append((text, date.isoformat()))
    return pairs


def field_tokens(iso):
    """The source tokens that may carry each field of an ISO date.

    Returns:
        A dict from `"year"`, `"month"`, `"day"` to sets of lowercase tokens
        ("1979" or "79"; "05", "5", "may" or "may"; "03", "3" or "3rd").
    """
    date = datetime.date.fromisoformat(iso)
    month = _MONTHS[date.month - 1].lower()
    return {
        "year": {str(date.year), f"{date.year % 100:02d}"},
        "month": {str(date.month), f"{date.month:02d}", month, month[:3]},
        "day": {str(date.day), f"{date.day:02d}", _ordinal(date.day)},
    }
