"""Fail when a message is untranslated, fuzzy, or the .po files lag behind the code.

Runs Django's makemessages over the package (it needs GNU gettext's xgettext),
compares the messages it finds with the ones in the repository's .po files,
then puts the repository's files back as they were.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "staffgate"
LANGUAGES = ["fr", "es"]


def keys(po: polib.POFile) -> set[tuple[str, str, str]]:
    return {(e.msgctxt or "", e.msgid, e.msgid_plural or "") for e in po if not e.obsolete}


def problems_in(po: polib.POFile, language: str) -> list[str]:
    found = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"{language}: fuzzy: {entry.msgid!r}")
        elif not entry.translated():
            found.append(f"{language}: untranslated: {entry.msgid!r}")
    return found


def main() -> int:
    if shutil.which("xgettext") is None:
        print("check_translations: GNU gettext is missing (apt-get install gettext).")
        return 2
    paths = {lang: PACKAGE / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in LANGUAGES}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        print("check_translations: missing catalogues: " + ", ".join(missing))
        return 1
    saved = {lang: path.read_bytes() for lang, path in paths.items()}
    committed = {lang: polib.pofile(str(path)) for lang, path in paths.items()}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "staffgate.config.settings"}
    env.setdefault("STAFFGATE_DEBUG", "1")
    try:
        subprocess.run(
            [sys.executable, "-m", "staffgate", "makemessages", "--no-obsolete", "-v", "0"]
            + [f"-l{lang}" for lang in LANGUAGES],
            cwd=PACKAGE,
            env=env,
            check=True,
        )
        fresh = {lang: polib.pofile(str(path)) for lang, path in paths.items()}
    finally:
        for lang, path in paths.items():
            path.write_bytes(saved[lang])
    errors = []
    for lang in LANGUAGES:
        added = keys(fresh[lang]) - keys(committed[lang])
        removed = keys(committed[lang]) - keys(fresh[lang])
        errors += [f"{lang}: not in the .po file yet: {key[1]!r}" for key in sorted(added)]
        errors += [f"{lang}: no longer in the code: {key[1]!r}" for key in sorted(removed)]
        errors += problems_in(committed[lang], lang)
    for error in errors[:200]:
        print(error)
    if errors:
        print(
            f"check_translations: {len(errors)} problem(s); run `make messages`, translate, retry."
        )
        return 1
    total = len(keys(committed[LANGUAGES[0]]))
    print(f"check_translations: {total} messages, all translated in {', '.join(LANGUAGES)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
