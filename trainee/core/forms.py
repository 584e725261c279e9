"""Show a DomainError on a WTForms form: each field's messages under the field, the summary as a flash."""
from flask import flash

from trainee.core.errors import DomainError


def show_domain_error(form, error: DomainError) -> None:
    for name, messages in error.field_errors.items():
        target = getattr(form, name, None) if form is not None else None
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors or []) + list(messages)
    flash(error.message, "error")
