"""``estim serve``: the virtual stimulator and the therapy journal in the browser.

Serves :func:`estim.web.create_app` with uvicorn on 127.0.0.1 (another address only when
``--host`` names it, with a warning: the journal holds health records and has no login),
prints the address and opens it in the browser when run from a terminal. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
from typing import Any

from estim.errors import EstimError, InputError

__all__ = ["register"]

DEFAULT_PORT = 8765


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="the virtual stimulator and therapy journal in the browser",
                       description="Serve the virtual stimulator and the therapy journal on "
                       "this computer and open it in the browser (works offline).")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this computer only)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port (default: {DEFAULT_PORT}; 0: any free port)")
    p.add_argument("--database", default=None, metavar="URL",
                   help="the journal's SQLAlchemy URL (default: SQLite in the user's data "
                   "directory; e.g. postgresql+psycopg://user@host/estim for a clinic)")
    p.add_argument("--no-browser", action="store_true", help="do not open the browser")
    p.set_defaults(handler=_serve)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listen(host: str, port: int) -> socket.socket:
    """A bound socket, so that a port in use is one clear line, and port 0 gets a port."""
    if not 0 <= port <= 65535:
        raise InputError("--port", port, "a port number from 0 to 65535")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise InputError("--host", host, "an address of this computer, such as "
                         "127.0.0.1") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        raise InputError("--port", port, f"a free port on {host} ({err.strerror}; --port 0 "
                         "picks one)") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _serve(args: argparse.Namespace) -> int:
    import threading
    import webbrowser

    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError as err:
        raise EstimError(f"estim serve needs the web extra ({err.name} is not installed): "
                         "pip install 'estim[web]'") from None

    from estim.stimulator.jobs import PREPARE_STACK_B
    from estim.web import create_app

    # Programs are prepared, and requests answered, on worker threads; compiling the fiber
    # kernels there (numba/LLVM, when its cache does not fit) overran the default thread
    # stack and killed the server with SIGSEGV. Threads started from here get 256 MiB
    # (virtual: only what is touched is used).
    threading.stack_size(PREPARE_STACK_B)
    sock = _listen(args.host, args.port)
    port = sock.getsockname()[1]
    if not _loopback(args.host):
        print(f"estim serve: warning: listening on {args.host}: anyone who can reach this "
              "computer can read and change the journal (there is no login)", file=sys.stderr)
    code = 0
    # on this computer alone, only requests addressed to it (a rebinding page elsewhere
    # read the journal); on a network address any name, as the warning says
    from estim.web.app import LOOPBACK_HOSTS

    hosts = (*LOOPBACK_HOSTS, args.host) if _loopback(args.host) else None
    app = create_app(database_url=args.database, hosts=hosts)
    state = app.state.web
    url = _url("127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host, port)
    try:
        # a database that cannot be opened is said now, not on first use
        if state.journal().in_memory:
            # sqlite:// started without a word (probe of 7 December 2026)
            print("estim serve: warning: the journal is in memory (--database "
                  f"{args.database}): everything recorded is lost when the server stops",
                  file=sys.stderr)
        print(f"estim serve: {url}  (Ctrl-C stops it)", flush=True)
        if not args.no_browser and sys.stdout.isatty():
            threading.Timer(1.0, webbrowser.open, args=(url,)).start()
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        server.run(sockets=[sock])
    except KeyboardInterrupt as stop:  # uvicorn shuts down cleanly, then passes it on
        # SIGTERM (estim.cli.main's _Terminated) ends as a signal's death would: 143
        code = 143 if type(stop).__name__ == "_Terminated" else 0
    finally:
        sock.close()
        state.close()  # also when Ctrl-C came before uvicorn started
    print("estim serve: stopped", flush=True)
    sys.stderr.flush()
    # A program still being prepared runs on a worker thread that Python would wait for at
    # exit (seconds, minutes for an FEM site). Nothing of it needs keeping: the journal is
    # closed and commits whole, cache entries are written whole or not at all. Leave now.
    os._exit(code)
