"""Build the .mo catalogues from the .po files kept in the repository (no gettext needed)."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src" / "staffgate" / "locale"

for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        print(f"compiled {po_path.relative_to(LOCALE)}")
