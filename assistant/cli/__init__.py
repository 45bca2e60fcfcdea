"""The command line's modules: one per command group, `common` for what they share, `help_text` for the
examples. The app itself, and its table of commands, is `assistant.cli.__main__` (the `assistant` script).
"""
