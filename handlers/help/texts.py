"""What /帮助 says around the list of commands."""

HELP = "查看可用命令"
HEADER = "我能帮您做这些（发送命令即可）："
FOOTER = "随时发送「/取消」可退出正在进行的操作。"
