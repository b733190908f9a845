"""Example files of ``oncometrics portfolio`` (see README.md here)."""
