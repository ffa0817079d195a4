"""What `tongxin …` says on the terminal when something is not right: one line, in Chinese."""

from __future__ import annotations

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
