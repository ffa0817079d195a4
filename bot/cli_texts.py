"""What `tongxin …` says on the terminal when something is not right: one line, in Chinese."""

from __future__ import annotations

import re

MIGRATE = "请先运行 tongxin db upgrade"
NOT_MIGRATED = f"数据库还没有建表（未迁移）：{MIGRATE}。"
BEHIND = f"数据库的版本与程序不一致：{MIGRATE}。"
UP_TO_DATE = "数据库已是最新。"
BAD_TARGET = "群要写成 平台:群ID，例如 wecom:wrkSFfCgAA…"
KIND_NEEDED = "这个平台需要用 --kind 指明凭证类型。"
BAD_NOW = "--now 不是 ISO 8601 时间："


def no_database(path: str) -> str:
    return f"数据库文件 {path} 还不存在：{MIGRATE}（它会创建并迁移数据库）。"


def unreachable(reason: str) -> str:
    return f"连不上数据库（{reason}）：请检查 TONGXIN_DATABASE_URL 和数据库服务。"


def database_error(reason: str) -> str:
    return f"数据库出错（{reason}）。如果刚升级过程序，{MIGRATE}。"


def no_file(path: str) -> str:
    return f"找不到文件：{path}"


def no_unit(name: str) -> str:
    return f"没有「{name}」这个单位。"


def bound(target: str, unit: str, credential: str) -> str:
    where = f"，单位「{unit}」" if unit else ""
    return f"已绑定 {target}{where}{credential}。"


def credential(kind: str, masked: str) -> str:
    return f"，凭证 {kind} {masked}"


# argparse's own messages (Lib/argparse.py), and what they are in Chinese.
_ARGPARSE = [
    (r"the following arguments are required: (.+)", "缺少参数 {0}"),
    (r"unrecognized arguments: (.+)", "不认识的参数 {0}"),
    (r"argument \S+: invalid choice: (.+?) \(choose from (.+)\)", "没有 {0} 这个命令，可以用：{1}"),
    (r"argument (\S+): expected one argument", "{0} 后面要跟一个值"),
    (r"argument (\S+): expected (.+) arguments?", "{0} 后面的值个数不对"),
    (r"argument (\S+): invalid (\w+) value: (.+)", "{0} 的值 {2} 不是{1}"),
    (r"argument (\S+): not allowed with argument (\S+)", "{0} 不能和 {1} 一起用"),
    (r"argument (\S+): ignored explicit argument (.+)", "{0} 后面不需要值 {1}"),
    (r"ambiguous option: (\S+) could match (.+)", "{0} 可能是 {1}，请写完整"),
]
_TYPES = {"int": "整数", "float": "数字"}


def usage_error(prog: str, message: str) -> str:
    said = message
    for pattern, chinese in _ARGPARSE:
        found = re.fullmatch(pattern, message)
        if found:
            words = [g.replace("'", "") for g in found.groups()]
            said = chinese.format(*[_TYPES.get(w, w) for w in words])
            break
    return f"{said}。用 {prog} --help 查看用法。"
