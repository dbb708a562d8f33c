"""JSON request bodies read and checked, with errors that name the problem."""

import json

MAX_BODY_BYTES = 1 << 21
MAX_TEXTS = 64
MAX_TEXT_CHARACTERS = 50_000


class RequestError(Exception):
    """A bad request: its HTTP status and a message for the client."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


async def read_json_object(request):
    """The request's JSON object, read with a size cap.

    Raises:
        RequestError: 415 for a content type other than JSON, 413 for a
            body over `MAX_BODY_BYTES`, 400 for bytes that are not UTF-8,
            text that is not JSON, or JSON that is not an object.
    """
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type != "application/json":
        raise RequestError(
            415,
            "Content-Type must be application/json; received "
            f"{content_type or 'none'!r}.",
        )
    body = bytearray()
    # Read in pieces, so an oversized body is refused before it is whole.
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise RequestError(
                413, f"The request body is over {MAX_BODY_BYTES} bytes."
            )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError(
            400,
            f"The request body is not valid UTF-8: byte {error.start} "
            f"({error.reason}).",
        ) from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise RequestError(
            400,
            f"The request body is not valid JSON: {error.msg} at line "
            f"{error.lineno}, column {error.colno}.",
        ) from None
    if not isinstance(payload, dict):
        raise RequestError(
            400,
            "The request body must be a JSON object such as "
            f'{{"texts": ["..."]}}; received a {type(payload).__name__}.',
        )
    return payload


def check_fields(payload, allowed):
    """Refuses fields other than `allowed`, naming them."""
    unknown = sorted(set(payload) - set(allowed))
    if unknown:
        raise RequestError(
            400, f"Unknown field(s) {unknown}; allowed: {sorted(allowed)}."
        )


def texts_field(payload):
    """`payload["texts"]`: 1 to `MAX_TEXTS` non-blank, bounded strings."""
    texts = payload.get("texts")
    if texts is None:
        raise RequestError(
            400, 'The field "texts" (a list of strings) is required.'
        )
    if not isinstance(texts, list) or not texts:
        raise RequestError(400, '"texts" must be a non-empty list of strings.')
    if len(texts) > MAX_TEXTS:
        raise RequestError(
            413, f'"texts" has {len(texts)} entries; at most {MAX_TEXTS}.'
        )
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise RequestError(
                400,
                f"texts[{index}] must be a string; received a "
                f"{type(text).__name__}.",
            )
        if not text:
            raise RequestError(400, f"texts[{index}] is empty.")
        if not text.strip():
            raise RequestError(400, f"texts[{index}] has only whitespace.")
        if len(text) > MAX_TEXT_CHARACTERS:
            raise RequestError(
                413,
                f"texts[{index}] has {len(text)} characters; at most "
                f"{MAX_TEXT_CHARACTERS}.",
            )
    return texts


def choice_list_field(payload, name, allowed, default):
    """`payload[name]`: a list of values from `allowed`, or `default`."""
    values = payload.get(name, default)
    if not isinstance(values, list) or any(v not in allowed for v in values):
        raise RequestError(
            400,
            f'"{name}" must be a list of values from {list(allowed)}; '
            f"received {values!r}.",
        )
    return tuple(v for v in allowed if v in values)


def integer_field(payload, name, default, lowest, highest):
    """`payload[name]`: an integer in `[lowest, highest]`, or `default`."""
    value = payload.get(name, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not lowest <= value <= highest
    ):
        raise RequestError(
            400,
            f'"{name}" must be an integer from {lowest} to {highest}; '
            f"received {value!r}.",
        )
    return value
