"""Producers: the CLI and Python API that create campaigns and hand them to the workers."""
