import threading

import pytest

from attention_tf.serving.micro_batcher import MicroBatcher


def test_jobs_queued_meanwhile_share_one_call_and_get_their_own_results():
    started, gate, calls = threading.Event(), threading.Event(), []

    def slow_double(items):
        started.set()
        gate.wait(10)
        calls.append(list(items))
        return [2 * x for x in items]

    batcher = MicroBatcher(max_items=100)
    first = batcher.submit("double", slow_double, [0])
    assert started.wait(10)
    waiting = [
        batcher.submit("double", slow_double, [i, -i]) for i in range(1, 6)
    ]
    other = batcher.submit("negate", lambda xs: [-x for x in xs], [7])
    gate.set()
    assert first.result(10) == [0]
    for i, future in enumerate(waiting, 1):
        assert future.result(10) == [2 * i, -2 * i]
    assert other.result(10) == [-7]
    # The first call started alone; the five queued behind it went in one.
    assert calls == [[0], [1, -1, 2, -2, 3, -3, 4, -4, 5, -5]]
    assert batcher.calls == 3
    batcher.close()


def test_a_batch_respects_max_items():
    gate, sizes = threading.Event(), []

    def record(items):
        gate.wait(10)
        sizes.append(len(items))
        return items

    batcher = MicroBatcher(max_items=4)
    futures = [batcher.submit("k", record, [i]) for i in range(9)]
    gate.set()
    assert [f.result(10) for f in futures] == [[i] for i in range(9)]
    assert max(sizes) <= 4 and sum(sizes) == 9
    batcher.close()


def test_an_error_reaches_every_job_of_its_call_and_the_worker_survives():
    gate = threading.Event()

    def fail(items):
        gate.wait(10)
        raise RuntimeError(f"bad batch of {len(items)}")

    batcher = MicroBatcher()
    futures = [batcher.submit("k", fail, [i]) for i in range(3)]
    gate.set()
    for future in futures:
        with pytest.raises(RuntimeError, match="bad batch"):
            future.result(10)
    assert batcher.submit("k", lambda xs: xs, ["ok"]).result(10) == ["ok"]
    batcher.close()
