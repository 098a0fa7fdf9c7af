"""``staffgate serve``: the production server (gunicorn, static files by whitenoise)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from staffgate.core.staticfiles import collect_static_files
from staffgate.ops.logs import gunicorn_logging
from staffgate.ops.metrics_dir import prepare_for_server, worker_exited


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def trusted_proxies() -> str:
    """``STAFFGATE_TRUSTED_PROXIES`` as gunicorn reads it: nothing trusted when it is empty."""
    return ",".join(str(network) for network in settings.STAFFGATE_TRUSTED_PROXIES)


class Command(BaseCommand):
    help = "Serve the portal with gunicorn (default bind 127.0.0.1:8000)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on.")
        parser.add_argument(
            "--workers", type=int, default=default_workers(), help="Processes (default: cores)."
        )
        parser.add_argument(
            "--threads", type=int, default=2, help="Threads per process (default: 2)."
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Serve STATIC_ROOT as it is, even when it lags behind the installed package.",
        )
        parser.add_argument(
            "--access-log", action="store_true", help="Log every request to standard output."
        )

    def handle(self, bind, workers, threads, no_collectstatic, access_log, **options):
        host, sep, port = bind.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(f"--bind {bind!r} must read HOST:PORT, e.g. 127.0.0.1:8000.")
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        if not no_collectstatic and collect_static_files():
            self.stdout.write(f"staffgate: collected the static files into {settings.STATIC_ROOT}")

        # Workers configure logging again when they load the portal: the same configuration.
        settings.LOGGING = gunicorn_logging(access_log=access_log)
        # Before any worker forks: every process keeps its metrics in this folder.
        prepare_for_server(settings.STAFFGATE_METRICS_DIR)

        if not settings.STAFFGATE_HASH_CONCURRENCY:
            # Workers fork from here: together they never hash on more threads than cores.
            settings.STAFFGATE_HASH_CONCURRENCY = max(1, default_workers() // workers)

        from gunicorn.app.base import BaseApplication

        class PortalServer(BaseApplication):
            def load_config(self):
                for key, value in {
                    "bind": bind,
                    "workers": workers,
                    "threads": threads,
                    "worker_class": "gthread",
                    "accesslog": "-" if access_log else None,
                    "errorlog": "-",
                    "timeout": 30,
                    "graceful_timeout": 10,
                    # Only the proxies named in the settings may say a request came over
                    # HTTPS, and only with the one header Django is told to read.
                    "forwarded_allow_ips": trusted_proxies(),
                    "secure_scheme_headers": {"X-FORWARDED-PROTO": "https"},
                    "forwarder_headers": "",
                    # gunicorn's own lines in the portal's log format.
                    "logconfig_dict": settings.LOGGING,
                    "child_exit": lambda server, worker: worker_exited(worker.pid),
                }.items():
                    self.cfg.set(key, value)
                if "control_socket_disable" in self.cfg.settings:
                    # Several servers may run side by side; none needs the admin socket.
                    self.cfg.set("control_socket_disable", True)

            def load(self):
                from staffgate.config.wsgi import application

                return application

        self.stdout.write(f"staffgate: serving on http://{bind}/ ({workers}x{threads} threads)")
        PortalServer().run()
