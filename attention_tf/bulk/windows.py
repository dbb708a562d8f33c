"""The rows a job still has to classify, in windows sorted as one."""


def pending_windows(rows, shard_size, done_shards, window):
    """Cuts rows into windows, leaving out the shards already done.

    A window never spans two shards, so a shard is cut the same way
    whether the job ran at once or resumed: the same batches, the same
    numbers.

    Args:
        rows: `CorpusRow`s in record order (a `CorpusReader`).
        shard_size: Records per shard.
        done_shards: Numbers of the shards written by an earlier run.
        window: Most rows per window (the classifier sorts a window by
            length).

    Yields:
        Lists of rows, in record order.

    Example:

    >>> from attention_tf.bulk.corpus_row import CorpusRow
    >>> rows = [CorpusRow(i, i, "text", i + 1, None, None) for i in range(8)]
    >>> [[row.record for row in w] for w in pending_windows(rows, 3, {1}, 2)]
    [[0, 1], [2], [6, 7]]
    """
    batch, shard = [], None
    for row in rows:
        if row.record // shard_size in done_shards:
            continue
        if batch and (
            len(batch) == window or row.record // shard_size != shard
        ):
            yield batch
            batch = []
        batch.append(row)
        shard = row.record // shard_size
    if batch:
        yield batch
