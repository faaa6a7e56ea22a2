"""Task pipelines over engine + vault: pure functions, no Qt, progress and cancel passed in.

Each takes a ``progress(fraction, message)`` callback and a ``CancelToken`` so the GUI,
the CLI and the tests drive the same code. Import a task from its own module
(``app.tasks.summarise.pipeline``, ``app.tasks.extract``, ...): this package re-exports
nothing, so importing one task does not load the others.
"""
