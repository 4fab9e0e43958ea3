"""Shared route dependencies: settings from a cached getter that tests override."""

from typing import Annotated

from fastapi import Depends

from gradscape.config import Settings, get_settings

SettingsDep = Annotated[Settings, Depends(get_settings)]
