"""The translator's recipe: config, data, evaluation, trainer, alignment plots."""
