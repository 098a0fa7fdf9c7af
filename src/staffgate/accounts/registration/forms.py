"""The wizard's own form: the Terms and Conditions (the others are shared with the profile)."""

from __future__ import annotations

from staffgate.core.forms import CodedForm


class TermsForm(CodedForm):
    """Two buttons, ``agree`` and ``decline``; the view reads which was pressed."""

    def decision(self) -> str | None:
        if "agree" in self.data:
            return "agree"
        if "decline" in self.data:
            return "decline"
        return None
