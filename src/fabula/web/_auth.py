"""Authentication for web front ends: OAuth2 bearer tokens that are JWTs, verified with PyJWT.

::

    auth = BearerAuth(AuthSettings.from_env())
    auth.install(app)                       # 401 / 403 answers, and app.state for CurrentUser

    @app.get("/me")
    async def me(user: CurrentUser) -> str:
        return user.subject

Rules:
1. A request proves who it is with ``Authorization: Bearer <JWT>``. The token is signed
   with the settings' secret (HMAC), names the user in ``sub``, and carries ``iss``,
   ``aud``, ``iat`` and ``exp``; all are checked. Scopes, space-separated in ``scope``,
   say what else the user may do (OAuth2 style).
2. No token where one is needed is ``NotAuthenticated``; a bad one (forged, expired,
   meant for another audience) ``InvalidToken``: both HTTP 401 with
   ``WWW-Authenticate: Bearer``. A user acting on what is not theirs is ``Forbidden``
   (403), unless the app prefers to answer 404 and not say that it exists.
3. Keys come from ``AuthSettings``, and environment variables feed it in one place,
   ``AuthSettings.from_env``. Without ``FABULA_AUTH_SECRET`` the settings hold a fixed,
   public development secret (``settings.is_development``): anyone can mint tokens for
   it with ``fabula token <user>``, which is the point on a laptop and never acceptable
   in production.
4. The OpenAPI document declares the scheme (HTTP bearer, format JWT) on every route
   that depends on ``CurrentUser``, so Swagger UI shows an "Authorize" button.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Final, Literal

import jwt
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from fabula._errors import ConfigurationError, DomainError
from fabula.web._errors import error_response

__all__ = [
    "DEVELOPMENT_SECRET",
    "AuthSettings",
    "BearerAuth",
    "CurrentUser",
    "Forbidden",
    "InvalidToken",
    "NotAuthenticated",
    "OptionalUser",
    "Principal",
    "bearer_token",
]

DEVELOPMENT_SECRET: Final = "fabula-development-secret-not-for-production"  # noqa: S105
"""The signing secret when ``FABULA_AUTH_SECRET`` is not set: public, for laptops only."""

Algorithm = Literal["HS256", "HS384", "HS512"]


class NotAuthenticated(DomainError):
    """A request that needs a bearer token came without one (HTTP 401)."""

    code = "not_authenticated"
    message = "this needs a bearer token: Authorization: Bearer <token>"


class InvalidToken(NotAuthenticated):
    """A bearer token that is forged, expired, or meant for someone else (HTTP 401)."""

    code = "invalid_token"
    message = "the bearer token is not valid"


class Forbidden(DomainError):
    """The user is known, but may not do this (HTTP 403)."""

    code = "forbidden"
    message = "you may not do this"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthSettings:
    """Where tokens come from and what they must say.

    Args:
        secret: the HMAC key that signs and verifies tokens (at least as many bytes as the
            hash: 32 for HS256).
        issuer: the ``iss`` every token carries.
        audience: the ``aud`` every token carries.
        algorithm: the HMAC algorithm.
        lifetime: how long a minted token is valid.
        leeway: clock skew tolerated when checking ``exp`` and ``iat``.
    """

    secret: str = field(default=DEVELOPMENT_SECRET, repr=False)
    issuer: str = "fabula"
    audience: str = "fabula-examples"
    algorithm: Algorithm = "HS256"
    lifetime: timedelta = timedelta(hours=1)
    leeway: timedelta = timedelta(seconds=30)

    def __post_init__(self) -> None:
        needed = int(self.algorithm[2:]) // 8  # RFC 7518 3.2: a key as long as the hash
        if len(self.secret.encode()) < needed:
            msg = f"the auth secret must be at least {needed} bytes for {self.algorithm}"
            raise ConfigurationError(msg + " (FABULA_AUTH_SECRET)")

    @property
    def is_development(self) -> bool:
        """Whether the secret is the public development one."""
        return self.secret == DEVELOPMENT_SECRET

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuthSettings:
        """Read ``FABULA_AUTH_SECRET``, ``FABULA_AUTH_ISSUER``, ``FABULA_AUTH_AUDIENCE``.

        Unset variables keep the defaults (the development secret among them).
        """
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            secret=env.get("FABULA_AUTH_SECRET") or defaults.secret,
            issuer=env.get("FABULA_AUTH_ISSUER") or defaults.issuer,
            audience=env.get("FABULA_AUTH_AUDIENCE") or defaults.audience,
        )


@dataclass(frozen=True, slots=True)
class Principal:
    """Who sent a request, as its token says: the user (``sub``) and their scopes."""

    subject: str
    scopes: frozenset[str] = frozenset()

    def require(self, scope: str, /) -> None:
        """Raise ``Forbidden`` unless the token grants ``scope``."""
        if scope not in self.scopes:
            raise Forbidden(params={"scope": scope})


class BearerAuth:
    """Mints and verifies bearer tokens with one ``AuthSettings``."""

    def __init__(self, settings: AuthSettings | None = None) -> None:
        self.settings: AuthSettings = settings if settings is not None else AuthSettings.from_env()

    def mint(
        self,
        subject: str,
        /,
        *,
        scopes: Collection[str] = (),
        lifetime: timedelta | None = None,
        now: datetime | None = None,
    ) -> str:
        """Return a signed token for ``subject`` with ``scopes``."""
        issued = now if now is not None else datetime.now(UTC)
        claims: dict[str, object] = {
            "sub": subject,
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "iat": issued,
            "exp": issued + (lifetime if lifetime is not None else self.settings.lifetime),
        }
        if scopes:
            claims["scope"] = " ".join(sorted(scopes))
        return jwt.encode(claims, self.settings.secret, algorithm=self.settings.algorithm)

    def verify(self, token: str, /) -> Principal:
        """Return who a token names.

        Raises:
            InvalidToken: bad signature or format, expired, wrong issuer or audience.
        """
        try:
            claims = jwt.decode(
                token,
                self.settings.secret,
                algorithms=[self.settings.algorithm],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway,
                options={"require": ["sub", "iss", "aud", "iat", "exp"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(params={"reason": str(exc)}) from exc
        scope = claims.get("scope", "")
        if not isinstance(scope, str) or not claims["sub"]:
            raise InvalidToken(params={"reason": "malformed sub or scope claim"})
        return Principal(claims["sub"], frozenset(scope.split()))

    def authenticate(self, authorization: str | None, /) -> Principal | None:
        """Return who an ``Authorization`` header value names (``None`` without one).

        Raises:
            InvalidToken: the header is not ``Bearer <valid token>``.
        """
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken(params={"reason": "expected 'Bearer <token>'"})
        return self.verify(token.strip())

    def install(self, app: FastAPI, /) -> None:
        """Make ``CurrentUser`` work in ``app`` and answer auth errors with 401 / 403."""
        app.state.fabula_auth = self
        app.add_exception_handler(NotAuthenticated, _unauthorized)
        app.add_exception_handler(Forbidden, _forbidden)


_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    scheme_name="bearer",
    description="A JWT: `Authorization: Bearer <token>`. Get a development token with "
    "`fabula token <user>`.",
)


def bearer_token(connection: HTTPConnection, /) -> Principal | None:
    """Return who an HTTP request or WebSocket handshake names (``None``: anonymous).

    The token comes from the ``Authorization`` header or, for browsers' WebSockets that
    cannot send headers, the ``access_token`` query parameter.

    Raises:
        InvalidToken: a token was given and it is not valid.
    """
    auth: BearerAuth = connection.app.state.fabula_auth
    header = connection.headers.get("authorization")
    if header is None and (token := connection.query_params.get("access_token")):
        header = f"Bearer {token}"
    return auth.authenticate(header)


async def _optional_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    # ``credentials`` only puts the scheme into the OpenAPI document; the header is read
    # again so that a malformed one is a 401 rather than silently anonymous.
    return bearer_token(request)


async def _current_user(
    user: Annotated[Principal | None, Depends(_optional_user)],
) -> Principal:
    if user is None:
        raise NotAuthenticated
    return user


CurrentUser = Annotated[Principal, Depends(_current_user)]
"""A route parameter for the authenticated user: 401 without a valid bearer token."""

OptionalUser = Annotated[Principal | None, Depends(_optional_user)]
"""A route parameter for the user if a token was sent (``None`` if not; 401 if invalid)."""


def _challenge(exc: NotAuthenticated) -> dict[str, str]:
    if isinstance(exc, InvalidToken):
        return {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    return {"WWW-Authenticate": "Bearer"}


async def _unauthorized(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotAuthenticated)
    return error_response(401, exc.code, exc.message, exc.params, headers=_challenge(exc))


async def _forbidden(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Forbidden)
    return error_response(403, exc.code, exc.message, exc.params)
