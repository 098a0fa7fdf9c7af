"""``make bench``: staffgate's performance bench (see ``bench/run.py``)."""
