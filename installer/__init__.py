"""Release tooling (not shipped in the app): packaging, signing, platform installers."""
