"""Bolt listeners grouped by Slack surface; each package has a `register(app, ...)`.

Listeners are thin: parse the request, call a service, answer. Their Slack calls wait until
the request's transaction is over (`deferred`).

- `actions/`: buttons and menus, one module per feature.
- `commands/`: `/checkin` and `/mentoring`, each subcommand in its feature's module.
- `events/`: Events API listeners: App Home, direct messages, members, uninstalls.
- `views/`: modal submissions, one module per feature.
- `actor`: who is asking (`Actor`): workspace, person, coordinator or not, zone and today.
- `deferred`: Slack calls a listener wants made once the request's transaction is over.
- `errors`: the one error handler: domain errors become polite replies, the rest is logged.
- `fallbacks`: catch-alls, registered last: every request Slack sends gets a 2xx.
- `forms`: reading what people entered in a modal (`view.state.values`).
- `middleware`: request middleware (a retried event is handled once; who is asking) and the
  coordinators-only guard of listeners.
- `modals`: opening modals, finishing forms, and which pair a button or form is about.
- `people`: checking with Slack that the people a coordinator named can take part.
- `uploads`: files the bot hands people in Slack, with files upload v2.
"""

from __future__ import annotations

from slack_bolt import App

from mentorbot.handlers import actions, commands, errors, events, fallbacks, middleware, views


def register(app: App) -> None:
    """Attach middleware, the error handler and every listener to `app`."""
    middleware.register(app)
    errors.register(app)
    commands.register(app)
    events.register(app)
    actions.register(app)
    views.register(app)
    fallbacks.register(app)  # last: catches whatever no listener above claimed
