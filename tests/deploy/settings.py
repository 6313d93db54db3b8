"""FilmFlare's own settings check, applied to the variables a deployment file sets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from filmflare.config import Settings

PREFIX = "FILMFLARE_"


class GivenSettings(Settings):
    """Settings from the values given alone: not this process's environment, nor a .env file."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def unknown_settings(environment: Mapping[str, str]) -> list[str]:
    """``FILMFLARE_*`` names that no setting reads: a typo the service would ignore."""
    return sorted(
        name
        for name in environment
        if name.startswith(PREFIX)
        and name.removeprefix(PREFIX).lower() not in Settings.model_fields
    )


def settings_from(environment: Mapping[str, str]) -> Settings:
    """The settings a process with exactly these environment variables would read."""
    fields: dict[str, Any] = {
        name.removeprefix(PREFIX).lower(): value
        for name, value in environment.items()
        if name.startswith(PREFIX)
    }
    return GivenSettings(**fields)
