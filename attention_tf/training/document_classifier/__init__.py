"""The document classifier's recipe: config, data, inputs, model, report, trainer."""
