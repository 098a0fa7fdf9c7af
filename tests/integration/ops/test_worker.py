"""`staffgate worker` as it runs in production: it beats, /readyz follows, it empties the drop
folder; stopped, /readyz names it once the heartbeat is too old."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.e2e.portal import STAFFGATE, roster, start_portal, write_roster_csv


def readyz(base_url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(base_url + "/readyz", timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def eventually(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.3)


def beats(database) -> dict[str, str]:
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT worker, beat_at FROM ops_workerheartbeat"))


@pytest.mark.sqlite_portal
def test_a_running_worker_beats_imports_dropped_files_and_readyz_follows_it(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    env = {
        "STAFFGATE_WORKER_HEARTBEAT_TIMEOUT": "6",  # beats every 1.5 s
        "STAFFGATE_ROSTER_DROP_DIR": str(drop),
        "STAFFGATE_ROSTER_DROP_SETTLE_SECONDS": "1",
    }
    # The test starts and stops the worker itself.
    with start_portal(
        tmp_path / "portal", people_count=3, env_overrides=env, worker=False
    ) as portal:
        status, body = readyz(portal.base_url)
        assert status == 503
        assert body["failing"] == ["worker"] and body["checks"]["worker"] == "no heartbeat"

        write_roster_csv(drop / "roster.csv.part", roster(5))  # still being uploaded
        (drop / "roster.csv.part").rename(drop / "roster.csv")
        (drop / "broken.csv").write_text("employee_id,first_name\n1,Pat\n", encoding="utf-8")
        log = (tmp_path / "worker.log").open("w")
        worker = subprocess.Popen(
            [STAFFGATE, "worker", "--interval", "0.5"],
            env=portal.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            eventually(
                lambda: readyz(portal.base_url)[0] == 200, seconds=60, what="ready with a worker"
            )
            assert readyz(portal.base_url)[1]["checks"]["worker"] == "ok"
            database = portal.folder / "portal.sqlite3"
            [first] = beats(database).values()
            eventually(lambda: beats(database) and first not in beats(database).values(),
                       seconds=20, what="a second beat")  # fmt: skip
            eventually(
                lambda: (
                    list((drop / "done").glob("*-roster.csv"))
                    and list((drop / "failed").glob("*-broken.csv.errors.txt"))
                ),
                seconds=60,
                what="the dropped files filed away",
            )
            [reason] = (drop / "failed").glob("*.errors.txt")
            assert "it was rejected and nothing was imported" in reason.read_text()
            assert "line 1: " in reason.read_text()  # the header lacks columns
            with sqlite3.connect(database) as db:
                assert db.execute("SELECT count(*) FROM roster_person").fetchone() == (5,)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            log.close()
        # Stopped: ready until its last beat is older than the timeout, then not.
        status, body = eventually(
            lambda: (answer := readyz(portal.base_url))[0] == 503 and answer,
            seconds=30,
            what="unready once the worker stopped",
        )
        assert body["failing"] == ["worker"]
        assert body["checks"]["worker"].startswith("no heartbeat for ")
