import io

from attention_tf.bulk.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_live_bar():
    stream = Terminal()
    with Progress(total=1000, done=100, stream=stream) as progress:
        progress.update(400)
    text = stream.getvalue()
    assert "classify" in text and "rows" in text and "100%" in text


def test_a_low_estimate_grows_instead_of_passing_100_percent():
    stream = Terminal()
    progress = Progress(total=10, stream=stream)
    progress.update(15)
    assert progress.total == 15
    progress.close()


def test_a_log_gets_plain_lines_with_rate_and_time_left():
    stream = io.StringIO()
    with Progress(total=200, stream=stream, interval=0) as progress:
        progress.update(50)
        progress.update(50)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("classify: 50 of ~200 rows (25%), ")
    assert " rows/s, about " in lines[1] and lines[1].endswith(" left")
    assert lines[-1].startswith("classify: 100 rows, ") and lines[-1].endswith(
        " in all"
    )


def test_quiet_writes_nothing():
    stream = Terminal()
    with Progress(total=5, stream=stream, enabled=False) as progress:
        progress.update(5)
    assert stream.getvalue() == ""
