"""Bulk classification: a corpus in, predictions out, streamed and resumable.

- `classify_files(model, input, output, ...)`: the whole job in one call
  (`attention-tf classify --input ... --output ...` calls it).
- `ClassifyJob`: its settings; `CorpusReader`: the input's rows;
  `BatchClassifier`: rows in, records out, the core every runner calls;
  `OutputFolder`: the resumable output.

The local runner needs TensorFlow (and `tqdm` for the bar on a terminal);
`runner="ray"` needs the `ray` extra.
"""

from attention_tf.bulk.batch_classifier import BatchClassifier
from attention_tf.bulk.classify_files import classify_files
from attention_tf.bulk.classify_job import ClassifyJob
from attention_tf.bulk.corpus_reader import CorpusReader
from attention_tf.bulk.corpus_row import CorpusRow
from attention_tf.bulk.output_folder import OutputFolder

__all__ = [
    "BatchClassifier",
    "ClassifyJob",
    "CorpusReader",
    "CorpusRow",
    "OutputFolder",
    "classify_files",
]
