"""The request context every handler gets: the request, the services, the caller.

It sits below the HTTP layer (`server/api.py`) and the auth modules that fill it in
(`server/auth/sessions.py`, `server/auth/throttle.py`), so none of them imports another
for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from server.errors import ApiError
from server.models import Employee, Session
from server.schemas import MAX_INT64
from server.services import Services
from server.settings import Locale


@dataclass
class Ctx:
    """What a handler gets besides its body: the request, the services, the caller."""

    request: Request
    services: Services
    locale: Locale
    ip: str
    user: Employee | None = None
    session: Session | None = None
    via: str | None = None  # "session" or "token"
    new_csrf: str | None = None  # set when this request started a session
    # Cookies and headers the handler wants on its response (e.g. a new session cookie).
    set_cookies: list[dict[str, Any]] = field(default_factory=list)
    delete_cookies: list[str] = field(default_factory=list)

    @property
    def me(self) -> Employee:
        if self.user is None:  # guarded by Auth.USER; here for the type checker
            raise ApiError(401, "not_authenticated")
        return self.user

    @property
    def content_type(self) -> str:
        """The request's media type, without parameters such as charset."""
        return self.request.headers.get("content-type", "").split(";")[0].strip()

    def path_int(self, name: str) -> int:
        """A path id (the route's `:int` converter only lets digits through): one beyond
        the databases' 64 bits names nothing, so it is a 404 like any unknown id."""
        value = int(self.request.path_params[name])
        if value > MAX_INT64:
            raise ApiError(404, "not_found")
        return value
