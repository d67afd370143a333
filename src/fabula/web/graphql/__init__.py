"""Helpers for GraphQL front ends built with Strawberry (``pip install 'fabula[graphql]'``)."""

from fabula.web.graphql._errors import FabulaErrors, Schema, error_extensions

__all__ = ["FabulaErrors", "Schema", "error_extensions"]
