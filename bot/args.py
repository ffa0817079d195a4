"""Command arguments: quoted strings, --flags and Chinese keyword forms."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"\s*(?:(?P<q>[\"'“‘「『《])(?P<quoted>.*?)(?:(?P=q)|[”’」』》])|(?P<bare>\S+))"
)


@dataclass
class Args:
    """What followed the command (and sub-command) words."""

    positional: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def get(self, name: str, default: str = "") -> str:
        return self.options.get(name, default)

    @property
    def first(self) -> str:
        return self.positional[0] if self.positional else ""


def tokenize(text: str) -> list[str]:
    """Split on spaces, keeping quoted runs (ASCII or Chinese quotes) whole."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        if match.group("q") is not None:
            tokens.append(match.group("quoted"))
        elif match.group("bare") is not None:
            tokens.append(match.group("bare"))
    return tokens


def parse_args(text: str, keywords: Mapping[str, str] = {}) -> Args:
    """Positional words first, then options.

    `--until 15:30` and the Chinese `截止 15:30` (or `截止15:30`) both set
    options["until"]. An option's value runs to the next option, so
    `截止 明天 下午3点` keeps its space. A flag with no value is "true".
    """
    args = Args(text=text.strip())
    current: str | None = None
    values: list[str] = []

    def close() -> None:
        if current is not None:
            args.options[current] = " ".join(values) if values else "true"

    ordered = sorted(keywords, key=len, reverse=True)
    for token in tokenize(text):
        name, rest = _option_start(token, ordered, keywords)
        if name is not None:
            close()
            current, values = name, ([rest] if rest else [])
        elif current is None:
            args.positional.append(token)
        else:
            values.append(token)
    close()
    return args


def _option_start(
    token: str, ordered: list[str], keywords: Mapping[str, str]
) -> tuple[str | None, str]:
    if token.startswith("--") and len(token) > 2:
        name, _, value = token[2:].partition("=")
        return name.lower(), value
    for word in ordered:
        if token == word:
            return keywords[word], ""
        if token.startswith(word) and not token[len(word)].isspace():
            return keywords[word], token[len(word) :].lstrip(":")
    return None, ""
