"""Requests that arrive together share one model call."""

import collections
import concurrent.futures
import queue
import threading

_Job = collections.namedtuple("_Job", ["key", "function", "items", "future"])


class MicroBatcher:
    """Runs model calls on one thread, merging the jobs queued meanwhile.

    1. `submit(key, function, items)` queues a job and returns a
       `concurrent.futures.Future` of `function(items)`: one result per
       item.
    2. The worker takes the oldest job, then every queued job with the
       same `key` (same function and options), up to `max_items` items,
       without waiting: an idle server answers at once, a busy one
       batches what arrived while it was computing.
    3. It calls the function once on all their items and hands each job
       its slice; an exception goes to every job of that call.

    One thread owns the model, so the model is never called concurrently.

    Args:
        max_items: Most items per call.

    Example:

    >>> batcher = MicroBatcher(max_items=8)
    >>> batcher.submit("double", lambda xs: [2 * x for x in xs],
    ...                [1, 2]).result()
    [2, 4]
    >>> batcher.close()
    """

    def __init__(self, max_items=64):
        self.max_items = max_items
        self.calls = 0
        self._queue = queue.Queue()
        self._thread = threading.Thread(
            target=self._work, name="model-batcher", daemon=True
        )
        self._thread.start()

    def submit(self, key, function, items):
        """Queues `function(items)`; returns its future."""
        future = concurrent.futures.Future()
        self._queue.put(_Job(key, function, list(items), future))
        return future

    def close(self):
        """Stops the worker after the jobs already queued."""
        self._queue.put(None)
        self._thread.join()

    def _work(self):
        waiting = collections.deque()
        while True:
            job = waiting.popleft() if waiting else self._queue.get()
            if job is None:
                return
            batch, count = [job], len(job.items)
            others = collections.deque()
            # Same-key jobs that waited behind another key go first.
            for source in (waiting, None):
                while count < self.max_items:
                    if source is waiting:
                        if not waiting:
                            break
                        candidate = waiting.popleft()
                    else:
                        try:
                            candidate = self._queue.get_nowait()
                        except queue.Empty:
                            break
                    if candidate is not None and candidate.key == job.key:
                        batch.append(candidate)
                        count += len(candidate.items)
                    else:
                        others.append(candidate)
            waiting.extendleft(reversed(others))
            self._run(batch)

    def _run(self, batch):
        items = [item for job in batch for item in job.items]
        self.calls += 1
        try:
            results = batch[0].function(items)
        except Exception as error:  # Every waiting request must hear of it.
            for job in batch:
                job.future.set_exception(error)
            return
        start = 0
        for job in batch:
            job.future.set_result(results[start : start + len(job.items)])
            start += len(job.items)
