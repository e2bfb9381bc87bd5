"""The one exception type for mistakes a user can make.

Pages catch `LabError` and show its message; any other exception is a bug. Messages are written for
the person at the keyboard: what was wrong, what was received, and what to do instead.
"""


class LabError(ValueError):
    """Bad input from a user (an unknown word, an unreadable file, a parameter out of range)."""
