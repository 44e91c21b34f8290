"""Tortoise CLI entry for `make migrations`: `tortoise -c server.migrations_config.TORTOISE_ORM`."""

from server.db import tortoise_config
from server.settings import load_settings

TORTOISE_ORM = tortoise_config(load_settings())
