from rounds.exceptions import DomainError


class NoticeError(DomainError):
    """A refused change to a public notice; the message is shown to staff as it is."""
