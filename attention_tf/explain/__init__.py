"""Is the attention an explanation? Attributions beside it, and measured.

- `attended_words`, `attention_html`: each word a classifier read with its
  attention weight, and texts shaded by it as a page.
- `ClassifierExplainer`: per word, the attention weight, integrated
  gradients on the embeddings and leave-one-out, for the end-to-end
  document classifiers (BiLSTM and HAN).
- `faithfulness`: ERASER comprehensiveness and sufficiency (AOPC) of any
  word ranking.

The `explain` and `faithfulness` subcommands live in
`attention_tf.commands.explain`. Needs TensorFlow.
"""

from attention_tf.explain.attended_words import attended_words, attention_html
from attention_tf.explain.classifier_explainer import ClassifierExplainer

__all__ = ["ClassifierExplainer", "attended_words", "attention_html"]
