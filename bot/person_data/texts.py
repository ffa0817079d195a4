"""What `tongxin person export` and `tongxin person erase` say, and the labels of the
core's sections. Features keep the labels of their own sections in their texts.py."""

from __future__ import annotations

from collections.abc import Sequence

from bot.person_data import ERASED_NAME

# --- the export file -----------------------------------------------------------------

ABOUT = (
    "这是同心助手保存的与您有关的全部记录，按类别列出。时间为北京时间；「是/否」表示记录中的标记。"
)
ANONYMOUS_NOTE = (
    "匿名投票的选择、匿名反馈的意见和匿名建言不与任何人关联：同心只记录您是否参加，"
    "不记录哪一份是您的，因此本文件不包含这些内容，注销时也无从删除，它们只计入总数。"
)
KEY_ABOUT = "说明"
KEY_ANONYMOUS = "匿名内容"
KEY_WHEN = "导出时间"
KEY_SECTIONS = "记录"
KEY_TITLE = "类别"
KEY_NOTE = "备注"
KEY_ROWS = "内容"
SHEET_ABOUT = "说明"
YES, NO = "是", "否"

PERSON = "基本信息"
PERSON_ID = "编号"
PLATFORM = "平台"
USER_ID = "用户ID"
NAME = "姓名"
FIRST_SEEN = "首次联系"
PLATFORMS = {"wecom": "企业微信", "dingtalk": "钉钉", "local": "本地通道"}

UNITS = "所在单位"
UNIT = "单位"
ROLES = "角色"
ROLE = "角色"
ALL_UNITS = "全部"
GRANTED_BY = "授予人"
GRANTED_AT = "授予时间"
GROUPS = "发过言的群"
GROUP = "群"
LAST_SEEN = "最近一次"
SESSIONS = "后台登录"
SIGNED_IN = "登录时间"
EXPIRES = "到期时间"
LINKS = "后台一次性链接"
LINK_PURPOSE = "用途"
PURPOSES = {"login": "登录", "download": "下载", "upload": "上传待确认"}
USED = "已使用"
AUDIT = "后台操作记录"
AT = "时间"
ACTION = "操作"
DETAIL = "详情"
DIRECT = "发给您的消息"
STATE = "状态"
STATES = {"pending": "待发送", "sending": "发送中", "sent": "已送达", "failed": "发送失败"}
TEXT = "内容"
SECRET_TEXT = "（保密消息，内容不导出）"
PURGED_TEXT = "（内容已删除：保密消息发出即删，其余按保存期限删除）"
MENTIONS = "提到您的消息"
SENT_TO = "发往"
SOMEONE = "他人私聊"
INBOUND = "尚未处理的消息"
RECEIVED = "收到时间"
INBOUND_NOTE = (
    "消息处理完即删除内容，只留编号用于去重，不再记录发送人；"
    "尚未处理的消息只列出时间，内容不导出（可能是匿名作答）。"
)
FLOWS = "进行中的对话"
FLOW = "事项"
STEP_AT = "最近回答"
FLOWS_NOTE = "对话中已填写的内容不导出：其中可能有匿名作答。"

# --- what an erasure did, by table ---------------------------------------------------

E_DIRECT = "发给本人的消息"
E_MENTIONS = "提到本人的消息内容"
E_INBOUND = "本人尚未处理的消息"
E_FLOWS = "进行中的对话"
E_UNITS = "单位名册"
E_ROLES = "角色"
E_GRANTERS = "其授予他人角色的授予人记录"
E_GROUPS = "群聊发言记录"
E_SESSIONS = "后台登录"
E_LINKS = "后台一次性链接"
E_AUDIT = "后台操作记录"
E_AUDIT_NAMED = "他人后台操作记录中提到其姓名的地方"

# --- the command line ----------------------------------------------------------------

BAD_REF = "请用人员编号或「平台:用户ID」指明此人，例如 12 或 wecom:zhangsan。"
NOT_MIGRATED = "数据库尚未建表或版本过旧，请先运行 tongxin db upgrade。"
BAD_OUT = "导出文件请以 .json 或 .xlsx 结尾。"
CANCELLED = "已取消，没有删除任何内容。"
CONFIRM = "确认请输入「确认」："


def unknown_person(ref: str) -> str:
    return f"找不到人员「{ref}」。"


def already_erased(ref: str) -> str:
    return f"人员「{ref}」已经注销过了。"


def database_error(reason: str) -> str:
    return f"数据库出错：{reason}"


def not_compacted(reason: str) -> str:
    return (
        f"此人已注销，但数据库文件未能重写（{reason}）：旧内容可能还留在文件的空闲空间里，"
        "请在服务空闲时对数据库执行 VACUUM（PostgreSQL 用 VACUUM FULL）。"
    )


def cannot_write(path: str, reason: str) -> str:
    return f"无法写入 {path}：{reason}"


def who(name: str, key: str, person_id: int) -> str:
    return f"{name or key}（{key}，编号 {person_id}）"


def exported(person: str, path: str, counts: Sequence[tuple[str, int]]) -> str:
    held = "、".join(f"{title} {n} 条" for title, n in counts) or "没有其他记录"
    return f"已把{person}的个人信息导出到 {path}：{held}。"


def erase_prompt(person: str) -> str:
    return (
        f"将注销{person}：删除其账号、姓名、所在单位、角色、会话与消息；"
        f"签到、投票、意见等台账的人数不变，姓名改为「{ERASED_NAME}」。此操作无法撤销。"
    )


HOW_WORDS = {"deleted": "删除", "kept": f"保留为「{ERASED_NAME}」", "cleared": "清除"}


def erased(person: str, parts: Sequence[tuple[str, Sequence[tuple[str, int]]]]) -> str:
    said = "".join(
        f"{HOW_WORDS[how]} " + "、".join(f"{what} {n} 条" for what, n in items) + "；"
        for how, items in parts
        if items
    )
    return f"已注销{person}。{said}此人的账号再联系同心时，将作为新人员重新登记。"
