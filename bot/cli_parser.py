"""The argument parser of `tongxin` and of the features' own commands.

A wrong argument is one Chinese line on stderr and exit status 2, where
argparse would print its English usage block and "error: …". argparse words
its messages with `%`-formats of its own (Lib/argparse.py); the common ones
are said again in Chinese (bot.cli_texts.usage_error), anything else is
passed on as argparse wrote it, inside the Chinese line.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from bot import cli_texts as t


class Parser(argparse.ArgumentParser):
    """argparse.ArgumentParser whose usage errors are one Chinese line; its sub-command
    parsers are of this class too (add_subparsers makes them of the parent's type)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"tongxin: {t.usage_error(self.prog, message)}\n")
