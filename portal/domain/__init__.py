"""Domain logic as plain functions over the session. They flush, never
commit, and take ``now`` as a parameter instead of reading the clock."""


class DomainError(Exception):
    """A rule refused the request; ``field`` names the input at fault."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
