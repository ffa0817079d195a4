"""A platform's set-up problems: logged, told to the admins once, listed for /healthz.

An adapter calls `raised` when the platform refuses it for a reason only an
admin can fix (`bot.delivery.NeedsAdmin`: a wrong secret, a server address
the platform does not allow, a spent quota) and `cleared` once a call that
would have failed goes through. While a problem stands, `problems()` lists
it in plain Chinese with its fix.

The admins are told through the outbox, on every platform they are on, once
a day at most per problem (or once per `period` the caller names, such as a
month): the idempotency key holds it, so neither a restart nor a second
replica tells them twice.
"""

from __future__ import annotations

import logging

from bot.errors import alert_admins
from bot.platforms import texts
from bot.runtime import Runtime

log = logging.getLogger("tongxin.alerts")

# A message held for a set-up problem is tried again this much later: soon
# enough after a fix, rare enough not to hammer a platform that refuses us.
RETRY_SECONDS = 15 * 60.0
# After a refusal the same call is not made again for this long: the other
# messages of a batch are held at once instead of each asking again.
REFUSAL_MEMORY_SECONDS = 60.0


class Alerts:
    def __init__(self, runtime: Runtime, platform: str) -> None:
        self.runtime = runtime
        self.platform = platform
        self._active: dict[str, str] = {}

    def problems(self) -> list[str]:
        return list(self._active.values())

    def standing(self, problem: str) -> bool:
        return problem in self._active

    async def raised(self, problem: str, advice: str, *, period: str = "") -> None:
        if self._active.get(problem) == advice:
            return
        self._active[problem] = advice
        log.error("%s set-up problem %s: %s", self.platform, problem, advice)
        rt = self.runtime
        day = rt.clock.now().astimezone(rt.settings.tz).date().isoformat()
        async with rt.db.transaction() as session:
            key = f"{problem}:{period or day}"
            outs = await alert_admins(session, rt.settings.admins, key, texts.alert(advice))
            await rt.send(session, outs)
        if not outs:
            log.warning("no admin to tell: name one in TONGXIN_ADMINS")

    def cleared(self, *problems: str) -> None:
        for problem in problems:
            if self._active.pop(problem, None) is not None:
                log.info("%s set-up problem %s is resolved", self.platform, problem)
