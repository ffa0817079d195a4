"""DingTalk's monthly call quota: counted by the bot, since no API says what is left.

An organisation on DingTalk's standard edition may make a set number of
calls to metered APIs each calendar month; past it they are refused with
`Forbidden.AccessDenied.ApiCountLimitForOrg` (oapi: errcode 90020, "您的企业
本月api调用量已超过限制,调用量:10001次,额度:10000次,请登录开发者后台-资源管理-
查看用量明细") until the month turns; calls to unmetered APIs go on (DingTalk
help centre, "API调用量超过限额后,是否会有超额提示"). Fetching the access token
and replying through a message's sessionWebhook are not metered. No API
reports the count or what is left: the developer console's 资源管理 page is
the only place that shows it.

So the bot counts its own metered calls that DingTalk accepted (the OpenAPI
sends and file uploads), per calendar month in the bot's time zone, and
tells the admins once a month when the count passes four fifths of
`TONGXIN_DINGTALK_MONTHLY_QUOTA`. Other apps of the organisation draw on
the same quota, so the count is a floor, and the message says where to see
the real figure.

Counting costs the send path nothing but an addition in memory; a periodic
job adds the process's count to `api_call_counts` and reads the total back,
so restarts and replicas add up. A call counted in the last minute of a
month may land in the next one's count.
"""

from __future__ import annotations

from datetime import timedelta

from bot.platforms import texts
from bot.platforms.alerts import Alerts
from bot.runtime import Runtime
from storage.api_calls import add_calls

PROBLEM = "dingtalk.quota_low"
# DingTalk refused a call for the spent quota (bot.platforms.dingtalk_api).
SPENT = "dingtalk.quota"
PLATFORM = "dingtalk"
# Admins are warned with a fifth of the month's calls still to go.
LOW_SHARE = 0.8
SAVE_EVERY = timedelta(minutes=1)


class QuotaMeter:
    def __init__(self, runtime: Runtime, alerts: Alerts, quota: int) -> None:
        self.runtime = runtime
        self.alerts = alerts
        self.quota = quota
        self._unsaved = 0
        self._month = ""
        # This month's calls by every process, as last read.
        self.used = 0

    @property
    def on(self) -> bool:
        return self.quota > 0

    def count(self) -> None:
        """A metered call DingTalk answered."""
        self._unsaved += 1

    def month(self) -> str:
        rt = self.runtime
        return rt.clock.now().astimezone(rt.settings.tz).strftime("%Y-%m")

    async def save(self) -> None:
        """Add what this process counted to the month's total and read the total back."""
        month = self.month()
        unsaved, self._unsaved = self._unsaved, 0
        try:
            async with self.runtime.db.transaction() as session:
                self.used = await add_calls(session, PLATFORM, month, unsaved)
        except BaseException:
            self._unsaved += unsaved
            raise
        if month != self._month:
            # A new month, a new quota: last month's warning no longer stands.
            self._month = month
            self.alerts.cleared(PROBLEM)

    async def watch_dingtalk_quota(self, _rt: Runtime) -> None:
        """The periodic job (named for the error reports): save, and warn the admins
        once a month when the quota runs low."""
        await self.save()
        if self.alerts.standing(SPENT):
            # Spent says it all: no "running low" after "used up".
            self.alerts.cleared(PROBLEM)
        elif self.used >= self.quota * LOW_SHARE:
            advice = texts.dingtalk_quota_low(self.quota)
            await self.alerts.raised(PROBLEM, advice, period=self._month)
