"""HR's drop folder: the worker imports complete roster files and files them in done/ or failed/."""

from __future__ import annotations

import os
import time
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from staffgate.audit.models import AuditEvent
from staffgate.roster import dropfolder
from staffgate.roster.models import Person
from staffgate.roster.rows import COLUMNS

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
IDS = [f"{6000000 + n}" for n in range(100)]


def roster_text(ids) -> str:
    return "\n".join([HEADER, *(f"{i},Pat,Jones,,1970,US,active,no,,,en" for i in ids), ""])


def drop(folder, name: str, text: str, *, age: float = 120):
    """A file HR put in the folder ``age`` seconds ago."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    when = time.time() - age
    os.utime(path, (when, when))
    return path


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "drop"
    path.mkdir()
    return path


def names(folder) -> list[str]:
    return sorted(path.name.split("-", 1)[1] for path in folder.iterdir())


def test_good_files_are_imported_and_moved_to_done(folder):
    drop(folder, "roster.csv", roster_text(IDS))
    results = dropfolder.scan(folder)
    assert [(r.name, r.filed) for r in results] == [("roster.csv", "done")]
    assert Person.objects.count() == 100
    assert [p.name for p in folder.iterdir() if p.is_file()] == []
    assert names(folder / "done") == ["roster.csv"]
    assert (folder / "done" / results[0].path.name).read_text() == roster_text(IDS)
    assert not list((folder / "failed").iterdir()) and not list((folder / "processing").iterdir())
    event = AuditEvent.objects.get(tag="roster:import")
    assert (event.actor, event.outcome) == ("drop-folder", "imported")
    assert event.detail == {
        "rows": 100, "created": 100, "updated": 0, "unchanged": 0, "full": True, "removed": 0,
        "file": "roster.csv",
    }  # fmt: skip


def test_bad_files_go_to_failed_with_the_errors_beside_them_and_change_nothing(folder):
    drop(folder, "roster.csv", roster_text(IDS[:50]))
    dropfolder.scan(folder)
    bad = roster_text(IDS[:50]).replace(f"{IDS[3]},Pat,Jones,,1970", f"{IDS[3]},Pat,Jones,,19x0")
    drop(folder, "monday.csv", bad + "not,a,row\n")
    results = dropfolder.scan(folder)
    assert [(r.name, r.filed) for r in results] == [("monday.csv", "failed")]
    failed = sorted(p.name for p in (folder / "failed").iterdir())
    assert len(failed) == 2 and failed[1] == failed[0] + ".errors.txt"
    reason = (folder / "failed" / failed[1]).read_text()
    assert reason.startswith("2 error(s) in this file: it was rejected and nothing was imported.")
    assert "line 5: " in reason and "line 52: " in reason
    assert Person.objects.get(employee_id=IDS[3]).birth_year == 1970
    event = AuditEvent.objects.filter(tag="roster:import").order_by("-id").first()
    assert (event.actor, event.outcome, event.detail) == (
        "drop-folder",
        "rejected",
        {"rows": 51, "errors": 2, "file": "monday.csv"},
    )
    assert names(folder / "done") == ["roster.csv"]


def test_a_file_that_would_remove_too_many_people_is_refused_into_failed(folder):
    drop(folder, "full.csv", roster_text(IDS))
    dropfolder.scan(folder)
    drop(folder, "full.csv", roster_text(IDS[10:]))
    [result] = dropfolder.scan(folder)
    assert result.filed == "failed"
    assert "would remove 10 of the 100 people" in result.reason
    assert "--full --force" in result.reason
    assert (
        result.path.with_name(result.path.name + ".errors.txt")
        .read_text()
        .startswith("This file would remove 10 of the 100 people")
    )
    assert Person.objects.filter(removed_at__isnull=False).count() == 0
    event = AuditEvent.objects.filter(tag="roster:import").order_by("-id").first()
    assert (event.outcome, event.detail["file"]) == ("refused", "full.csv")
    # Within the threshold, people missing from the file are removed (a full import) …
    drop(folder, "full.csv", roster_text(IDS[1:]))
    assert [r.filed for r in dropfolder.scan(folder)] == ["done"]
    assert list(Person.objects.filter(removed_at__isnull=False).values_list("employee_id")) == [
        (IDS[0],)
    ]
    # … unless the folder is set to update only; each copy of the same name is kept.
    drop(folder, "full.csv", roster_text(IDS[50:]))
    assert [r.filed for r in dropfolder.scan(folder, full=False)] == ["done"]
    assert Person.objects.filter(removed_at__isnull=False).count() == 1
    kept = sorted(path.name for path in (folder / "done").iterdir())
    assert len(kept) == 3 and all("-full" in name for name in kept)


def test_files_still_being_written_are_left_alone(folder):
    drop(folder, "roster.csv.part", roster_text(IDS))  # being uploaded, renamed when done
    drop(folder, ".roster.csv.x7Yq", roster_text(IDS))  # rsync's temporary name
    drop(folder, "notes.txt", "hello")
    fresh = drop(folder, "roster.csv", roster_text(IDS[:5]), age=2)  # written to just now
    assert dropfolder.scan(folder, settle=30) == []
    assert Person.objects.count() == 0
    assert fresh.exists()
    # Once the upload is renamed and has settled, it is taken.
    os.rename(folder / "roster.csv.part", folder / "all.csv")
    when = time.time() - 60
    os.utime(folder / "all.csv", (when, when))
    assert [r.name for r in dropfolder.scan(folder, settle=30)] == ["all.csv"]
    assert Person.objects.count() == 100
    assert fresh.exists()
    assert [r.name for r in dropfolder.scan(folder, settle=30, now=time.time() + 60)] == [
        "roster.csv"
    ]


def test_a_file_taken_by_another_worker_first_is_skipped(folder):
    path = drop(folder, "roster.csv", roster_text(IDS[:3]))
    real_rename = os.rename

    def other_worker_wins(source, target):
        if str(source) == str(path):
            real_rename(source, folder / "processing" / "elsewhere.csv")
            raise FileNotFoundError(source)
        real_rename(source, target)

    with mock.patch("staffgate.roster.dropfolder.os.rename", other_worker_wins):
        assert dropfolder.scan(folder) == []
    assert Person.objects.count() == 0


def test_a_file_goes_back_when_the_database_fails(folder):
    drop(folder, "roster.csv", roster_text(IDS[:3]))
    with (
        mock.patch("staffgate.roster.dropfolder.import_roster", side_effect=DatabaseError("down")),
        pytest.raises(DatabaseError),
    ):
        dropfolder.scan(folder)
    assert (folder / "roster.csv").exists()
    assert [r.filed for r in dropfolder.scan(folder)] == ["done"]


def test_the_worker_imports_the_drop_folder(folder, settings):
    settings.STAFFGATE_ROSTER_DROP_DIR = str(folder)
    drop(folder, "good.csv", roster_text(IDS[:4]))
    drop(folder, "bad.csv", HEADER + "\nnot,a,row\n")
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", "--batch", verbosity=0)
    assert Person.objects.count() == 4
    assert names(folder / "done") == ["good.csv"]
    assert names(folder / "failed") == ["bad.csv", "bad.csv.errors.txt"]
