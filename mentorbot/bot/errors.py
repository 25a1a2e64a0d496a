"""Domain errors: each carries a template that explains the problem politely to the person."""

from __future__ import annotations

from typing import Any

from mentorbot.bot.rendering import plain


class MentorbotError(Exception):
    """A problem the person can act on; rendered from `template` with `context`."""

    template = "errors/generic.md.j2"

    def __init__(self, message: str = "", **context: Any) -> None:
        # `str(error)` is plain text (a form field shows it as such); the template renders
        # `message`, where what the person typed is marked with `rendering.quoted`.
        super().__init__(plain(message) or self.__class__.__name__)
        self.context = {"message": message, **context}


class NotAllowed(MentorbotError):
    """The person lacks the role the action needs (e.g. a coordinator command)."""

    template = "errors/not_allowed.md.j2"


class BadInput(MentorbotError):
    """The command or form could not be understood; the context holds an example."""

    template = "errors/bad_input.md.j2"


class NotFound(MentorbotError):
    """The thing the person named does not exist (in their workspace)."""

    template = "errors/not_found.md.j2"


class InvalidForm(MentorbotError):
    """A modal's field holds something unusable; shown next to that field (`field` = block)."""

    template = "errors/generic.md.j2"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
