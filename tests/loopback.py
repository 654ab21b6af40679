"""A local HTTP server for tests that stand in for a party on the network (a newsletter
platform's webhook receiver, a website with the cookie banner, PyPI): served from a thread on
127.0.0.1 while the `with` block runs, then stopped and closed. No mock of HTTP."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import HTTPServer


@contextmanager
def serving(server: HTTPServer) -> Iterator[str]:
    """Serves `server` (bound to 127.0.0.1, port 0 for a free one); yields its base URL."""
    # shutdown() waits for the loop's next poll: up to 0.5 s by default, per test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
