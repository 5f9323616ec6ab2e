"""Bad input, named by field: operations raise it, pages show each message next to its
field, the API answers it as problem+json. Nothing is saved when it is raised."""

from __future__ import annotations


class InvalidInput(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors

    @classmethod
    def on(cls, field: str, message: str) -> InvalidInput:
        return cls({field: message})


def attach_to_form(form, error: InvalidInput) -> None:
    """Put each message under the form field of the same name (or the form as a whole)."""
    for field, message in error.errors.items():
        target = getattr(form, field, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)
