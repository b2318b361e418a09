"""Domain logic as plain functions over the session. They flush, never
commit, and take ``now`` as a parameter instead of reading the clock."""


class DomainError(Exception):
    """A rule refused the request; ``field`` names the input at fault."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class DomainErrors(DomainError):
    """Several rules refused the request at once; each error names its field."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].message, errors[0].field)
        self.errors = errors


class Collector:
    """Run checks and keep every DomainError, so a form can show them all."""

    def __init__(self):
        self.errors: list[DomainError] = []

    def check(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DomainError as error:
            self.errors.append(error)
            return None

    def raise_any(self) -> None:
        if self.errors:
            raise DomainErrors(self.errors)
