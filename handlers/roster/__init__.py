"""Who is who: roles, units, groups and the roster, set up from chat or from the console.

- grants.py: /授权 · /撤销 · /我是谁 (admins grant; nobody changes their own role);
- setup.py: /绑定 · /解绑 · /单位, a school set up from chat alone;
- ops.py: what each change does, and its line in the audit log;
- people_page.py, units_page.py, groups_page.py, import_page.py: the console's
  人员, 单位, 群 and 花名册导入 pages (bot.roster_file reads the files).
"""

from __future__ import annotations

from bot.feature import Feature
from bot.roles import Role
from handlers.roster import texts as t

feature = Feature("roster", __name__)
grant_cmd = feature.command("grant", "授权", help=t.HELP_GRANT, role=Role.ADMIN)
revoke_cmd = feature.command("revoke", "撤销", help=t.HELP_REVOKE, role=Role.ADMIN)
whoami_cmd = feature.command("whoami", "我是谁", help=t.HELP_WHOAMI)
bind_cmd = feature.command("bind", "绑定", help=t.HELP_BIND, role=Role.SECRETARY)
unbind_cmd = feature.command("unbind", "解绑", help=t.HELP_UNBIND, role=Role.SECRETARY)
unit_cmd = feature.command("unit", "单位", help=t.HELP_UNIT, role=Role.SECRETARY)

# They register on `feature`; the pages in the order the console's menu lists them.
# isort: off
from handlers.roster import grants, setup  # noqa: E402
from handlers.roster import people_page, units_page, groups_page, import_page  # noqa: E402

# isort: on

__all__ = [
    "feature",
    "grants",
    "groups_page",
    "import_page",
    "people_page",
    "setup",
    "units_page",
]
