"""Request plumbing: language choice, proxies, caching headers."""

import ipaddress
import logging

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from staffgate.core import language


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.GET.get("language")
        if language.supported(chosen):
            request.session[language.SESSION_KEY] = chosen
        else:
            chosen = request.session.get(language.SESSION_KEY)
            if not language.supported(chosen):
                chosen = translation.get_language_from_request(request)
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def public_for(response, seconds: int):
    """Let browsers and proxies keep ``response`` for ``seconds`` (public documents only)."""
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    response.staffgate_public = True
    return response


class NoStoreMiddleware:
    """Pages of an identity portal are personal: no browser or proxy may keep a copy.

    Static files and the few public documents marked by :func:`public_for` (the
    single sign-on discovery document and signing keys) keep their own header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        public = getattr(response, "staffgate_public", False)
        if not public and not request.path.startswith(settings.STATIC_URL):
            response.headers["Cache-Control"] = "no-store, max-age=0"
        return response


# Headers that claim how the client reached the proxy. From a trusted proxy only
# X-Forwarded-For and X-Forwarded-Proto are read; every other form is always dropped.
FORWARDED_HEADERS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SCHEME",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_FORWARDED_SERVER",
    "HTTP_X_SCHEME",
    "HTTP_X_URL_SCHEME",
    "HTTP_FRONT_END_HTTPS",
    "HTTP_X_REAL_IP",
    "HTTP_X_CLIENT_IP",
    "HTTP_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
)


class TrustedProxyMiddleware:
    """Take the client address from ``X-Forwarded-For`` only when a trusted proxy sent it.

    Walking the header from the right, the first address that is not a trusted
    proxy is the client. From anyone else, ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are dropped too; the other forwarding headers are
    dropped from everyone, since nothing reads them.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = settings.STAFFGATE_TRUSTED_PROXIES

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip().split("%", 1)[0])
        except ValueError:
            return False
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in net for net in self.trusted)

    def __call__(self, request):
        meta = request.META
        for name in FORWARDED_HEADERS:
            meta.pop(name, None)
        if self.trusted and self._is_trusted(meta.get("REMOTE_ADDR", "")):
            hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
            for hop in reversed(hops):
                if not self._is_trusted(hop):
                    try:
                        meta["REMOTE_ADDR"] = str(ipaddress.ip_address(hop))
                    except ValueError:
                        pass
                    break
        else:
            meta.pop("HTTP_X_FORWARDED_FOR", None)
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """When the database fails mid-request, answer 503 with a plain page: fail closed.

    Nothing is committed by a request that raised, so no session or login
    survives it; the page needs no database to render.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.template.response import SimpleTemplateResponse

        if isinstance(exception, OperationalError | InterfaceError):
            logging.getLogger("staffgate").error(
                "database unavailable during %s %s", request.method, request.path
            )
            response = SimpleTemplateResponse("503.html", {}, status=503)
            response["Retry-After"] = "30"
            return response.render()
        return None


class RejectNulMiddleware:
    """Refuse a request whose address or query string holds a NUL character, with a plain 400.

    No legitimate address contains one, and databases refuse to store or compare it.
    Form fields are not checked here: forms refuse NUL themselves, with a field error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or self._has_nul(request.GET):
            return bad_request_page()
        return self.get_response(request)

    @staticmethod
    def _has_nul(query) -> bool:
        return any("\x00" in key or any("\x00" in v for v in query.getlist(key)) for key in query)


class MalformedBodyMiddleware:
    """Answer 400 to a body that cannot be parsed, before anything else reads it.

    A form body in a charset other than UTF-8, a multipart body without its
    boundary or one cut short would otherwise surface inside the CSRF check, where
    Django's own error page runs that check again and fails. One WARNING line is
    logged, without a traceback: a client sent something broken, nothing failed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH"):
            from django.core.exceptions import BadRequest
            from django.http import UnreadablePostError
            from django.http.multipartparser import MultiPartParserError

            from staffgate.audit.services import clean_text

            try:
                request.POST  # noqa: B018 - parsing is the point
            except (BadRequest, MultiPartParserError, UnreadablePostError, UnicodeError) as error:
                logging.getLogger("staffgate").warning(
                    "refused a malformed request body: %s %s (%s)",
                    request.method,
                    clean_text(request.path, 200),
                    clean_text(error, 200),
                )
                return bad_request_page()
        return self.get_response(request)


def bad_request_page():
    """The plain 400 page; it needs no session, no database and no form data."""
    from django.template.response import SimpleTemplateResponse

    response = SimpleTemplateResponse("400.html", {}, status=400).render()
    # Answered before the clickjacking middleware, which would have added it.
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    return response
