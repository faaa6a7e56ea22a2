"""Offline TUF signing for release bundles: keys, bundles, root rotation (see README)."""
