"""The Bahdanau encoder-decoder: translator, decoder cell, generation.

- `BahdanauTranslator`: a BiLSTM encoder and an attention decoder (Keras
  only, every backend); greedy and beam search through `samplers`.
- `BahdanauDecoderCell`: one decoder step, Bahdanau attention by
  `AttentionPooling` with a query.
- `Translator`: text in, text out: the model with its tokenizers, loaded
  from a training run folder (`Translator.load`).
"""

from attention_tf.models.bahdanau.bahdanau_decoder_cell import (
    BahdanauDecoderCell,
)
from attention_tf.models.bahdanau.bahdanau_translator import BahdanauTranslator
from attention_tf.models.bahdanau.translator import Translator

__all__ = ["BahdanauDecoderCell", "BahdanauTranslator", "Translator"]
