"""What the platform adapters themselves say: to people, and to admins about the set-up."""

from __future__ import annotations

# A reply longer than one WeCom AI-bot response can carry.
REST_FOLLOWS = "（内容较长，余下部分紧接着发出。）"
REST_IN_CONSOLE = "（内容较长，这里只列出前面一部分，完整内容请到管理后台查看。）"
