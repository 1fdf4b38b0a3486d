"""The version of the terms and privacy notice members accept.

Bump TERMS_VERSION whenever the notice changes: members must accept the new version before
they can use anything again.
"""

TERMS_VERSION = "2026-11-01"
