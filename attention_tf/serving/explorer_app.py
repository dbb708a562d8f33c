"""The explorer's ASGI app: the page, its assets and the JSON API."""

import asyncio
import contextlib
import importlib.resources
import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from attention_tf.serving import request_parsing as parsing
from attention_tf.serving.micro_batcher import MicroBatcher

METHODS = ("attention", "integrated_gradients", "leave_one_out")
MAX_BEAM = 8
# The page and its assets: URL path -> (file in static/, media type).
_ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/explorer.js": ("explorer.js", "text/javascript; charset=utf-8"),
    "/explorer.css": ("explorer.css", "text/css; charset=utf-8"),
    # Browsers ask for /favicon.ico unless the page names an icon.
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
    "/favicon.ico": ("favicon.svg", "image/svg+xml"),
}
# Everything the page loads comes from this server.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
}
_log = logging.getLogger(__name__)


def create_app(explainer=None, translator=None, max_batch=64):
    """The explorer for a classifier, a translator, or both.

    Args:
        explainer: A `ClassifierExplainer`, or `None`.
        translator: A function `texts, beam -> [dict]`
            (`explain.model_loading.load_translator`), or `None`.
        max_batch: Most texts per model call; 1 turns batching off.

    Returns:
        A Starlette app; `app.state.batcher` is its `MicroBatcher`.
    """
    if explainer is None and translator is None:
        raise ValueError(
            "The explorer needs a classifier, a translator or both."
        )
    batcher = MicroBatcher(max_batch)
    app = Starlette(
        routes=_asset_routes() + _api_routes(explainer, translator, batcher),
        exception_handlers={
            parsing.RequestError: _request_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
        lifespan=_closing(batcher),
    )
    app.state.batcher = batcher
    return app


def _asset_routes():
    """The page and its assets, read once; a request never names a file."""
    static = importlib.resources.files("attention_tf.serving") / "static"
    assets = {
        path: (static.joinpath(name).read_bytes(), media_type)
        for path, (name, media_type) in _ASSETS.items()
    }

    async def asset(request):
        body, media_type = assets[request.url.path]
        return Response(body, media_type=media_type, headers=_SECURITY_HEADERS)

    return [Route(path, asset) for path in assets]


def _api_routes(explainer, translator, batcher):
    """`/api/info`, `/api/classify` and `/api/translate`."""

    async def info(request):
        return JSONResponse(
            {
                "classifier": explainer
                and {"class_names": explainer.class_names, "methods": METHODS},
                "translator": translator is not None,
            }
        )

    async def classify(request):
        payload, texts = await _texts_request(
            request, explainer, "classifier", ("texts", "methods")
        )
        methods = parsing.choice_list_field(
            payload, "methods", METHODS, ["attention"]
        )
        results = await _batched(
            batcher,
            ("classify", methods),
            lambda items: explainer.explain(items, methods),
            texts,
        )
        _check_words(results)
        return JSONResponse({"results": results})

    async def translate(request):
        payload, texts = await _texts_request(
            request, translator, "translator", ("texts", "beam")
        )
        beam = parsing.integer_field(payload, "beam", 0, 0, MAX_BEAM)
        results = await _batched(
            batcher,
            ("translate", beam),
            lambda items: translator(items, beam),
            texts,
        )
        return JSONResponse({"results": results})

    return [
        Route("/api/info", info),
        Route("/api/classify", classify, methods=["POST"]),
        Route("/api/translate", translate, methods=["POST"]),
    ]


async def _texts_request(request, model, kind, fields):
    """`(payload, texts)` of a request to `model`; 404 when none is loaded."""
    if model is None:
        raise parsing.RequestError(404, f"No {kind} is loaded.")
    payload = await parsing.read_json_object(request)
    parsing.check_fields(payload, fields)
    return payload, parsing.texts_field(payload)


def _closing(batcher):
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        batcher.close()

    return lifespan


async def _batched(batcher, key, function, texts):
    return await asyncio.wrap_future(batcher.submit(key, function, texts))


def _check_words(results):
    for index, result in enumerate(results):
        if not result["words"]:
            raise parsing.RequestError(
                422,
                f"texts[{index}] has no words the model reads (after "
                "lower-casing and removing punctuation).",
            )


async def _request_error(request, error):
    return JSONResponse({"error": error.message}, status_code=error.status)


async def _http_error(request, error):
    message = {
        404: f"No such page: {request.url.path}",
        405: f"{request.method} is not allowed on {request.url.path}.",
    }.get(error.status_code, error.detail)
    return JSONResponse({"error": message}, status_code=error.status_code)


async def _server_error(request, error):
    _log.exception("Failed on %s", request.url.path)
    return JSONResponse(
        {"error": f"Internal error: {type(error).__name__}: {error}"},
        status_code=500,
    )
