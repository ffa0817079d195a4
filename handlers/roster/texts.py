"""Everything the roles, units, groups and roster features say, in chat and on their pages."""

from __future__ import annotations

from bot.roster_file import MAX_BYTES

HELP_GRANT = "授予书记或管理员权限"
HELP_REVOKE = "撤销权限"
HELP_WHOAMI = "查看我的身份和权限"
HELP_BIND = "把本群绑定到一个单位（支部）"
HELP_UNBIND = "解除本群与单位的绑定"
HELP_UNIT = "单位（支部）：新建、列表"
HELP_UNIT_NEW = "新建单位，例如 /单位 新建 第一党支部 上级 实验中学"
HELP_UNIT_LIST = "查看单位、成员人数、群和书记"

GRANT_USAGE = "用法：/授权 @用户 书记 [单位]，或 /授权 @用户 管理员。"
REVOKE_USAGE = "用法：/撤销 @用户 书记 [单位]，或 /撤销 @用户 管理员。"
UNKNOWN_ROLE = "角色只能是「书记」或「管理员」。"
UNIT_NEEDED = "授权书记需要指明单位，例如：/授权 @张老师 书记 第一党支部。"
AMBIGUOUS = "有多位同名用户，请改用用户ID。"
NOT_YOURSELF = "不能更改自己的权限，请另一位管理员操作。"

FLOW_BIND = "绑定单位"
FLOW_GRANT = "授权书记"
ASK_BIND_UNIT = "要把本群绑定到哪个单位？请回复单位名称，例如：第一党支部"
GROUP_ONLY = "请在要绑定的群里发送这条命令。"
UNIT_NAME_TOO_LONG = "单位名称最多 64 个字，请简短一些。"
ONLY_ADMIN_CREATES = "新建单位需要管理员权限。请回复已有单位的名称，或请管理员先新建。"
NOT_BOUND = "本群还没有绑定单位。"
UNIT_USAGE = "用法：/单位 新建 第一党支部 [上级 实验中学]，或 /单位 列表。"
NO_UNITS = (
    "还没有任何单位。管理员可发送「/单位 新建 第一党支部」新建，或在群里发送「/绑定 第一党支部」。"
)
UNIT_KEYWORDS = {"上级": "parent", "--parent": "parent"}


def group_name(title: str) -> str:
    return f"本群「{title}」" if title else "本群"


def unknown_person(ref: str) -> str:
    return f"没有找到「{ref}」。请对方先在群里@我说一句话（例如「/我是谁」），或改用用户ID。"


def unknown_unit(name: str) -> str:
    return f"没有「{name}」这个单位。"


def granted(name: str, role: str, unit: str | None) -> str:
    where = f"（{unit}）" if unit else ""
    return f"已授予 {name} {role}权限{where}。"


def bind_hint(unit: str) -> str:
    return f"本群还没有绑定单位；如果这是「{unit}」的群，请发送「/绑定 {unit}」。"


def already(name: str, role: str) -> str:
    return f"{name} 已经是{role}。"


def revoked(name: str, role: str, n: int) -> str:
    return f"已撤销 {name} 的{role}权限。" if n else f"{name} 本来就没有{role}权限。"


def whoami(name: str, user: str, role: str, units: list[str], member_of: list[str]) -> str:
    lines = [f"{name or user}（{user}）", f"角色：{role}"]
    if units:
        lines.append("书记单位：" + "、".join(units))
    if member_of:
        lines.append("所在支部：" + "、".join(member_of))
    return "\n".join(lines)


def ask_grant_unit(name: str) -> str:
    return (
        f"本群还没有绑定单位。{name} 是哪个单位的书记？"
        "请回复单位名称（没有的会新建），我会把本群也绑定到这个单位。"
    )


def grant_preview(name: str, role: str, unit: str, new_unit: bool, bind: bool, group: str) -> str:
    head = f"没有「{unit}」这个单位。将新建「{unit}」，" if new_unit else "将"
    where = "它" if new_unit else f"「{unit}」"
    binding = f"把{group}绑定到{where}，" if bind else ""
    return f"{head}{binding}并授予 {name} {role}权限（{unit}）。"


