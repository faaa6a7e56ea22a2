"""PyInstaller entry point: the same `chambers` command as the pip-installed script.

A frozen app has no separate Python, so two ways the app starts helper processes are
served here: ``chambers -c CODE ARGS`` (app/ingest/worker.py runs its sandboxed parser
child as ``sys.executable -c ...``) and multiprocessing's spawn (Windows).
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if getattr(sys, "frozen", False) and len(sys.argv) > 2 and sys.argv[1] == "-c":
        code, sys.argv = sys.argv[2], ["-c", *sys.argv[3:]]
        exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
        sys.exit(0)
    from app.cli import main

    sys.exit(main())
