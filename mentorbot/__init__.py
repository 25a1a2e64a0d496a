"""mentorbot: a Slack bot that runs mentoring programmes.

The packages, data folders and modules at the top (docs/modules.md maps them all):

- `bot/`: the core: settings, models, services, the outbox and its sender, rendering, the tick.
- `handlers/`: Bolt listeners by Slack surface: parse the request, call a service, answer.
- `schedules/`: APScheduler set-up and the tick job it runs every minute.
- `standin/`: a local stand-in for Slack's Web API and a client that signs requests.
- `demo/`: `mentorbot demo`: a whole programme against the stand-in, as a transcript.
- `templates/`: every word the bot says, as Jinja2 templates (Block Kit JSON and mrkdwn).
- `migrations/`: Alembic: the schema, one numbered revision per change.
- `app`: `create_app()`, the composition root: the Bolt app, one session per request.
- `calendar_feeds`: `GET /calendar/<token>.ics`: a person's calendar feed, with an ETag.
- `cli`: the `mentorbot` command line (run, worker, tick, db upgrade, import-pairs, report, demo).
- `dashboard`: the coordinators' web dashboard: sign-in with a one-time link, sessions, pages.
- `directory`: finding people in Slack by member ID (users.info) or e-mail.
- `gunicorn_config`: gunicorn's hooks for the Procfile's web process: its workers' metrics as one.
- `doctor`: `mentorbot doctor`: settings, database, token and scopes, public URL, each checked.
- `imports`: a CSV import from start to end: read, look people up, pair all or nobody.
- `localserver`: a small threaded WSGI server on loopback, for the demo and the tests.
- `logs`: logging that never shows a Slack token.
- `metrics`: Prometheus metrics: counters and histograms, the database's figures, `/metrics`.
- `oauth`: installing mentorbot in many workspaces over OAuth.
- `slack_sign_in`: Sign in with Slack (OpenID Connect) for the dashboard, with OAuth installs.
- `runtime`: a process's long-lived parts: settings, engine, Slack clients, follow-up threads.
- `server`: serving Slack over HTTP (gunicorn) or Socket Mode, the scheduler beside either.
- `web`: the Flask app: `POST /slack/events` to Bolt, `GET /healthz`, the install pages, the feeds.
"""

__version__ = "0.1.0"
