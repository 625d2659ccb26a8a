"""One-line notices about how data was read (held-out splits, resizing, missing photos), each said once."""

from absl import logging

_SAID = set()


def say_once(message):
    """Logs `message` as a warning (one line) the first time this process sees it; returns whether it was said."""
    if message in _SAID:
        return False
    _SAID.add(message)
    logging.warning(message)
    return True
