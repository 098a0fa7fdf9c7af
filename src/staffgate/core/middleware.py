"""Choose each request's language: ``?language=xx`` > session > browser > English."""

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
