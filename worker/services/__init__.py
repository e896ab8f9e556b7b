"""Dispatch, polling and planning as plain functions over the database and provider clients."""
