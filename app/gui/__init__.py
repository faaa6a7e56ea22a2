"""The desktop shell (PySide6). The only package that imports Qt.

Widgets call the core packages only through jobs that run off the GUI thread, so the
event loop never waits on a model, a disk or a key-derivation function.
"""
