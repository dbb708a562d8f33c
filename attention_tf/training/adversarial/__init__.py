"""Adversarial and virtual adversarial training on word vectors.

- `perturbations`: the maths (Miyato, Dai & Goodfellow 2017): embedding
  normalisation, perturbations scaled per text, the power iteration, KL.
- `adversarial_trainer`: `AdversarialTrainer`, a `keras.Model` that wraps a
  document classifier and adds the losses in its `train_step`.
"""
