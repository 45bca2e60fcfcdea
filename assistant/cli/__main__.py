"""`python -m assistant.cli`: the same command as the `assistant` script."""

from assistant.cli import app

app()
