"""`attention-tf serve`: the explorer on a local web server."""

from attention_tf.explain.attribution_methods import IG_STEPS


def register(subparsers):
    """Adds the `serve` subcommand."""
    serve = subparsers.add_parser(
        "serve",
        help="Explore attention and attributions in the browser.",
        description="Serves a page and a JSON API (POST /api/classify, "
        "POST /api/translate) for a trained classifier and/or translator.",
    )
    serve.add_argument("--model", help="A train-doc-classifier output folder.")
    serve.add_argument("--translator", help="A train-translator output folder.")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="Address to listen on (default: this machine only).",
    )
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--steps",
        type=int,
        default=IG_STEPS,
        help="Integrated-gradients steps.",
    )
    serve.add_argument(
        "--max-batch",
        type=int,
        default=64,
        help="Most texts per model call; 1 turns request batching off.",
    )
    serve.set_defaults(func=serve_command)


def build_app(model=None, translator=None, steps=IG_STEPS, max_batch=64):
    """The explorer app for run folders (either may be `None`)."""
    from attention_tf.explain.classifier_explainer import ClassifierExplainer
    from attention_tf.explain.model_loading import (
        load_classifier,
        load_translator,
    )
    from attention_tf.serving.explorer_app import create_app

    if model is None and translator is None:
        raise ValueError("Give --model, --translator or both.")
    explainer = None
    if model is not None:
        explainer = ClassifierExplainer(load_classifier(model), steps=steps)
    return create_app(
        explainer,
        load_translator(translator) if translator is not None else None,
        max_batch=max_batch,
    )


def serve_command(args):
    try:
        import uvicorn
    except ImportError:
        raise ValueError(
            "`serve` needs the serve extra: pip install 'attention_tf[serve]'"
        ) from None
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port must be 0..65535. Received: {args.port}")
    if args.max_batch < 1:
        raise ValueError(
            f"--max-batch must be >= 1. Received: {args.max_batch}"
        )
    app = build_app(args.model, args.translator, args.steps, args.max_batch)
    print(f"Explorer at http://{args.host}:{args.port}/", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
