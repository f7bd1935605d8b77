"""Node settings, layered: defaults < ``<home>/alliance.toml`` < ``ALLIANCE_*`` environment.

``alliance config check`` prints the merged result. Nothing is read at import.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url

from alliance.core.authority import DISCLOSURE_ROLE, Role
from alliance.core.markings import check_nation

CONFIG_FILE = "alliance.toml"
# The largest legitimate request (a working group of 200 members, every text at
# its limit in Japanese, JSON \u-escaped) is about 620 KB: 1 MiB leaves room.
MAX_BODY_BYTES = 1024 * 1024
_PLACEHOLDER_SECRETS = {"changeme", "change-me", "password", "secret", "postgres", "example"}


class Settings(BaseSettings):
    """Everything a node needs to start."""

    model_config = SettingsConfigDict(env_prefix="ALLIANCE_", extra="forbid")

    home: Path = Field(
        default=Path(".alliance"), description="Node folder: key, config, SQLite file"
    )
    nation: str = Field(description="ISO 3166-1 alpha-3 code of the nation this node serves")
    hosted: list[str] = Field(
        default_factory=list,
        description="Further nations whose authority this node holds (e.g. a combined exercise node)",
    )
    node_id: str = Field(
        default="", description="Name of this node in ledger events; default <nation>-node"
    )
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in home")
    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=1, le=65535)
    # -- the user API's edges (console, /docs, /api/v1) --
    api_tls: bool = Field(
        default=False,
        description="Serve the user API over HTTPS (TLS 1.2+) with the node certificate in pki/",
    )
    max_body_bytes: int = Field(
        default=MAX_BODY_BYTES,
        ge=64 * 1024,
        le=64 * 1024 * 1024,
        description="Largest request body the API reads; larger ones get 413 before sign-in",
    )
    key_passphrase: SecretStr | None = None
    federation_host: str = Field(default="127.0.0.1", description="Where partners reach us")
    federation_port: int = Field(default=0, ge=0, le=65535, description="Default: port + 10")
    federation_url: str = Field(
        default="", description="URL given to partners; default from host/port"
    )
    federation_insecure_http: bool = Field(
        default=False,
        description="DEVELOPMENT ONLY: federate over plain HTTP without certificates",
    )
    tak_host: str = Field(default="127.0.0.1", description="Where TAK clients connect")
    tak_tcp_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="TAK CoT over TCP with token sign-in (8087 by convention); 0 = off",
    )
    tak_tls_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="TAK CoT over mutual TLS with client certificates (8089 by convention); 0 = off",
    )
    tak_release_to: list[str] = Field(
        default_factory=list,
        description="Partners that TAK reports are released to unless the report says otherwise",
    )
    lang: Literal["en", "ja"] = "en"
    disclosure_role: Role = Field(
        default=DISCLOSURE_ROLE,
        description="The role whose holders approve widening a release beyond the owner "
        "nation (foreign disclosure) / 提供範囲の拡大を承認する役割",
    )

    @field_validator("nation")
    @classmethod
    def _nation(cls, value: str) -> str:
        return check_nation(value, field="nation")

    @field_validator("hosted")
    @classmethod
    def _hosted(cls, value: list[str]) -> list[str]:
        return sorted({check_nation(v, field="hosted") for v in value})

    @field_validator("tak_release_to")
    @classmethod
    def _tak_release_to(cls, value: list[str]) -> list[str]:
        return sorted({check_nation(v, field="tak_release_to") for v in value})

    @model_validator(mode="after")
    def _derive(self) -> Settings:
        self.home = self.home.expanduser().resolve()
        if not self.node_id:
            self.node_id = f"{self.nation.lower()}-node"
        if not self.federation_port:
            self.federation_port = self.port + 10
        if not self.federation_url:
            scheme = "http" if self.federation_insecure_http else "https"
            self.federation_url = f"{scheme}://{self.federation_host}:{self.federation_port}"
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'alliance.db'}"
        url = make_url(self.database_url)
        if url.password and url.password.lower() in _PLACEHOLDER_SECRETS:
            raise ValueError("database_url uses a placeholder password; set a real one")
        return self

    @property
    def hosted_nations(self) -> frozenset[str]:
        return frozenset({self.nation, *self.hosted})

    @property
    def api_url(self) -> str:
        """Where users reach the API and the console."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.api_tls else 'http'}://{host}:{self.port}"

    @property
    def key_file(self) -> Path:
        return self.home / "node.key"

    @property
    def passphrase(self) -> bytes | None:
        return self.key_passphrase.get_secret_value().encode() if self.key_passphrase else None

    def public_view(self) -> dict[str, Any]:
        """The merged settings with secrets masked (for ``config check``)."""
        data = self.model_dump(mode="json")
        data["key_passphrase"] = "********" if self.key_passphrase else None
        url = make_url(self.database_url)
        data["database_url"] = url.render_as_string(hide_password=True)
        data["hosted_nations"] = sorted(self.hosted_nations)
        data["key_file"] = str(self.key_file)
        return data

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Explicit arguments > environment; the file is merged in load_settings().
        return (init_settings, env_settings)


def read_file(home: Path) -> dict[str, Any]:
    path = home / CONFIG_FILE
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_settings(home: Path | None = None, **overrides: Any) -> Settings:
    """Defaults < config file in ``home`` < environment < explicit overrides."""
    import os

    base = Path(home or os.environ.get("ALLIANCE_HOME") or ".alliance").expanduser()
    file_values = read_file(base)
    env_keys = {
        k.removeprefix("ALLIANCE_").lower() for k in os.environ if k.startswith("ALLIANCE_")
    }
    merged = {k: v for k, v in file_values.items() if k not in env_keys}
    merged.update({k: v for k, v in overrides.items() if v is not None})
    merged.setdefault("home", base)
    return Settings(**merged)


def write_file(settings: Settings) -> Path:
    """Write the non-secret settings a node was initialized with."""
    path = settings.home / CONFIG_FILE
    lines = [
        "# Alliance node settings; ALLIANCE_* environment variables override these.",
        f'nation = "{settings.nation}"',
        f'node_id = "{settings.node_id}"',
        f"hosted = {settings.hosted!r}".replace("'", '"'),
        f'database_url = "{settings.database_url}"',
        f'host = "{settings.host}"',
        f"port = {settings.port}",
        f'lang = "{settings.lang}"',
        f'tak_host = "{settings.tak_host}"',
        f"tak_tcp_port = {settings.tak_tcp_port}",
        f"tak_tls_port = {settings.tak_tls_port}",
        f"tak_release_to = {settings.tak_release_to!r}".replace("'", '"'),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
