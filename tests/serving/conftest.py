"""A live explorer on a loopback port, with a tiny classifier and translator."""

import socket
import threading
import time

import pytest

from tests.tiny_models import (
    save_classifier,
    save_tiny_translator,
    tiny_classifier,
)


@pytest.fixture(scope="session")
def model_folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("explorer-models")
    classifier = save_classifier(
        tiny_classifier(epochs=4), str(root / "classifier")
    )
    translator = save_tiny_translator(str(root / "translator"))
    return classifier, translator


@pytest.fixture(scope="session")
def explorer(model_folders):
    """The base URL of a running explorer, and its app."""
    import uvicorn

    from attention_tf.commands.serve import build_app

    app = build_app(*model_folders, steps=16)
    # The server gets the socket already bound: no race for a free port.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("The explorer did not start.")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=30)
    listener.close()
