"""``staffgate import-roster``: whole files in, counts out, nothing half-imported."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from staffgate.audit.models import AuditEvent
from staffgate.roster.importer import import_roster
from staffgate.roster.models import Person
from staffgate.roster.reading import MAX_REPORTED_ERRORS
from staffgate.roster.rows import COLUMNS

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
MARY = "0112233,Mary,Jones,,1959,US,active,no,,mary@example.com,en"
ELISE = "OV000123456,Élise,O'Brien,,1978,CA,active,yes,,,fr"
ZOE = "3579111,Zoë,D'Amico,Côté,1985,US,separated,N,2026-03-31,,es"


def write(tmp_path, *lines: str, header: str = HEADER, name="roster.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes("\n".join([header, *lines, ""]).encode(encoding))
    return path


def run(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_roster", str(path), *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def rejected(path, *args) -> list[str]:
    """The error lines printed for a rejected file."""
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_roster", str(path), *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue().strip().splitlines()


def snapshot() -> list[tuple]:
    return list(Person.objects.order_by("employee_id").values_list())


def test_first_import_creates_everyone(tmp_path):
    out, err = run(write(tmp_path, MARY, ELISE, ZOE))

    assert out == "created: 3, updated: 0, unchanged: 0"
    assert err == ""
    elise = Person.objects.get(employee_id="OV000123456")
    assert (elise.first_name, elise.last_name, elise.country) == ("Élise", "O'Brien", "CA")
    assert elise.retirement_plan is True and elise.separation_date is None
    zoe = Person.objects.get(employee_id="3579111")
    assert zoe.separation_date == dt.date(2026, 3, 31)
    assert (zoe.pin_last_name, zoe.language, zoe.email) == ("Côté", "es", "")
    assert zoe.updated_at is not None


def test_reimport_counts_created_updated_unchanged(tmp_path):
    run(write(tmp_path, MARY, ELISE, ZOE))
    before = {p.employee_id: p.updated_at for p in Person.objects.all()}

    moved = ELISE.replace(",CA,", ",US,")
    newcomer = "0034567,Ngozi,Okafor,,1988,US,inactive,,,,"
    out, _ = run(write(tmp_path, MARY, moved, ZOE, newcomer))

    assert out == "created: 1, updated: 1, unchanged: 2"
    after = {p.employee_id: p.updated_at for p in Person.objects.all()}
    assert after["0112233"] == before["0112233"]  # unchanged rows are not rewritten
    assert after["OV000123456"] > before["OV000123456"]
    assert Person.objects.get(employee_id="OV000123456").country == "US"
    assert Person.objects.count() == 4


def test_people_absent_from_the_file_are_kept(tmp_path):
    run(write(tmp_path, MARY, ELISE))
    out, _ = run(write(tmp_path, MARY))
    assert out == "created: 0, updated: 0, unchanged: 1"
    assert Person.objects.count() == 2


def test_rows_saved_through_the_orm_compare_as_unchanged(tmp_path, make_person):
    make_person(
        employee_id="0112233",
        first_name="Mary",
        last_name="Jones",
        birth_year=1959,
        email="mary@example.com",
        language="en",
    )
    make_person(
        employee_id="3579111",
        first_name="Zoë",
        last_name="D'Amico",
        pin_last_name="Côté",
        birth_year=1985,
        status="separated",
        separation_date=dt.date(2026, 3, 31),
        language="es",
    )
    out, _ = run(write(tmp_path, MARY, ZOE))
    assert out == "created: 0, updated: 0, unchanged: 2"


def test_each_changed_column_counts_as_an_update(tmp_path):
    run(write(tmp_path, ZOE))
    variants = [
        ZOE.replace("Zoë", "Zoe"),
        ZOE.replace("Côté", ""),
        ZOE.replace("1985", "1986"),
        ZOE.replace(",N,", ",Y,"),
        ZOE.replace("2026-03-31", "2026-04-01"),
        ZOE.replace(",,es", ",zoe@example.com,es"),
        ZOE.replace(",es", ",fr"),
    ]
    for variant in variants:
        out, _ = run(write(tmp_path, variant))
        assert out == "created: 0, updated: 1, unchanged: 0", variant


def test_dry_run_counts_and_writes_nothing(tmp_path):
    run(write(tmp_path, MARY))
    before = snapshot()
    events = AuditEvent.objects.count()

    out, _ = run(write(tmp_path, MARY.replace("Mary", "Marie"), ELISE), "--dry-run")

    assert out == "created: 1, updated: 1, unchanged: 0 (dry run: nothing written)"
    assert snapshot() == before
    assert AuditEvent.objects.count() == events


def test_a_file_with_errors_is_rejected_whole_with_every_line(tmp_path):
    run(write(tmp_path, MARY))
    before = snapshot()

    path = write(
        tmp_path,
        MARY.replace("Mary", "Marie"),  # line 2: a valid change, not applied
        "0034567,Ngozi,Okafor,,1988,USA,active,no,,,",  # 3
        ELISE,  # 4: valid and new, not created
        "A-1,,Smith,,1960,US,fired,maybe,,,de",  # 5
        "9081726,Brian,McAllister,,1970,US,separated,no,2019-02-30,,",  # 6
    )
    errors = rejected(path)

    assert errors == [
        "line 3: country must be a two-letter ISO 3166 code, not 'USA'",
        "line 5: employee_id must be 1 to 20 letters and digits",
        "line 5: first_name is missing",
        "line 5: status must be one of active, inactive, retired, separated, not 'fired'",
        "line 5: retirement_plan must be true/false, yes/no, y/n or 1/0, not 'maybe'",
        "line 5: language must be one of en, es, fr or blank, not 'de'",
        "line 6: separation_date is not a real date",
    ]
    assert snapshot() == before
    event = AuditEvent.objects.filter(tag="roster:import").latest("id")
    assert (event.outcome, event.detail) == ("rejected", {"rows": 5, "errors": 7})


def test_a_rejected_dry_run_also_fails(tmp_path):
    errors = rejected(write(tmp_path, MARY.replace("1959", "59")), "--dry-run")
    assert errors == ["line 2: birth_year must be a year from 1900 to " + errors[0][-4:]]
    assert Person.objects.count() == 0


def test_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, MARY, ELISE, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    out, _ = run(path)
    assert out == "created: 2, updated: 0, unchanged: 0"


def test_windows_line_ends_and_quoted_values(tmp_path):
    path = tmp_path / "excel.csv"
    lines = [HEADER, MARY, '"OV000123456","Élise","O\'Brien, jr",,1978,CA,active,1,,,fr', ""]
    path.write_bytes("\r\n".join(lines).encode())
    out, _ = run(path)
    assert out == "created: 2, updated: 0, unchanged: 0"
    assert Person.objects.get(employee_id="OV000123456").last_name == "O'Brien, jr"


def test_invalid_utf8_is_reported_at_its_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("\n".join([HEADER, MARY, ""]).encode() + ELISE.encode("latin-1") + b"\n")
    errors = rejected(path)
    assert errors == [
        "line 3: not valid UTF-8 text (byte 13 of the line); save the file as 'CSV UTF-8'"
    ]
    assert Person.objects.count() == 0


def test_utf16_file_is_explained(tmp_path):
    path = write(tmp_path, MARY, encoding="utf-16")
    assert rejected(path) == ["line 1: the file is UTF-16 text; save it as 'CSV UTF-8' instead"]


def test_missing_header_column(tmp_path):
    header = HEADER.replace("status,", "")
    errors = rejected(write(tmp_path, "0112233,Mary,Jones,,1959,US,no,,,", header=header))
    assert errors == ["line 1: missing column(s): status"]


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert rejected(path) == ["line 1: the file is empty; its first line must name the columns"]


def test_header_only_imports_nothing(tmp_path):
    out, _ = run(write(tmp_path))
    assert out == "created: 0, updated: 0, unchanged: 0"


def test_duplicate_ids_report_both_lines(tmp_path):
    path = write(
        tmp_path,
        MARY,
        ELISE,
        MARY.replace("0112233", " 0112233 ").replace("Mary", "Maria"),
        ELISE.replace("OV000123456", "ov000123456").replace("1978", "18"),
    )
    assert rejected(path) == [
        "line 4: employee_id is repeated: it is already on line 2",
        "line 5: birth_year must be a year from 1900 to " + str(dt.date.today().year - 14),
        "line 5: employee_id is repeated: it is already on line 3",
    ]


def test_separated_without_date(tmp_path):
    path = write(tmp_path, "9081726,Brian,McAllister,,1970,US,separated,no,,,")
    assert rejected(path) == ["line 2: separation_date is required when status is separated"]


def test_wrong_number_of_columns(tmp_path):
    path = write(tmp_path, MARY + ",extra", "0034567,Ngozi,Okafor")
    assert rejected(path) == [
        f"line 2: expected {len(COLUMNS)} columns, found {len(COLUMNS) + 1}",
        f"line 3: expected {len(COLUMNS)} columns, found 3",
    ]


def test_line_numbers_count_blank_lines(tmp_path):
    path = write(tmp_path, "", MARY, "", "", ELISE.replace("CA", "XYZ"))
    errors = rejected(path)
    assert errors == ["line 6: country must be a two-letter ISO 3166 code, not 'XYZ'"]


def test_unclosed_quote_is_reported(tmp_path):
    path = write(tmp_path, MARY, "\"OV000123456,Élise,O'Brien,,1978,CA,active,yes,,,fr", ZOE)
    errors = rejected(path)
    assert errors[0] == "line 3: a quoted value runs on to line 4; check for a missing quote"


def test_printed_errors_are_capped(tmp_path):
    bad = [f"{n:07d},Pat,Jones,,1959,US,gone,no,,," for n in range(MAX_REPORTED_ERRORS + 5)]
    errors = rejected(write(tmp_path, *bad))
    assert len(errors) == MAX_REPORTED_ERRORS + 1
    assert errors[0].startswith("line 2: status must be")
    assert errors[-1] == "… and 5 more error(s) not shown"


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read .*nope.csv: No such file"):
        call_command("import_roster", str(tmp_path / "nope.csv"))


def test_audit_event_holds_counts_only(tmp_path):
    run(write(tmp_path, MARY, ELISE))
    event = AuditEvent.objects.get(tag="roster:import")
    assert (event.outcome, event.actor) == ("imported", "cli")
    assert event.detail == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert "Mary" not in str(event.detail) and "0112233" not in str(event)


def test_service_reads_a_binary_file_object():
    source = io.BytesIO("\n".join([HEADER, MARY, ZOE]).encode())
    report = import_roster(source, actor="test")
    assert report.ok and (report.rows, report.created, report.unchanged) == (2, 2, 0)


def test_service_refuses_a_text_file_object():
    with pytest.raises(TypeError, match="binary mode"):
        import_roster(io.StringIO(HEADER))


def test_two_imports_in_one_connection(tmp_path):
    # The staging table of the first import must not be in the way of the second.
    for _ in range(2):
        run(write(tmp_path, MARY))
    assert Person.objects.count() == 1


class _BreaksAfter:
    """A binary source whose reading fails after ``count`` lines, like a vanished disk."""

    def __init__(self, data: bytes, count: int):
        self.lines = data.splitlines(keepends=True)
        self.count = count

    def __iter__(self):
        for number, line in enumerate(self.lines):
            if number == self.count:
                raise OSError("read error")
            yield line


@pytest.mark.django_db(transaction=True)
def test_a_read_error_midway_leaves_the_roster_alone_and_the_connection_usable(tmp_path):
    run(write(tmp_path, MARY))
    before = snapshot()
    data = "\n".join([HEADER, MARY.replace("Mary", "Marie"), ELISE, ZOE]).encode()

    with pytest.raises(OSError, match="read error"):
        import_roster(_BreaksAfter(data, 3))

    assert snapshot() == before
    out, _ = run(write(tmp_path, MARY, ELISE))
    assert out == "created: 1, updated: 0, unchanged: 1"
