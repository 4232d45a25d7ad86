"""Personal and course codes: generation, normalisation and keyed hashing.

Codes use an alphabet without look-alikes (no 0/O, 1/I/L) so they can be read off a printed
card and typed on a phone. A personal code is never stored: only an HMAC keyed with a server
secret, so a copy of the database does not reveal anyone's code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PERSONAL_CODE_LENGTH = 8
COURSE_CODE_LENGTH = 6


def new_code(length: int = PERSONAL_CODE_LENGTH) -> str:
    """A fresh random code from the unambiguous alphabet."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise(raw: str) -> str:
    """What the person meant: upper case, without the spaces and dashes of the printed form."""
    return "".join(ch for ch in raw.upper() if ch not in " -\t\n")


def is_well_formed(code: str, length: int = PERSONAL_CODE_LENGTH) -> bool:
    """True when ``code`` (normalised) has the right length and only alphabet characters."""
    return len(code) == length and all(ch in ALPHABET for ch in code)


def display(code: str) -> str:
    """Group a personal code in fours for printing: ``ABCD-EFGH``."""
    return f"{code[:4]}-{code[4:]}" if len(code) == PERSONAL_CODE_LENGTH else code


def keyed_hash(key: str, code: str) -> str:
    """HMAC-SHA256 of a normalised code under the server's code key, hex-encoded."""
    return hmac.new(key.encode(), code.encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """SHA-256 of a high-entropy random token (login sessions, display links)."""
    return hashlib.sha256(token.encode()).hexdigest()
