"""Argument checks shared by the training recipes and the runtime.

Each raises `ValueError` naming the setting, what it allows and what it got,
so the command line can print it as one line.
"""

import numbers


def check_at_least(name, value, minimum, optional=False):
    """`value` must be a number >= `minimum` (an integer if `minimum` is).

    With `optional=True`, `None` (the setting's "no limit") passes too.

    >>> check_at_least("--epochs", 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: --epochs must be >= 1. Received: 0
    """
    if optional and value is None:
        return
    kind = numbers.Integral if isinstance(minimum, int) else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ValueError(
            f"{name} must be {'an integer' if kind is numbers.Integral else 'a number'}"
            f". Received: {value!r}"
        )
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}. Received: {value!r}")


def check_between(name, value, low, high):
    """`value` must be a number strictly between `low` and `high`."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not low < value < high
    ):
        raise ValueError(
            f"{name} must be in ({low}, {high}). Received: {value!r}"
        )


def check_choice(name, value, choices):
    """`value` must be one of `choices`."""
    if value not in choices:
        raise ValueError(
            f"{name} must be one of {tuple(choices)}. Received: {value!r}"
        )
