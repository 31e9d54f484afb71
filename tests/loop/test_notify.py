"""Notifications against local test servers started here: an SMTP server and a webhook HTTP server."""

from __future__ import annotations

import json
import socketserver
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from carlzon.errors import CarlzonError
from carlzon.loop.notify import EmailTarget, Notifier, WebhookTarget


class _SMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to take a message: EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode().strip().upper()
            if cmd.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test\r\n")
            elif cmd.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.wfile.write(b"250 ok\r\n")
            elif cmd == "DATA":
                self.wfile.write(b"354 go on\r\n")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk.decode())
                self.server.mails.append("".join(data))
                self.wfile.write(b"250 queued\r\n")
            elif cmd == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"502 no\r\n")


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts.append((self.path, json.loads(body)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def servers():
    smtp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTP)
    smtp.mails = []
    hook = HTTPServer(("127.0.0.1", 0), _Hook)
    hook.posts = []
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (smtp, hook)]
    for t in threads:
        t.start()
    yield smtp, hook
    for s in (smtp, hook):
        s.shutdown()
        s.server_close()


def _notifier(store, servers, clock, **kw):
    smtp, hook = servers
    url = f"http://127.0.0.1:{hook.server_address[1]}"
    return Notifier(
        store,
        email=EmailTarget(host="127.0.0.1", port=smtp.server_address[1], to=("lead@example.org",)),
        webhooks=[WebhookTarget(f"{url}/slack", "slack"), WebhookTarget(f"{url}/teams", "teams")],
        clock=clock,
        base_url="http://desk",
        **kw,
    )


CASE = {"id": 4, "touchpoint": "baggage_claim", "location": "CPH", "stakes": "high", "priority": 88}


def test_first_case_of_a_problem_sends_mail_slack_and_teams(store, servers, clock):
    n = _notifier(store, servers, clock)
    assert n.cases([CASE])["sent"] == ["cases:baggage_claim:CPH"]
    smtp, hook = servers
    assert "Subject: 1 new high-priority case(s): baggage claim at CPH" in smtp.mails[0]
    slack = dict(hook.posts)["/slack"]
    assert slack["text"].startswith("1 new high-priority case")
    assert slack["blocks"][0]["type"] == "header"
    teams = dict(hook.posts)["/teams"]
    assert teams["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"


def test_the_same_problem_is_one_message_updated(store, servers, clock):
    n = _notifier(store, servers, clock)
    n.cases([CASE])
    assert n.cases([{**CASE, "id": 5}])["updated"] == ["cases:baggage_claim:CPH"]  # 2 = doubled: an update
    assert n.cases([{**CASE, "id": 6}])["held"] == ["cases:baggage_claim:CPH"]  # 3 < 4: held, recorded
    smtp, _ = servers
    assert len(smtp.mails) == 2
    assert "Update (2 in all)" in smtp.mails[1]
    assert int(store.query("SELECT COUNT(*) AS n FROM notifications")["n"].iloc[0]) == 1


def test_a_problem_quiet_for_a_week_starts_again(store, servers, clock):
    n = _notifier(store, servers, clock)
    n.cases([CASE])
    clock.now["t"] = clock.now["t"] + timedelta(days=8)
    assert n.cases([{**CASE, "id": 9}])["sent"] == ["cases:baggage_claim:CPH"]


def test_digest_sends_one_message(store, servers, clock):
    n = _notifier(store, servers, clock, digest=True)
    n.cases([CASE, {**CASE, "id": 7, "touchpoint": "check_in"}])
    n.alerts([{"touchpoint": "gate", "theme": "queue", "location": "OSL", "since": "2026-03-01", "count": 9}])
    smtp, _ = servers
    assert smtp.mails == []
    assert n.send_digest() == {"sent": True, "problems": 3}
    assert len(smtp.mails) == 1
    assert "3 problem(s)" in smtp.mails[0]
    assert n.send_digest()["sent"] is False


def test_no_customer_words_leave(store, servers, clock):
    n = _notifier(store, servers, clock)
    n.cases([{**CASE, "customer_name": "Anna Berg", "text": "You lost my bag"}])
    smtp, hook = servers
    assert "Anna" not in smtp.mails[0]
    assert "lost my bag" not in json.dumps(hook.posts)


def test_nowhere_to_send_names_the_fix(store):
    with pytest.raises(CarlzonError, match="SMTP host"):
        Notifier(store)


def test_desk_tells_about_each_new_case_once(store, servers, clock):
    from carlzon.loop.recovery import RecoveryDesk
    from tests.loop.loopdata import seed_misery

    seed_misery(store)
    desk = RecoveryDesk(store, "airline", clock=clock)
    desk.open_cases()
    n = _notifier(store, servers, clock)
    assert desk.notify_new(n, min_priority=60)["cases"] == [1]
    assert desk.notify_new(n, min_priority=60)["cases"] == []


def test_cases_open_tells_new_high_priority_cases(store, store_path, servers):
    from typer.testing import CliRunner

    from carlzon.cli import app
    from tests.loop.loopdata import seed_misery

    if store.backend != "sqlite":
        pytest.skip("the CLI run here opens the SQLite file")
    seed_misery(store)
    _, hook = servers
    url = f"http://127.0.0.1:{hook.server_address[1]}/slack"
    res = CliRunner().invoke(
        app, ["cases", "open", "--store", str(store_path), "--slack", url, "--notify-priority", "0"]
    )
    assert (res.exit_code, "told about 1 new case(s)" in res.stdout, len(hook.posts)) == (0, True, 1), res.output
