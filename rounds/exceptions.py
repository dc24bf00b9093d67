class DomainError(Exception):
    """A refused change, whichever app refused it; the message is shown to staff as it is."""


class RoundTransitionError(DomainError):
    """A refused move of a round; the message is shown to staff as it is."""


class RoundEditError(DomainError):
    """A refused change to a round, its plan or a row under it; the message is shown as it is."""
