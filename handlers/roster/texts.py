"""Everything the roles, units, groups and roster features say, in chat and on their pages."""

from __future__ import annotations

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
