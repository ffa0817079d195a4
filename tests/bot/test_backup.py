"""`tongxin db backup` and `tongxin db restore`: the same answers after a round trip."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from tests.harness import ChatHarness


async def tongxin(cwd: Path, db_url: str, *args: str) -> tuple[int, str, str]:
    """Run the command line as an operator would: its exit code, stdout and stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    env["TONGXIN_DATABASE_URL"] = db_url
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def one_clear_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


async def test_backup_change_restore_answers_as_before(chat: ChatHarness, tmp_path: Path) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    t1 = chat.user("t1", "王老师", unit="一支部")
    t2 = chat.user("t2", "张老师", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await t1.says("签到", g)
    await chat.advance(hours=2)
    answer = await sec.says("/签到 统计", g)
    url = chat.settings.database_url

    code, out, err = await tongxin(tmp_path, url, "db", "backup", str(tmp_path / "tx.backup"))
    assert code == 0, err
    assert out.startswith(f"已备份到 {tmp_path / 'tx.backup'}")
    assert "封存密钥" in out

    await sec.says("/签到 发起 支委会 截止 23:30", g)
    await t2.says("签到", g)
    await chat.advance(hours=4)
    assert await sec.says("/签到 统计", g) != answer

    await chat.stop()  # as an operator would: stop the service, restore, start it
    code, out, err = await tongxin(tmp_path, url, "db", "restore", str(tmp_path / "tx.backup"))
    assert code == 0, err
    assert out.startswith(f"已从 {tmp_path / 'tx.backup'} 恢复数据库。")
    await chat.restart()
    assert await sec.says("/签到 统计", g) == answer


async def test_the_sealing_key_is_named_not_copied(chat: ChatHarness, tmp_path: Path) -> None:
    url = chat.settings.database_url
    key_file = Settings(database_url=url).secret_key_file
    if not url.startswith("sqlite"):
        key_file = tmp_path / key_file.name  # beside the working directory
    key_file.write_text("a-sealing-key-that-stays-home\n")
    target = tmp_path / "tx.backup"
    code, out, err = await tongxin(tmp_path, url, "db", "backup", str(target))
    assert code == 0, err
    assert str(key_file) in out
    assert b"a-sealing-key-that-stays-home" not in target.read_bytes()


@pytest.mark.parametrize(
    ("url", "args", "said"),
    [
        ("sqlite+aiosqlite:///{tmp}/none.db", ["db", "backup", "{tmp}/b"], "不存在"),
        ("sqlite+aiosqlite:///{tmp}/x.db", ["db", "restore", "{tmp}/nothing"], "找不到备份文件"),
        ("sqlite+aiosqlite:///{tmp}/x.db", ["db", "restore", "{tmp}/words.txt"], "不是 SQLite"),
        ("sqlite+aiosqlite:///{tmp}/x.db", ["db", "backup", "{tmp}/words.txt"], "已经存在"),
        ("sqlite+aiosqlite:///{tmp}/x.db", ["db", "backup", "{tmp}/no/dir/b"], "不存在"),
        (
            "postgresql+asyncpg://u@127.0.0.1:9/x",
            ["db", "restore", "{tmp}/words.txt"],
            "不是 pg_dump 的备份",
        ),
        ("postgresql+asyncpg://u@127.0.0.1:9/x", ["db", "backup", "{tmp}/b"], "pg_dump 失败"),
    ],
)
async def test_failures_are_one_chinese_line(
    tmp_path: Path, url: str, args: list[str], said: str
) -> None:
    (tmp_path / "words.txt").write_text("not a backup")
    argv = [a.format(tmp=tmp_path) for a in args]
    code, out, err = await tongxin(tmp_path, url.format(tmp=tmp_path), *argv)
    assert code == 1 and out == ""
    assert said in one_clear_line(err)
    assert not (tmp_path / "b").exists()
