"""Signed offline release bundles: verify with TUF, import models and catalog.

See app/bundle/verify.py (TUF client over local files) and app/bundle/importer.py; the
signing side lives in installer/sign/ and never ships in the app.
"""
