"""Domain errors: each carries a code and its arguments; the words live in templates.

`BadInput("goals/no_title", example=...)` says "the problem `no_title` of the feature
`goals`": its words are `templates/errors/goals/no_title.md.j2`, rendered with the
arguments, and the kind of error frames them (`errors/bad_input.md.j2` adds an emoji and
the example). What the person typed is marked in the template with the `quoted` filter.
"""

from __future__ import annotations

from typing import Any, Self

from mentorbot.bot.rendering import environment, plain, render_text


class Reason:
    """Why something can't be done: the words of `errors/<code>.md.j2` with `args`.

    Kept as code and arguments until it is shown (`str()` renders it), so a list of
    reasons (an import's rows) is data like any other.
    """

    def __init__(self, code: str, /, **args: Any) -> None:
        self.code = code
        self.args = args

    def __str__(self) -> str:
        return render_text(f"errors/{self.code}.md.j2", **self.args)

    def __repr__(self) -> str:
        return f"Reason({self.code!r}, **{self.args!r})"


class Example:
    """A command shown as an example: the macro `name` of `templates/examples/<feature>.j2`.

    `Example("cohorts/extend", name="Spring", weeks=3)` calls the macro `extend` of
    `examples/cohorts.j2` with those arguments; `str()` renders it.
    """

    def __init__(self, ref: str, /, **args: Any) -> None:
        self.feature, _, self.name = ref.partition("/")
        self.args = args

    def __str__(self) -> str:
        module = environment().get_template(f"examples/{self.feature}.j2").make_module()
        return str(getattr(module, self.name)(**self.args)).strip()

    def __repr__(self) -> str:
        return f"Example({self.feature + '/' + self.name!r}, **{self.args!r})"


class MentorbotError(Exception):
    """A problem the person can act on: `code` names its words, `context` holds arguments.

    `template` is the frame the words are shown in; a subclass whose template says it all
    is raised without a code.
    """

    template = "errors/generic.md.j2"

    def __init__(self, code: str = "", /, **context: Any) -> None:
        super().__init__(code)
        self.code = code
        self.context = context

    @classmethod
    def of(cls, reason: Reason, **context: Any) -> Self:
        """The error for a reason found earlier (e.g. by a check that lists them)."""
        return cls(reason.code, **{**reason.args, **context})

    @property
    def reason(self) -> Reason:
        """The words of this error as a Reason (to show them elsewhere, e.g. next to a field)."""
        return Reason(self.code, **self.context)

    def message(self) -> str:
        """The words for the code (mrkdwn; what the person typed marked with `quoted`)."""
        return str(self.reason) if self.code else ""

    def text(self) -> str:
        """The whole reply: the words in the frame of this kind of error."""
        return render_text(self.template, message=self.message(), **self.context)

    def __str__(self) -> str:
        # Plain text (a form field shows it as such).
        return plain(self.message()) or self.__class__.__name__


class NotAllowed(MentorbotError):
    """The person lacks the role the action needs (e.g. a coordinator command)."""

    template = "errors/not_allowed.md.j2"


class BadInput(MentorbotError):
    """The command or form could not be understood; the context may hold an `example`."""

    template = "errors/bad_input.md.j2"


class NotFound(MentorbotError):
    """The thing the person named does not exist (in their workspace)."""

    template = "errors/not_found.md.j2"


class InvalidForm(MentorbotError):
    """A modal's field holds something unusable; shown next to that field (`field` = block)."""

    template = "errors/generic.md.j2"

    def __init__(self, field: str, code: str, /, **context: Any) -> None:
        super().__init__(code, **context)
        self.field = field

    @classmethod
    def at(cls, field: str, reason: Reason) -> Self:
        """A problem found elsewhere (a check, a service's error), shown next to `field`."""
        return cls(field, reason.code, **reason.args)
