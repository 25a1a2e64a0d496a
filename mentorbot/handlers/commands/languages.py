"""`/checkin language [es|de|slack]`: see or choose the language mentorbot writes to one in."""

from __future__ import annotations

import re

from mentorbot.bot import languages
from mentorbot.bot.rendering import render_text
from mentorbot.bot.services.languages import choose_language, language_choice
from mentorbot.bot.services.members import get_or_create_member
from mentorbot.handlers.commands.request import MentoringRequest as Request

# What `/checkin language …` takes: a language code, or `slack`; other words after it
# ("language exchange went well") are a check-in.
LANGUAGE_WORDS = re.compile(r"^\s*(slack|[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?)\s*$", re.IGNORECASE)


def is_language_command(rest: str) -> bool:
    """Whether the words after `language` name a language (or are none at all)."""
    return not rest.strip() or bool(LANGUAGE_WORDS.match(rest))


def language(request: Request) -> None:
    """`/checkin language [code|slack]`: see or set one's language."""
    changed = bool(request.text.rest)
    if changed:
        member = get_or_create_member(
            request.session, team_id=request.team_id, user_id=request.user_id, now=request.now
        )
        choice = choose_language(member, request.text.rest)
    else:
        choice = language_choice(request.session, team_id=request.team_id, user_id=request.user_id)
    with languages.speaking(choice.code):  # the answer is in the language chosen
        request.reply(
            render_text(
                "languages/language.md.j2",
                changed=changed,
                choice=choice,
                spoken=languages.available(),
            )
        )
