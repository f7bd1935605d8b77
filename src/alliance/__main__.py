"""``python -m alliance`` runs the CLI."""

from alliance.cli import main

main()
