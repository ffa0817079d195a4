"""What reading a roster file says: why a line or the whole file was not taken, for the
console's 花名册导入 and `tongxin roster import` alike."""

from __future__ import annotations

from collections.abc import Sequence

# What a column is called in an error when the file has none of that name.
COLUMN_NAMES = {
    "name": "姓名",
    "user_id": "用户ID",
    "platform": "平台",
    "unit": "单位",
    "role": "角色",
}

# --- the file as a whole -------------------------------------------------------------

EMPTY_FILE = "文件是空的"
NO_PLATFORM_COLUMN = "表头缺少列：平台（或在导入时选择平台）"
OLD_XLS = "不支持旧版 .xls 文件，请在 Excel 或 WPS 中另存为 .xlsx 或 CSV"
UNKNOWN_ENCODING = "无法识别文件编码，请另存为 UTF-8 CSV"
BAD_CSV = "格式有误（可能是引号没有配对），请检查后另存为 CSV"


def missing_columns(names: Sequence[str]) -> str:
    return "表头缺少列：" + "、".join(names)


def too_big(size_mb: float, max_mb: int) -> str:
    return f"文件太大（{size_mb:.1f} MB），花名册最大 {max_mb} MB，请分成几个文件导入"


def too_many_rows(limit: int) -> str:
    return f"超过 {limit} 行，请分成几个文件导入"


def not_excel(filename: str) -> str:
    return f"{filename} 不是有效的 Excel 文件，请在 Excel 或 WPS 中另存为 .xlsx 或 CSV"


def unreadable_line(line: int, reason: str) -> str:
    return f"第 {line} 行读不出来：{reason}"


def cell_too_long(limit: int) -> str:
    return f"有一格超过 {limit:,} 个字符，可能不是花名册或引号没有配对"


# --- one line ------------------------------------------------------------------------


def empty(column: str) -> str:
    return f"{column}不能为空"


def too_long(column: str, limit: int) -> str:
    return f"{column}超过 {limit} 个字"


def no_platform(column: str) -> str:
    return f"{column}不能为空（或在导入时选择平台）"


def unknown_platform(column: str, word: str) -> str:
    return f"{column}「{word}」不认识，应为 企业微信、钉钉 或 本地"


def unknown_role(column: str, word: str) -> str:
    return f"{column}「{word}」不认识，应为 教师、书记 或 管理员"


def secretary_needs_unit(column: str) -> str:
    return f"书记需要填写{column}"


def duplicate(column: str, user_id: str, others: Sequence[int]) -> str:
    lines = "、".join(str(n) for n in others)
    return f"{column}「{user_id}」与第 {lines} 行重复，均未导入"


# --- `tongxin roster import` on the terminal ------------------------------------------


def line_error(line: int, reason: str) -> str:
    return f"第 {line} 行：{reason}"


def imported(people: int, bad_lines: int) -> str:
    return f"导入 {people} 人，{bad_lines} 行有误未导入。"
