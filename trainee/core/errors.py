"""Domain errors: raised by operations, turned into messages by views and JSON by the API."""


class DomainError(Exception):
    """A rule of the domain refused the operation; `message` is shown to the user."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, field_errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"
