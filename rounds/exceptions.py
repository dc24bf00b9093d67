class RoundTransitionError(Exception):
    """A refused move of a round; the message is shown to staff as it is."""
