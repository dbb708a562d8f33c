"""A browser explorer of attention and attributions, with a JSON API.

`create_app` builds the ASGI app (Starlette); `attention-tf serve` runs it
with uvicorn. Needs the `serve` extra: `pip install attention_tf[serve]`.
"""
