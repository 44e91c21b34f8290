"""Messages in English and Russian, chosen by the user's locale or Accept-Language."""

from __future__ import annotations

import functools
from importlib import resources

import orjson

from server.settings import SUPPORTED_LOCALES, Locale


@functools.cache
def catalog(locale: Locale) -> dict[str, str]:
    text = resources.files("server").joinpath("locales", f"{locale}.json").read_bytes()
    messages: dict[str, str] = orjson.loads(text)
    return messages


def translate(locale: str, key: str, **params: object) -> str:
    lang: Locale = locale if locale in SUPPORTED_LOCALES else "en"
    template = catalog(lang).get(key) or catalog("en").get(key) or key
    return template.format(**params) if params else template


def negotiate(accept_language: str | None, default: Locale) -> Locale:
    """The first supported language in an Accept-Language header (q-values ignored: browsers
    send them in preference order already)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in SUPPORTED_LOCALES:
            return tag
    return default


def plural_category(locale: str, count: float) -> str:
    """The CLDR plural category of a number: English one/other; Russian one/few/many
    (other for fractions)."""
    if count != int(count):
        return "other"
    n = abs(int(count))
    if locale == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "other"


def translate_plural(locale: str, key: str, count: float, **params: object) -> str:
    """`key.<category>` for the count, falling back to `key.other`."""
    lang = locale if locale in SUPPORTED_LOCALES else "en"
    category = plural_category(lang, count)
    messages = catalog(lang)
    chosen = f"{key}.{category}" if f"{key}.{category}" in messages else f"{key}.other"
    shown = int(count) if count == int(count) else count
    return translate(lang, chosen, count=shown, **params)