def bind_preview(unit: str, new_unit: bool, current: str, group: str) -> str:
    head = f"没有「{unit}」这个单位，将新建它，并" if new_unit else "将"
    if current:
        return f"{group}目前绑定的是「{current}」。{head}把{group}改绑到「{unit}」。"
    return f"{head}把{group}绑定到「{unit}」。"


def bound(unit: str, group: str, joined: int) -> str:
    text = f"已把{group}绑定到「{unit}」。群里的提醒、签到和投票都算作「{unit}」的。"
    if joined:
        text += f"\n在本群和我说过话的 {joined} 人已加入「{unit}」名单。"
    return text


def already_bound(unit: str, group: str) -> str:
    return f"{group}已经绑定在「{unit}」。"


def unbound(unit: str, group: str) -> str:
    return f"已解除{group}与「{unit}」的绑定。"


def not_managed(unit: str) -> str:
    return f"您不是「{unit}」的书记，不能把群绑定到它。"


def unit_created(name: str, parent: str) -> str:
    where = f"（上级：{parent}）" if parent else ""
    return f"已新建单位「{name}」{where}。在它的群里发送「/绑定 {name}」即可绑定。"


def unit_exists(name: str) -> str:
    return f"已经有「{name}」这个单位了。"


def unit_line(name: str, parent: str, members: int, groups: int, secretaries: list[str]) -> str:
    where = f"（上级：{parent}）" if parent else ""
    who = "、".join(secretaries) if secretaries else "未设"
    return f"· {name}{where}：成员 {members} 人，群 {groups} 个，书记 {who}"


def units_header(n: int) -> str:
    return f"共 {n} 个单位："


# --- audit log lines (shown on the 人员 page) ------------------------------------------

VIA_CHAT = "（聊天）"


def audit_grant(name: str, role: str, unit: str | None) -> str:
    return f"授予 {name} {role}" + (f"（{unit}）" if unit else "")


def audit_revoke(name: str, role: str, unit: str | None) -> str:
    return f"撤销 {name} {role}" + (f"（{unit}）" if unit else "")


def audit_bind(group: str, unit: str) -> str:
    return f"群「{group}」绑定到「{unit}」"


def audit_unbind(group: str, unit: str) -> str:
    return f"群「{group}」解除与「{unit}」的绑定"


def audit_unit(name: str) -> str:
    return f"新建单位「{name}」"


# --- console pages ----------------------------------------------------------------------

PEOPLE_TITLE = "人员"
UNITS_TITLE = "单位"
GROUPS_TITLE = "群"
IMPORT_TITLE = "花名册导入"
SEARCH = "搜索"
SEARCH_HINT = "姓名或用户ID"
ALL_UNITS = "全部单位"
ALL_ROLES = "全部角色"
ROLE_NAMES = {"secretary": "支部书记", "admin": "管理员", "teacher": "教师"}
PEOPLE_HEAD = ("姓名", "平台", "用户ID", "所在支部", "角色")
NO_PEOPLE = "没有找到人员。花名册可在「花名册导入」上传，或让大家在已绑定的群里@机器人说一句话。"
MORE_PEOPLE = "只显示前 {n} 人，请用搜索缩小范围。"
HISTORY = "权限变更记录"
HISTORY_HEAD = ("时间", "操作人", "变更")
NO_HISTORY = "还没有权限变更。"
PLATFORM_NAMES = {"wecom": "企业微信", "dingtalk": "钉钉", "local": "本地"}
# The kinds of file bot.roster_file tells apart.
LAYOUTS = {"ours": "同心花名册", "wecom": "企业微信通讯录导出", "dingtalk": "钉钉通讯录导出"}
TEACHER = "教师"
ADMIN_ROLE = "管理员"
PERSON_UNITS = "所在支部"
PERSON_ROLES = "权限"
NO_UNITS_YET = "还不在任何支部的名单上。"
NO_ROLES = "没有书记或管理员权限（教师）。"
ADD_TO_UNIT = "加入支部名单"
ADD = "加入"
REMOVE = "移出"
REVOKE = "撤销"
GRANT = "授予权限"
GRANT_BUTTON = "授予"
SECRETARY_OF = "支部书记："
CHOOSE_UNIT = "选择单位"
YOURSELF = "这是您自己：权限请另一位管理员修改。"
DONE = {
    "join": "已加入支部名单。",
    "leave": "已移出支部名单。",
    "grant": "已授予权限，记录见下方。",
    "revoke": "已撤销权限，记录见下方。",
    "had": "对方已经有这个权限。",
    "created": "单位已新建。",
    "renamed": "单位已改名。",
    "bound": "已绑定。",
    "unbound": "已解除绑定。",
    "credential": "凭证已保存（只显示首尾几位）。",
    "removed": "凭证已删除。",
}

