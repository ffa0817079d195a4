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
