from rounds.exceptions import DomainError


class VotingError(DomainError):
    """A refused step at a ballot station or in the count; the message is shown as it is."""


class ChoicesError(VotingError):
    """The ticks on a ballot are not a valid choice: none, too many, or not in the library."""
