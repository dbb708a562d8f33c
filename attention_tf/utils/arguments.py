"""Argument checks shared by layers, models, data and training code.

Pure Python, so any module may import it; each error names the argument,
what it allows and what it received, in Keras' wording.
"""


def check_positive_integers(allow_none=False, **values):
    """Each keyword value must be an `int` >= 1 (a `bool` is not one).

    Args:
        allow_none: Whether `None` (a setting left unset) passes.
        **values: The arguments to check, by name.

    >>> check_positive_integers(units=4, heads=0)
    Traceback (most recent call last):
    ...
    ValueError: `heads` must be a positive integer. Received: heads=0
    """
    for name, value in values.items():
        if allow_none and value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(
                f"`{name}` must be a positive integer. "
                f"Received: {name}={value!r}"
            )
