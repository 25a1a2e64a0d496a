"""People's own data: everything stored about a person, to hand them (`/checkin my-data`) or to
delete (`/checkin delete-my-data`), leaving only anonymous counts.

Deleting keeps the rows that programme counts are made of (a check-in happened, a goal was
set) but takes out the person's words and puts one anonymous placeholder in place of their
Slack id everywhere. Their member row stays, emptied, with `data_deleted_at`: the record that
the deletion happened, and how an old "Delete my data" button knows it was done already.

The package's modules:

- `export`: everything stored about the person, as JSON-ready data (`/checkin my-data`).
- `holdings`: what deleting would take out, and whether it was done already.
- `deletion`: the deletion itself: words out, live pairs ended, the other person told.
- `messages`: the person's outbox messages: those to them, and those withdrawn on deletion.
- `placeholder`: the anonymous placeholder put in place of the person's id in every row.
- `words`: taking words out of a pair's rows, for deletion and for retention.
- `pairs_of`: the person's pairs and their cohorts' names, where export and deletion start.
"""

from mentorbot.bot.services.own_data.deletion import (
    LEFT,
    PLACEHOLDER_PREFIX,
    DeletionSummary,
    delete,
)
from mentorbot.bot.services.own_data.export import FORMAT, FORMAT_VERSION, MEMBER, PROFILE, export
from mentorbot.bot.services.own_data.holdings import Holdings, deleted_since, holdings
from mentorbot.bot.services.own_data.placeholder import CONFIGURATION

__all__ = [
    "CONFIGURATION",
    "FORMAT",
    "FORMAT_VERSION",
    "LEFT",
    "MEMBER",
    "PLACEHOLDER_PREFIX",
    "PROFILE",
    "DeletionSummary",
    "Holdings",
    "delete",
    "deleted_since",
    "export",
    "holdings",
]
