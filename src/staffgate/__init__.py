"""staffgate: the sign-in portal for a large employer's employees and retirees."""

__version__ = "0.1.0"
