"""Browser assets served by the node: the COP console (``console/``) and the
libraries it and the API docs use, installed from the npm registry by `make`."""

from pathlib import Path

WEB_ROOT = Path(__file__).parent
NODE_MODULES = WEB_ROOT / "node_modules"
CONSOLE = WEB_ROOT / "console"

__all__ = ["CONSOLE", "NODE_MODULES", "WEB_ROOT"]
