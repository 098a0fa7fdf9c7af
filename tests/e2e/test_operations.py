"""What operators and supervisors see: the dashboard in three languages, and HTTPS via nginx."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e import steps
from tests.e2e.portal import (
    AGENT_PASSWORD,
    SUPERVISOR_USERNAME,
    free_port,
    start_portal,
)
from tests.e2e.steps import PASSWORD, Visitor, helpdesk_log_in, log_in, register, submit
from tests.e2e.week import seed_week

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def week_of_events(portal):
    seed_week(portal)


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_supervisors_dashboard_is_accessible_in_three_languages(
    new_page, audit, language, registered, week_of_events
):
    someone = new_page()
    assert log_in(someone, registered.employee_id, "Wrong-password-1", Visitor()) == (
        "login.invalid"
    )
    supervisor = new_page()
    helpdesk_log_in(supervisor, SUPERVISOR_USERNAME, AGENT_PASSWORD, audit)
    supervisor.goto(f"/helpdesk/dashboard/?language={language}")
    audit.language = language
    audit(supervisor, "helpdesk-dashboard")
    expect(supervisor.locator("svg.chart")).to_have_count(5)
    failures = supervisor.locator('[data-total="chart-failures"]').first
    assert int(failures.text_content()) >= 1
    # The seeded week is drawn: busy hours, the recovery locks, the most throttled network.
    assert int(supervisor.locator('[data-total="chart-logins"]').first.text_content()) > 100
    assert supervisor.locator('[data-figure="median-unlock-minutes"]').get_attribute(
        "data-value"
    ) not in ("", None)
    expect(supervisor.locator('table[data-series="networks"] tr').nth(1)).to_contain_text(
        "203.0.113.0/24"
    )
    for summary in supervisor.locator("details > summary").all():
        summary.click()
    audit(supervisor, "helpdesk-dashboard-numbers-open")


# --- HTTPS through Debian's nginx ------------------------------------------------------------

NGINX_CONF = """
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/nginx-access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{site}
}}
"""


def deploy_site(folder: Path, port: int, backend: str, proxy_address: str) -> str:
    """The server block of docs/deploy.md, pointed at this test's ports and certificate."""
    text = (Path(__file__).parents[2] / "docs" / "deploy.md").read_text()
    site = text.split("```nginx\n", 1)[1].split("```", 1)[0]
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    site = site.replace("listen [::]:443 ssl;", "")
    site = site.replace("portal.example.com", "localhost")
    # On 443 the host name alone is the origin; on this test's port the port is part of it.
    site = site.replace("proxy_set_header Host $host;", f"proxy_set_header Host $host:{port};")
    site = site.replace("/etc/ssl/staffgate/fullchain.pem", str(folder / "cert.pem"))
    site = site.replace("/etc/ssl/staffgate/privkey.pem", str(folder / "key.pem"))
    site = site.replace("server 127.0.0.1:8000;", f"server {backend};")
    site = site.replace("/var/log/nginx/staffgate.access.log", str(folder / "nginx-access.log"))
    # The proxy talks to staffgate from its own address, so the two are told apart.
    site = site.replace(
        "proxy_pass http://staffgate;",
        f"proxy_pass http://staffgate;\n        proxy_bind {proxy_address};",
    )
    # Only the TLS server: the plain-HTTP redirect block needs port 80.
    return site.split("server {\n    listen 80;", 1)[0]


@contextlib.contextmanager
def nginx_in_front(folder: Path, backend: str, proxy_address: str):
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    site = deploy_site(folder, port, backend, proxy_address)
    (folder / "nginx.conf").write_text(NGINX_CONF.format(folder=folder, site=site))
    nginx = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    base = f"https://localhost:{port}"
    try:
        import ssl

        context = ssl.create_default_context(cafile=str(folder / "cert.pem"))
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5, context=context) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {nginx.stderr.read().decode()}")
            time.sleep(0.2)
        yield base
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)


def test_the_login_journey_through_nginx_over_https(tmp_path, browser):
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: `make e2e` installs Debian's nginx package")
    backend_host, proxy_address = "127.0.0.3", "127.0.0.2"
    env = {
        "STAFFGATE_SECURE_COOKIES": "1",
        "STAFFGATE_TRUSTED_PROXIES": proxy_address,
        "STAFFGATE_ALLOWED_HOSTS": f"localhost,{backend_host}",
        "STAFFGATE_LOG_LEVEL": "INFO",
    }
    with (
        start_portal(tmp_path / "portal", 3, env_overrides=env, bind_host=backend_host) as portal,
        nginx_in_front(
            tmp_path / "nginx", portal.base_url.removeprefix("http://"), proxy_address
        ) as base,
    ):
        context = browser.new_context(base_url=base, ignore_https_errors=True)
        page = context.new_page()
        answers = []
        page.on("response", lambda response: answers.append(response))
        person = portal.people[0]
        # This portal's own mail folder holds the code the registration mails.
        mailbox = steps.MAILBOX[:]
        steps.MAILBOX[:] = [portal.mails_to]
        try:
            register(page, person, Visitor())
        finally:
            steps.MAILBOX[:] = mailbox
        submit(page, None, page.locator("form[action='/logout/']"))
        assert log_in(page, person.employee_id, PASSWORD, Visitor()) is None
        assert page.url == base + "/"

        # Every cookie is Secure (and host-only under the __Host- prefix).
        cookies = context.cookies()
        assert {c["name"] for c in cookies} >= {"__Host-staffgate_session", "__Host-csrftoken"}
        assert all(c["secure"] for c in cookies)
        # HSTS on the HTTPS answers of the portal.
        pages = [
            r for r in answers if r.url.startswith(base) and r.request.resource_type == "document"
        ]
        assert pages and all(
            "max-age=31536000" in (r.headers.get("strict-transport-security") or "") for r in pages
        )
        request_ids = {r.headers.get("x-request-id") for r in pages}
        context.close()

    with sqlite3.connect(tmp_path / "portal" / "portal.sqlite3") as db:
        rows = db.execute(
            "SELECT tag, ip, request_id FROM audit_auditevent WHERE user_id = ? ORDER BY id",
            [person.employee_id],
        ).fetchall()
    tags = [tag for tag, _, _ in rows]
    assert "account:register:start" in tags and "account:login:success" in tags
    # The browser's own address (127.0.0.1), not nginx's (127.0.0.2).
    assert {ip for _, ip, _ in rows} == {"127.0.0.1"}
    # nginx's $request_id is the ID in the response, the audit log and the portal's log.
    assert {rid for _, _, rid in rows} <= request_ids
    access_log = (tmp_path / "nginx" / "nginx-access.log").read_text()
    assert all(rid in access_log for _, _, rid in rows)
