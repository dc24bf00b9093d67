from rounds.exceptions import DomainError


class ProposalError(DomainError):
    """A refused change to a proposal or the project library; the message is shown as it is."""


class ProposalImportError(ProposalError):
    """A refused spreadsheet import; nothing was saved.

    ``problems`` lists each fault as (row number in the sheet, column, message), all in the
    language of the request; it is empty when the whole file or round was refused.
    """

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)
