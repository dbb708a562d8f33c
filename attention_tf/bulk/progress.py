"""`Progress`: rows done, rows/s and time left, for a terminal or a log."""

import sys
import time

from attention_tf.utils.optional import import_optional


class Progress:
    """Shows a bulk job's progress on standard error.

    On a terminal, a live `tqdm` bar: rows, rows/s and, when the number of
    rows is known, the share done and the time left. Otherwise (a log file,
    a pipe, CI), one plain line every `interval` seconds, and one at the
    end.

    Args:
        total: Rows in the input (an estimate will do), or `None`.
        done: Rows already done (by an earlier run of a resumed job).
        stream: Where to write; standard error by default.
        interval: Seconds between plain lines.
        enabled: `False` shows nothing.

    Example:

    >>> import io
    >>> stream = io.StringIO()
    >>> with Progress(total=10, stream=stream, interval=0) as progress:
    ...     progress.update(4)
    >>> stream.getvalue().splitlines()[0].split(",")[0]
    'classify: 4 of ~10 rows (40%)'
    """

    def __init__(
        self, total=None, done=0, stream=None, interval=5.0, enabled=True
    ):
        self.stream = sys.stderr if stream is None else stream
        self.total = total
        self.done = done
        self.interval = interval
        self.enabled = enabled
        self._start = self._last = time.monotonic()
        self._counted = 0
        self._bar = None
        if enabled and _is_terminal(self.stream):
            tqdm = import_optional("tqdm", "The progress bar", "tqdm", "bulk")
            self._bar = tqdm.tqdm(
                total=total,
                initial=done,
                unit=" rows",
                unit_scale=True,
                file=self.stream,
                desc="classify",
                dynamic_ncols=True,
            )

    def update(self, rows):
        """Counts `rows` more rows done."""
        self.done += rows
        self._counted += rows
        if self._bar is not None:
            if self.total is not None and self.done > self.total:
                self._bar.total = self.total = self.done  # A low estimate.
            self._bar.update(rows)
        elif self.enabled and time.monotonic() - self._last >= self.interval:
            self._print()

    def close(self):
        if self._bar is not None:
            self._bar.total = self.done  # Ends at 100% whatever the estimate.
            self._bar.refresh()
            self._bar.close()
        elif self.enabled:
            self._print(final=True)

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    def _print(self, final=False):
        now = time.monotonic()
        self._last = now
        rate = self._counted / max(now - self._start, 1e-9)
        line = f"classify: {self.done:,} "
        if self.total and not final:
            line += f"of ~{self.total:,} rows ({min(self.done / self.total, 1):.0%})"
        else:
            line += "rows"
        line += f", {rate:,.0f} rows/s"
        if self.total and not final and rate > 0:
            left = max(self.total - self.done, 0) / rate
            line += f", about {_duration(left)} left"
        if final:
            line += f", {_duration(now - self._start)} in all"
        print(line, file=self.stream, flush=True)


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _duration(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"
