class VotingError(Exception):
    """A refused step at a ballot station or in the count; the message is shown as it is."""
