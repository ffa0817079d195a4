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


# --- `tongxin db backup` / `tongxin db restore` ----------------------------------------

KEY_IN_ENV = "匿名建言的封存密钥在 TONGXIN_SECRET_KEY 里，不在备份中：请另外妥善保存这个值。"
NO_KEY_YET = "还没有生成匿名建言的封存密钥，备份之外无需另存。"


def backed_up(target: str, size: str) -> str:
    return f"已备份到 {target}（{size}）。"


def restored(source: str) -> str:
    return f"已从 {source} 恢复数据库。"


def key_file(path: str) -> str:
    return (
        f"匿名建言的封存密钥是 {path}，有意不放进备份：请把它另外存一份"
        "（不要和备份放在一起），没有它就无法再回复以前的匿名建言。"
    )


def key_file_missing(path: str) -> str:
    return (
        f"注意：{path} 不存在。如果原来的服务器上有这个封存密钥文件，请把它拷到这里，"
        "否则无法回复以前的匿名建言。"
    )


def not_sqlite_backup(source: str) -> str:
    return f"{source} 不是 SQLite 数据库的备份（本服务用的是 SQLite）"


def not_pg_dump(source: str) -> str:
    return f"{source} 不是 pg_dump 的备份（本服务用的是 PostgreSQL）"


def not_tongxin_backup(source: str) -> str:
    return f"{source} 不是同心的数据库备份"


def upgrade_failed(reason: str) -> str:
    return f"已恢复，但数据库升级失败：{reason}"


def target_exists(target: str) -> str:
    return f"{target} 已经存在；请换一个文件名，或先删掉它"


def no_directory(path: str) -> str:
    return f"目录 {path} 不存在"


def no_backup_file(source: str) -> str:
    return f"找不到备份文件 {source}"


def nothing_to_back_up(db: str) -> str:
    return f"数据库文件 {db} 不存在，没有可备份的内容"


def backup_failed(db: str, reason: str) -> str:
    return f"备份 {db} 失败：{reason}"


def restore_failed(source: str, reason: str) -> str:
    return f"从 {source} 恢复失败：{reason}"


def damaged(path: str, check: str | None) -> str:
    return f"{path} 已损坏（quick_check：{check if check is not None else '无结果'}）"


def tool_failed(tool: str, said: str | None, code: int | None) -> str:
    return f"{tool} 失败：{said if said else f'退出码 {code}'}"


def no_pg_tool(tool: str) -> str:
    return f"找不到 {tool}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）"


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
