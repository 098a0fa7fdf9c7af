"""`make demo-sso`: staffgate, its worker and the example Benefits app, wired together.

Registers (again) the Benefits app with staffgate, starts the three processes, prints the
address to open, and stops them all on Ctrl-C. The environment comes from `make`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAFFGATE = str(Path(sys.executable).with_name("staffgate"))
PORTAL = os.environ["STAFFGATE_PUBLIC_URL"]
APP_PORT = os.environ.get("BENEFITS_PORT", "8001")
APP = f"http://127.0.0.1:{APP_PORT}"


def staffgate(*args: str, check: bool = False, **options) -> subprocess.CompletedProcess:
    return subprocess.run([STAFFGATE, *args], check=check, text=True, **options)


def wait_for(url: str, processes: list[subprocess.Popen], seconds: float = 120) -> None:
    """Until ``url`` answers (or a process died, or time is up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and all(p.poll() is None for p in processes):
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own local address
                return
        except OSError:
            time.sleep(0.3)


def main() -> None:
    staffgate("migrate", "--noinput", "-v", "0", check=True)
    staffgate("load-demo", check=True)
    staffgate("remove-app", "Benefits", capture_output=True)
    added = staffgate(
        "add-app",
        "Benefits",
        "--redirect-uri",
        f"{APP}/oidc/callback",
        "--backchannel-logout-uri",
        f"{APP}/oidc/backchannel-logout",
        "--post-logout-redirect-uri",
        f"{APP}/",
        "--scopes",
        "openid profile email employee",
        "--first-party",
        "--launch-url",
        f"{APP}/",
        "--json",
        capture_output=True,
        check=True,
    )
    app = json.loads(added.stdout)
    bind = PORTAL.split("://", 1)[1]
    processes = [
        subprocess.Popen([STAFFGATE, "worker", "-v", "0"]),
        subprocess.Popen([STAFFGATE, "serve", "--bind", bind]),
    ]
    wait_for(PORTAL + "/healthz", processes)
    processes.append(
        subprocess.Popen(
            [sys.executable, str(ROOT / "examples" / "benefits-app" / "app.py")],
            env={
                **os.environ,
                "BENEFITS_ISSUER": PORTAL,
                "BENEFITS_CLIENT_ID": app["client_id"],
                "BENEFITS_CLIENT_SECRET": app["client_secret"],
                "BENEFITS_PORT": APP_PORT,
            },
        )
    )
    wait_for(APP + "/", processes)
    print(f"\nOpen {APP}/ and sign in with a demo User ID and its PIN (listed above).")
    print("Logging out at staffgate signs you out of Benefits too. Ctrl-C stops everything.\n")
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
