"""Signing in and out: employees at /login/, help-desk staff at /helpdesk/login/, one backend."""
