"""Second factors: authenticator apps (TOTP) and single-use recovery codes.

``amr_for(session)`` tells single sign-on which methods signed this session in.
"""

from staffgate.factors.methods import amr_for

__all__ = ["amr_for"]
