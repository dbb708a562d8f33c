"""The local runner: a bulk job in this process, no Ray needed."""


def run_local(windows, core, folder, progress):
    """Classifies each window with `core` and hands the records to `folder`.

    Args:
        windows: Lists of `CorpusRow`s (`pending_windows`).
        core: A `BatchClassifier`.
        folder: The claimed `OutputFolder`; its shards are written as they
            complete, the last at the end.
        progress: A `Progress`, told of every window done.
    """
    for rows in windows:
        predictions, errors = core(rows)
        folder.add(predictions, errors)
        progress.update(len(rows))
    folder.flush()
