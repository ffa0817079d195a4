"""What the /后台 command says."""

HELP = "打开网页后台（查看结果、下载台账）"
DIRECT_ONLY = "为安全起见，登录链接只在私聊中发送。请私聊我发送「/后台」。"


def login_link(url: str) -> str:
    return f"后台登录链接（10 分钟内有效，仅限一次）：\n{url}\n请勿转发。"
