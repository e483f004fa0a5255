"""API schemas of accounts."""

from ninja import Schema
from pydantic import ConfigDict, EmailStr, Field


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class SignupIn(Strict):
    username: str = Field(min_length=1, max_length=150)
    email: EmailStr
    password: str = Field(min_length=1, max_length=512)


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=512)


class PasswordResetIn(Strict):
    email: EmailStr


class PasswordResetConfirmIn(Strict):
    uid: str = Field(min_length=1, max_length=64)
    token: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=512)


class MeOut(Schema):
    authenticated: bool
    username: str | None
    email: str | None
    drafts_claimed: int = 0


class MessageOut(Schema):
    detail: str
