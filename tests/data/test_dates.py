"""Tests for the synthetic date-normalisation task."""

import datetime

import pytest

from attention_tf.data import dates
from attention_tf.data.parallel_text import standardize


def test_generate_is_deterministic_and_correct():
    pairs = dates.generate(500, seed=7)
    assert pairs == dates.generate(500, seed=7)
    assert pairs != dates.generate(500, seed=8)
    for human, iso in pairs:
        date = datetime.date.fromisoformat(iso)
        assert dates.FIRST_DATE <= date <= dates.LAST_DATE
        tokens = standardize(human).split()
        fields = dates.field_tokens(iso)
        # Every field of the answer is written somewhere in the question.
        for name in ("year", "month", "day"):
            assert fields[name] & set(tokens), (human, iso, name)


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("{d} {month} {y}", "3 May 1979"),
        ("{mm}/{dd}/{yy}", "05/03/79"),
        ("{wd}, {month} {d}, {y}", "Thursday, May 3, 1979"),
        ("the {th} of {month} {y}", "the 3rd of May 1979"),
        ("{dd}.{mm}.{y}", "03.05.1979"),
    ],
)
def test_formats(fmt, expected):
    assert dates.format_date(datetime.date(1979, 5, 3), fmt) == expected


def test_every_format_appears_and_formats_are_unambiguous():
    pairs = dates.generate(4000, seed=0)
    # A human string never maps to two different dates.
    answers = {}
    for human, iso in pairs:
        assert answers.setdefault(standardize(human), iso) == iso
    slash = [
        h for h, _ in pairs if h.count("/") == 2 and len(h.split("/")[0]) < 4
    ]
    assert slash


def test_invalid_arguments():
    with pytest.raises(ValueError, match="count"):
        dates.generate(0)
    with pytest.raises(ValueError, match="before"):
        dates.generate(3, first=dates.LAST_DATE, last=dates.FIRST_DATE)
