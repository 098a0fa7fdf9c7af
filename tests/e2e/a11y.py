"""axe-core checks for WCAG 2.2 levels A and AA and axe's best practices, with a readable report.

axe-core's script comes inside the axe-playwright-python wheel: nothing is fetched at run time.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.2 A/AA, and axe's best practices (landmarks, heading order, one <h1>, unique ids
# referred to by ARIA: duplicate-id-aria).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


def violations(page) -> list[dict]:
    """The WCAG A/AA and best-practice violations axe-core finds on the page as it is now."""
    return _axe.run(page, options=OPTIONS).response["violations"]


def describe(found: list[dict], where: str) -> str:
    """One paragraph per rule: id, impact, what it asks, each element with axe's advice."""
    lines = [f"{len(found)} axe violation(s) on {where}:"]
    for rule in found:
        tags = ", ".join(t for t in rule["tags"] if t.startswith("wcag") or t == "best-practice")
        lines.append(f"- {rule['id']} ({rule['impact']}; {tags}): {rule['help']}")
        lines.append(f"  {rule['helpUrl']}")
        for node in rule["nodes"]:
            lines.append(f"  * element {' '.join(map(str, node['target']))}")
            lines.append(f"    html: {node['html'][:300]}")
            summary = node.get("failureSummary") or ""
            for advice in summary.splitlines():
                lines.append(f"    {advice.strip()}")
    return "\n".join(lines)


def assert_accessible(page, where: str | None = None) -> None:
    """Fail with a readable report unless axe-core finds no violation (WCAG, best practice)."""
    found = violations(page)
    assert not found, describe(found, where or page.url)
