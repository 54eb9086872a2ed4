"""Offline quality and speed measurements of pipeline stages (never run inside the pipeline)."""
