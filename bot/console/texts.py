"""What the console itself says; pages keep their own words in their features' texts."""

LINK_INVALID_TITLE = "链接已失效"
LINK_INVALID = (
    "这个登录链接已经用过、已过期或不正确。"
    "请在与机器人的私聊中重新发送「/后台」获取新链接（10 分钟内有效）。"
)
DOWNLOAD_INVALID = "这个下载链接已经用过、已过期或不正确。请在聊天中重新发送导出命令。"
SIGN_IN_TITLE = "请先登录"
SIGN_IN = "登录已过期或尚未登录。请在与机器人的私聊中发送「/后台」获取登录链接。"
LOGGED_OUT_TITLE = "已退出"
LOGGED_OUT = "您已退出后台。"
CSRF_TITLE = "请求已过期"
CSRF = "页面已过期，请返回刷新后再操作。"
FORBIDDEN_TITLE = "无权查看"
FORBIDDEN = "您没有查看这一页的权限。"
NOT_FOUND_TITLE = "没有这一页"
NOT_FOUND = "没有找到您要的内容。"
INDEX_TITLE = "同心后台"
TOO_LARGE_TITLE = "文件太大"


def too_large(limit: int) -> str:
    mb = max(1, limit // (1024 * 1024))
    return f"上传的内容超过 {mb} MB，没有接收。请删去不需要的列或分成几个文件，返回后重新上传。"


# The deliveries page (admins): messages that could not be delivered.
DELIVERIES_TITLE = "发送失败"
DELIVERIES_INTRO = (
    "这里列出未能送达和正在重试的消息。平台故障时，消息会在仍有意义的时间内（如会议提醒到会议开始前）"
    "自动重试；过期、被平台拒绝或送达情况不明的消息停在这里，确认原因后可点「重发」。"
)
DELIVERIES_HEALTH = "各平台状态"
# A platform's set-up problems (a wrong secret, a quota running out), each with its fix.
PROBLEMS = "需要管理员处理的设置问题"
DELIVERIES_FAILED = "未能送达"
DELIVERIES_RETRYING = "正在重试"
DELIVERIES_NONE_FAILED = "没有未能送达的消息。"
DELIVERIES_NONE_RETRYING = "没有正在重试的消息。"
DELIVERIES_HEAD = ("创建时间", "平台", "发给", "内容", "尝试", "原因", "")
DELIVERIES_HEALTH_HEAD = ("平台", "状态", "积压", "重试中", "近 24 小时失败")
RESEND = "重发"
RESENT = "已重新排入发送队列。"
HIDDEN_RECIPIENT = "（匿名，不显示）"
HIDDEN_BODY = "（匿名内容，不显示）"
PURGED_BODY = "（内容已清除，无法重发）"
FILE_BODY = "（文件）"
STATE_OK = "正常"
STATE_FAILING = "连续失败"
REASON_EXPIRED = "已过期"
REASON_UNCERTAIN = "送达情况不明"
REASON_REFUSED = "平台拒绝"
CHAT_KINDS = {"group": "群", "direct": "私聊"}
