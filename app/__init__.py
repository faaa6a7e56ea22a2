"""Chambers: a private, on-device AI workbench for legal work.

The core packages (engine, models, vault, audit, ingest, tasks) never import Qt, so every
operation can be tested, scripted and benchmarked headless; ``app.gui`` sits on top.
"""

__version__ = "0.1.0"
