"""Forgot password: the person's own questions, then a new password."""
