"""Everything the roles and roster commands say."""

from __future__ import annotations

HELP_GRANT = "授予书记或管理员权限"
HELP_REVOKE = "撤销权限"
HELP_WHOAMI = "查看我的身份和权限"

GRANT_USAGE = "用法：/授权 @用户 书记 [单位]，或 /授权 @用户 管理员。"
REVOKE_USAGE = "用法：/撤销 @用户 书记 [单位]，或 /撤销 @用户 管理员。"
UNKNOWN_ROLE = "角色只能是「书记」或「管理员」。"
UNIT_NEEDED = "授权书记需要指明单位，例如：/授权 @张老师 书记 第一党支部。本群尚未绑定单位。"
AMBIGUOUS = "有多位同名用户，请改用用户ID。"


def unknown_person(ref: str) -> str:
    return f"没有找到「{ref}」。请确认对方已和我说过话，或改用用户ID。"


def unknown_unit(name: str) -> str:
    return f"没有「{name}」这个单位。请先用 tongxin roster import 导入花名册。"


def granted(name: str, role: str, unit: str | None) -> str:
    where = f"（{unit}）" if unit else ""
    return f"已授予 {name} {role}权限{where}。"


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
