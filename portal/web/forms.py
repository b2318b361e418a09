"""Helpers shared by every form-handling view."""

from portal.domain import DomainError


def attach_error(form, error: DomainError) -> None:
    """Show a domain rule's message next to the field it concerns."""
    field = getattr(form, error.field or "", None)
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = list(field.errors or []) + [error.message]
