"""Every link and form target in the templates comes from the URL configuration."""

from __future__ import annotations

import re
from pathlib import Path

import staffgate

TEMPLATES = sorted(Path(staffgate.__file__).parent.glob("*/templates/**/*.html"))
# An address written out in the template source rather than produced by ``{% link %}``:
# it breaks when the portal is served under a path prefix or a route is renamed.
LITERAL_PATH = re.compile(r"""(?<![\w-])(?:href|action|formaction|src)\s*=\s*["']/""")


def test_the_templates_are_found():
    names = {path.name for path in TEMPLATES}
    assert {"base.html", "login.html", "help.html", "queue.html"} <= names


def test_no_template_writes_out_a_path():
    literals = [
        f"{path.relative_to(path.parents[2])}:{number}: {line.strip()}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if LITERAL_PATH.search(line)
    ]
    assert literals == [], "paths written out instead of {% link %}:\n" + "\n".join(literals)
