"""Is the attention an explanation? Attributions beside it, and measured.

- `ClassifierExplainer`: per word, the attention weight, integrated
  gradients on the embeddings and leave-one-out, for the end-to-end
  document classifiers (BiLSTM and HAN).
- `faithfulness`: ERASER comprehensiveness and sufficiency (AOPC) of any
  word ranking.
- `commands`: the `explain` and `faithfulness` subcommands.
"""

from attention_tf.explain.classifier_explainer import ClassifierExplainer

__all__ = ["ClassifierExplainer"]
