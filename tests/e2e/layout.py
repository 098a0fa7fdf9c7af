"""Layout checks a person notices and axe-core does not: words split mid-word, faint focus rings.

Both read what the browser drew (client rectangles, computed styles), not the stylesheet.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page

NARROWEST = {"width": 320, "height": 640}  # WCAG 1.4.10: content reflows at 320 CSS px
MIN_FOCUS_CONTRAST = 3.0  # WCAG 1.4.11 (non-text contrast), 2.4.13

# Every run of non-space characters inside a table or summary list whose letters the browser
# laid out on more than one line: a word broken in the middle ("Identifi/ant").
_BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const words = /\\S+/g;
      let match;
      while ((match = words.exec(node.textContent))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set();
        for (const rect of range.getClientRects()) {
          if (rect.width > 0) lines.add(Math.round(rect.top));
        }
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""

# The focused element's ring and the colour it is drawn on (the first opaque background
# behind the element: the ring sits outside it).
_FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  let behind = "rgb(255, 255, 255)";
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    const alpha = bg.startsWith("rgba") ? parseFloat(bg.split(",")[3]) : 1;
    if (alpha > 0) { behind = bg; break; }
  }
  return {
    element: el.outerHTML.slice(0, 120),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth) || 0,
    color: style.outlineColor,
    behind: behind,
  };
}"""


def broken_words(page: Page, selector: str = "table, dl") -> list[str]:
    """The words inside tables and summary lists that the page breaks across two lines."""
    return page.evaluate(_BROKEN_WORDS, selector)


def _rgb(css: str) -> tuple[float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)[:3]]
    return numbers[0], numbers[1], numbers[2]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS colours (``rgb(…)``/``rgba(…)``)."""
    a, b = sorted((_luminance(_rgb(first)), _luminance(_rgb(second))), reverse=True)
    return (a + 0.05) / (b + 0.05)


def faint_focus_rings(page: Page, stops: int = 40) -> list[str]:
    """Tab through the page; each stop whose focus ring is missing or under 3:1, described."""
    page.locator("body").focus()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    problems, seen = [], set()
    for _ in range(stops):
        page.keyboard.press("Tab")
        ring = page.evaluate(_FOCUS_RING)
        if ring is None or ring["element"] in seen:
            break
        seen.add(ring["element"])
        if ring["style"] == "none" or ring["width"] < 2:
            problems.append(f"no focus ring on {ring['element']}")
            continue
        ratio = contrast(ring["color"], ring["behind"])
        if ratio < MIN_FOCUS_CONTRAST:
            problems.append(
                f"focus ring {ring['color']} on {ring['behind']} is {ratio:.1f}:1 "
                f"on {ring['element']}"
            )
    return problems


def assert_layout(page: Page, where: str) -> None:
    """At 320 CSS px: no word split inside a table or summary list, every focus ring 3:1."""
    size = page.viewport_size
    page.set_viewport_size(NARROWEST)
    try:
        broken = broken_words(page)
        assert not broken, f"words broken mid-word at 320 px on {where}: {broken}"
        faint = faint_focus_rings(page)
        assert not faint, f"focus indicators under 3:1 on {where}: {faint}"
    finally:
        if size:
            page.set_viewport_size(size)