UNITS_HEAD = ("单位", "上级", "成员", "群", "书记")
NEW_UNIT = "新建单位"
UNIT_NAME = "单位名称"
PARENT = "上级单位（可不选）"
NO_PARENT = "无"
CREATE = "新建"
RENAME = "改名"
SAVE = "保存"
NAME_TAKEN = "已经有同名的单位了。"
NAME_EMPTY = "请填写单位名称。"
UNIT_PEOPLE = "查看人员"

GROUPS_HEAD = ("群", "平台", "单位", "机器人凭证", "首次出现")
NO_GROUPS = "还没有群。把机器人拉进群并@它说一句话，群就会出现在这里。"
UNBOUND = "未绑定"
NO_CREDENTIAL = "未设置"
BIND_TO = "绑定到单位"
BIND = "绑定"
UNBIND = "解除绑定"
CREDENTIAL = "机器人凭证"
CREDENTIAL_HINT = {
    "wecom": "企业微信群机器人 webhook 的 key（webhook 地址中 key= 后面的部分）。",
    "dingtalk": "钉钉自定义机器人的 access_token；启用加签时，把 SEC 开头的密钥填在下一栏。",
}
SECRET = "密钥"
EXTRA = "加签密钥（SEC…，可不填）"
CREDENTIAL_NONE = "本地通道的群不需要凭证。"
REMOVE_CREDENTIAL = "删除凭证"
SECRET_EMPTY = "请填写密钥。"
FIRST_SEEN = "首次出现"
GROUP_ID = "群ID"

IMPORT_INTRO = (
    f"上传花名册（XLSX 或 CSV，不超过 {MAX_BYTES // 1024 // 1024} MB）。"
    "可以直接用企业微信或钉钉管理后台导出的通讯录，"
    "也可以用本系统的格式：姓名、平台、用户ID、单位/支部、角色。上传后先预览，确认后才导入。"
)
IMPORT_SECRETARY = "您只能导入自己支部的名单。"
FILE = "文件"
PLATFORM = "平台"
PLATFORM_AUTO = "按文件识别"
UPLOAD = "上传预览"
NO_FILE = "请选择要上传的文件。"
LAYOUT = "识别为"
GOOD_ROWS = "可以导入"
BAD_ROWS = "有误，不会导入"
ROWS_HEAD = ("行", "姓名", "平台", "用户ID", "单位", "角色")
CONFIRM_IMPORT = "确认导入"
FIX_AND_RETRY = "请改正文件后重新上传；也可以只导入正确的行。"
NOTHING_TO_IMPORT = "没有可以导入的行。"
UPLOAD_AGAIN = "重新上传"
STALE = "预览已失效，请重新上传。"
UNIT_REQUIRED = "单位不能为空（您只能导入自己支部的名单）"
NO_ADMIN = "只有管理员能导入管理员"


def unit_refused(unit: str) -> str:
    return f"{unit}：不是您管辖的单位"


def only_first(shown: int, total: int) -> str:
    return f"这里列出前 {shown} 行，共 {total} 行；确认后全部导入。"


def line(n: int, reason: str) -> str:
    return f"第 {n} 行：{reason}"


def imported(n: int) -> str:
    return f"已导入 {n} 人。"


def audit_join(name: str, unit: str) -> str:
    return f"{name} 加入「{unit}」名单"


def audit_leave(name: str, unit: str) -> str:
    return f"{name} 移出「{unit}」名单"


def audit_import(n: int, layout: str) -> str:
    return f"花名册导入 {n} 人（{layout}）"


def audit_rename(old: str, new: str) -> str:
    return f"单位「{old}」改名为「{new}」"


def audit_credential(group: str, kind: str, masked: str) -> str:
    return f"群「{group}」设置凭证 {kind} {masked}"


def audit_credential_removed(group: str) -> str:
    return f"群「{group}」删除凭证"
