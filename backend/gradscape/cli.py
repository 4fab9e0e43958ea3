"""The `gradscape` command: `gradscape serve [--host HOST] [--port PORT] [--workers N]`."""

import argparse
import logging
import os
from typing import Any

import uvicorn

from gradscape.api.admission import available_cores

# On SIGTERM, requests still running after this many seconds are cancelled; their heavy
# work stops at its next deadline check, so the process exits promptly.
GRACEFUL_SECONDS = 1.0

LOG_CONFIG: dict[str, Any] = {
    **uvicorn.config.LOGGING_CONFIG,
    "loggers": {
        **uvicorn.config.LOGGING_CONFIG["loggers"],
        "gradscape": {"handlers": ["default"], "level": "INFO", "propagate": False},
    },
}


def server_options(workers: int = 1) -> dict[str, Any]:
    """What every Gradscape server runs with (also used by the tests' live server)."""
    return {
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
        "access_log": False,  # ours (api/middleware.py) also logs each request's duration
        "log_config": LOG_CONFIG,
        "workers": workers,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gradscape", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and the site")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WORKERS", "0")) or None,
        help="server processes (default: one per core); each runs heavy work in one niced "
        "worker process of its own",
    )
    serve.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    if args.command == "serve":
        cores = available_cores()
        workers = max(1, args.workers or cores)
        logging.getLogger("gradscape").info("serving with %d worker(s)", workers)
        uvicorn.run(
            "gradscape.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            **server_options(workers),
        )


if __name__ == "__main__":
    main()
