"""A real IMAP server for the inbox tests: Debian's Dovecot, run in the foreground on
127.0.0.1 with a configuration, a passwd-file user and maildirs of its own in a
temporary folder; and the reply fixtures of tests/fixtures/itip/."""

from __future__ import annotations

import base64
import imaplib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.calendar_support import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
FIXTURES = Path(__file__).parent / "fixtures" / "itip"
USER = "secretariat"
PASSWORD = "imap-test-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
{ssl_files}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  {chroot}
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
  }}
}}
service anvil {{
  {chroot}
}}
"""


@dataclass
class ImapServer:
    port: int
    ssl_port: int
    root: Path

    def url(self, scheme: str = "imap", folder: str = "INBOX") -> str:
        port = self.ssl_port if scheme == "imaps" else self.port
        return f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{port}/{folder}"

    @contextmanager
    def client(self) -> Iterator[imaplib.IMAP4]:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(USER, PASSWORD)
        try:
            yield imap
        finally:
            imap.logout()

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        """As a mail server would deliver them (APPEND: the bytes stay as they are)."""
        with self.client() as imap:
            for message in messages:
                status, answer = imap.append(folder, None, None, message)
                assert status == "OK", answer

    def empty(self) -> None:
        with self.client() as imap:
            for folder in ("INBOX", "Processed"):
                status, count = imap.select(folder)
                if status != "OK":
                    continue
                if int(count[0]):
                    imap.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                imap.close()  # expunges

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        with self.client() as imap:
            if imap.select(folder, readonly=True)[0] != "OK":
                return []
            _, data = imap.search(None, "ALL")
            found = []
            for number in (data[0] or b"").split():
                _, fetched = imap.fetch(number, "(BODY.PEEK[])")
                found.append(fetched[0][1])
            imap.close()
            return found

    def seen(self, folder: str = "INBOX") -> int:
        with self.client() as imap:
            imap.select(folder, readonly=True)
            _, data = imap.search(None, "SEEN")
            imap.close()
            return len((data[0] or b"").split())


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot stopped: {log.read_text() if log.exists() else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not start listening in 15 s")


@contextmanager
def dovecot(*, certificate: tuple[Path, Path] | None = None) -> Iterator[ImapServer]:
    """Dovecot on two free ports of 127.0.0.1 (plain IMAP; IMAPS when a certificate and
    key are given), stopped and removed afterwards."""
    if not os.path.exists(DOVECOT):
        pytest.skip("Dovecot is not installed: the inbox tests need a real IMAP server "
                    "(as root: apt-get install dovecot-imapd, which make install-test does)")
    root = Path(tempfile.mkdtemp(prefix="planner-imap-"))
    root.chmod(0o755)
    (root / "mail").mkdir()
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    me = pwd.getpwuid(os.geteuid())
    if os.geteuid() == 0:
        internal, login, chroot = "dovecot", "dovenull", ""
        mail_user = pwd.getpwnam("dovecot")
        shutil.chown(root / "mail", mail_user.pw_uid, mail_user.pw_gid)
    else:  # no privileges to drop: everything runs as this user, without chroot
        internal, login, chroot, mail_user = me.pw_name, me.pw_name, "chroot =", me
    port, ssl_port = free_port(), free_port()
    ssl_files = ""
    if certificate is not None:
        ssl_files = f"ssl_cert = <{certificate[0]}\nssl_key = <{certificate[1]}"
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(
        root=root, port=port, ssl_port=ssl_port if certificate else 0,
        ssl="yes" if certificate else "no", ssl_files=ssl_files, internal=internal,
        login=login,
        uid=mail_user.pw_uid, gid=mail_user.pw_gid, chroot=chroot))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, process, root / "dovecot.log")
        yield ImapServer(port, ssl_port, root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
        shutil.rmtree(root, ignore_errors=True)


# --- reply fixtures -------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{(BASE64|TEXT):([a-z0-9-]+)\}|\{([A-Z_]+)\}")


def fixture(name: str, **values: object) -> bytes:
    """A fixture with its notes (the `#` lines at the top) left out, its {NAME}
    placeholders filled, {TEXT:file} and {BASE64:file} replaced by another fixture (a
    calendar part) as it is or in base64, and every line ended with CRLF, as on the wire."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    text = "\r\n".join(lines) + "\r\n"

    def fill(match: re.Match) -> str:
        kind, other, key = match.groups()
        if key is not None:
            return str(values[key]) if key in values else match.group(0)
        part = fixture(other + ".ics", **values)
        if kind == "TEXT":
            return part.decode("utf-8").rstrip("\r\n")
        encoded = base64.b64encode(part).decode("ascii")
        return "\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))

    return PLACEHOLDER.sub(fill, text).encode("utf-8")
