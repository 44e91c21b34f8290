from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field

from server.schemas import EmployeeOut, Strict


class RegisterBody(Strict):
    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field(min_length=1, max_length=200)


class LoginBody(Strict):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class SignedIn(BaseModel):
    me: EmployeeOut
    csrf_token: str


class TokenCreate(Strict):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="Shown once: send it as `Authorization: Bearer <token>`.")


class TokenList(BaseModel):
    tokens: list[TokenOut]


class EndSessions(Strict):
    tokens: bool = Field(default=False, description="Also revoke the user's API tokens.")


class SessionsEnded(BaseModel):
    sessions_ended: int


class SignUpPolicy(BaseModel):
    """What the sign-up form shows before anyone types: who may register, and the password
    rules (the server checks them again, and also refuses the most common passwords)."""

    email_domains: list[str]
    hr_list: bool = Field(description="HR-listed addresses may register whatever their domain.")
    password_min_length: int
    password_max_length: int
    password_min_classes: int
