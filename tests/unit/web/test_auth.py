"""Bearer tokens: settings from the environment, minting, verifying, ``fabula token``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import jwt
import pytest
from fastapi import FastAPI

from fabula import ConfigurationError
from fabula.cli import main
from fabula.web import (
    DEVELOPMENT_SECRET,
    AuthSettings,
    BearerAuth,
    Forbidden,
    InvalidToken,
    Principal,
    install_docs,
)

SECRET = "a secret for the unit tests, 32 bytes or more"
AUTH = BearerAuth(AuthSettings(secret=SECRET))


def test_settings_come_from_the_environment_in_one_place() -> None:
    env = {
        "FABULA_AUTH_SECRET": SECRET,
        "FABULA_AUTH_ISSUER": "shop",
        "FABULA_AUTH_AUDIENCE": "orders",
    }
    settings = AuthSettings.from_env(env)
    assert (settings.secret, settings.issuer, settings.audience) == (SECRET, "shop", "orders")
    assert not settings.is_development
    default = AuthSettings.from_env({})
    assert default.secret == DEVELOPMENT_SECRET
    assert default.is_development
    assert SECRET not in repr(settings)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="32 bytes"):
        AuthSettings(secret="short")
    with pytest.raises(ConfigurationError):
        AuthSettings.from_env({"FABULA_AUTH_SECRET": "short"})
    with pytest.raises(ConfigurationError, match="64 bytes for HS512"):
        AuthSettings(secret=SECRET, algorithm="HS512")


def test_a_token_names_its_user_and_scopes() -> None:
    token = AUTH.mint("c1", scopes=["orders:ship", "a"])
    assert AUTH.verify(token) == Principal("c1", frozenset({"orders:ship", "a"}))
    assert AUTH.authenticate(f"bearer {token}") == AUTH.verify(token)
    assert AUTH.authenticate(None) is None
    assert AUTH.verify(AUTH.mint("c1")).scopes == frozenset()


def claims(**changes: object) -> dict[str, object]:
    now = datetime.now(UTC)
    base: dict[str, object] = {
        "sub": "c1",
        "iss": "fabula",
        "aud": "fabula-examples",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


@pytest.mark.parametrize(
    "token",
    [
        AUTH.mint("c1", now=datetime.now(UTC) - timedelta(hours=2)),  # expired
        BearerAuth(AuthSettings(secret="some other secret, 32 bytes or more")).mint("c1"),
        jwt.encode(claims(aud="elsewhere"), SECRET, algorithm="HS256"),
        jwt.encode(claims(iss="elsewhere"), SECRET, algorithm="HS256"),
        jwt.encode(claims(exp=None), SECRET, algorithm="HS256"),
        jwt.encode(claims(sub=None), SECRET, algorithm="HS256"),
        jwt.encode(claims(sub=""), SECRET, algorithm="HS256"),
        jwt.encode(claims(scope=["a"]), SECRET, algorithm="HS256"),
        jwt.encode(claims(), SECRET * 2, algorithm="HS512"),  # not the configured algorithm
        jwt.encode(claims(), cast("Any", None), algorithm="none"),  # typed by cryptography
        "not.a.token",
    ],
    ids=[
        "expired",
        "other-secret",
        "audience",
        "issuer",
        "no-exp",
        "no-sub",
        "empty-sub",
        "scope-not-a-string",
        "other-algorithm",
        "alg-none",
        "garbage",
    ],
)
def test_a_bad_token_is_refused(token: str) -> None:
    with pytest.raises(InvalidToken) as refused:
        AUTH.verify(token)
    assert refused.value.code == "invalid_token"


@pytest.mark.parametrize("header", ["Basic YTpi", "Bearer", "Bearer  ", "token"])
def test_only_a_bearer_header_is_accepted(header: str) -> None:
    with pytest.raises(InvalidToken):
        AUTH.authenticate(header)


def test_a_scope_is_required_explicitly() -> None:
    Principal("w", frozenset({"orders:ship"})).require("orders:ship")
    with pytest.raises(Forbidden) as refused:
        Principal("c1").require("orders:ship")
    assert refused.value.params == {"scope": "orders:ship"}


def test_fabula_token_mints_with_the_environments_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FABULA_AUTH_SECRET", SECRET)
    assert main(["token", "warehouse", "--scope", "orders:ship", "--minutes", "5"]) == 0
    out = capsys.readouterr()
    assert AUTH.verify(out.out.strip()) == Principal("warehouse", frozenset({"orders:ship"}))
    assert "development" not in out.err

    monkeypatch.delenv("FABULA_AUTH_SECRET")
    assert main(["token", "c1"]) == 0
    out = capsys.readouterr()
    assert BearerAuth(AuthSettings()).verify(out.out.strip()).subject == "c1"
    assert "public development secret" in out.err


def test_offline_docs_need_the_cdn_docs_off() -> None:
    with pytest.raises(ConfigurationError, match="docs_url=None"):
        install_docs(FastAPI())
