"""The login a Django developer would build instead of staffgate, for ``make bench``.

Django's own ``LoginView`` over ``contrib.auth``'s ``User``, database sessions, a home
page behind ``login_required``, django-axes for the three-strike lock, and Argon2id with
staffgate's production parameters. ``bench/run.py`` serves it with ``staffgate serve``
(``DJANGO_SETTINGS_MODULE=bench.peer.settings``) on a database of its own and drives it
with the same load generator as the portal, in alternating rounds.
"""
