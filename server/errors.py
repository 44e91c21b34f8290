"""The one error family of the HTTP API, and its mapping to `{"error", "detail"}`."""

from __future__ import annotations


class ApiError(Exception):
    """An error the client should see: HTTP status, a stable code and a translatable detail.

    `detail_key` names a message in `server/locales/*.json`; `params` fill it in. A plain
    `detail` string is used as is (for messages that come from elsewhere, e.g. a parser).
    """

    def __init__(
        self,
        status: int,
        code: str,
        *,
        detail_key: str | None = None,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
        **params: object,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail_key = detail_key or f"error.{code}"
        self.detail = detail
        self.headers = headers or {}
        self.params = params


def not_found() -> ApiError:
    return ApiError(404, "not_found")


def forbidden() -> ApiError:
    return ApiError(403, "forbidden")
