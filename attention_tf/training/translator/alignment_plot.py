"""Attention heatmaps of translations: source tokens x output tokens."""

from attention_tf.utils.atomic_files import save_figure


def plot_alignments(translations, path):
    """Writes one heatmap per `Translation` side by side into a PNG file."""
    # A bare Figure, not pyplot: it leaves the caller's backend alone (a
    # notebook keeps showing its own plots inline).
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4.5 * len(translations), 4.5))
    axes = figure.subplots(1, len(translations), squeeze=False)
    for axis, translation in zip(axes[0], translations):
        axis.imshow(translation.weights, cmap="viridis", vmin=0.0, vmax=1.0)
        source, target = translation.source_tokens, translation.target_tokens
        axis.set_xticks(range(len(source)), source, rotation=90)
        axis.set_yticks(range(len(target)), target)
        axis.set_xlabel("source")
        axis.set_ylabel("output")
    figure.tight_layout()
    save_figure(path, figure)
