"""Browser assets served by the node (installed from the npm registry by `make`)."""

from pathlib import Path

WEB_ROOT = Path(__file__).parent
NODE_MODULES = WEB_ROOT / "node_modules"

__all__ = ["NODE_MODULES", "WEB_ROOT"]
