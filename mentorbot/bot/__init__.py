"""The core: settings, database models, domain services, outbound messaging, rendering.

Nothing here imports `handlers` or `schedules`, and no service calls Slack.

- `services/`: the domain services, one module per feature.
- `away_status`: reading "away" from a Slack status: its emoji, or words in its text.
- `db`: the engine and sessions for SQLite and PostgreSQL, and `unit_of_work`.
- `dbtypes`: column types shared by the models and the migrations.
- `delivery/`: the sender: delivers due outbox rows to Slack exactly once, at Slack's pace.
- `errors`: domain errors, each with the template that explains it to the person.
- `install_tables`: the tables of slack_sdk's installation and OAuth state stores.
- `languages`: the languages it speaks: catalogues, the language being rendered, dates in it.
- `message_kinds`: every kind of message the bot sends on its own, and the one place keys are made.
- `migrate`: Alembic driven from code (`mentorbot db upgrade`, and on start).
- `models`: the SQLAlchemy models of the whole data model; every row carries `team_id`.
- `outbox`: queueing messages under a dedupe key; claiming them and recording outcomes.
- `rendering`: the one Jinja environment, its filters and Block Kit limits.
- `reports`: a cohort's report as files: a CSV of engagement and a PNG of weekly check-ins.
- `sandbox/`: a bounded Jinja sandbox for the announcements coordinators write.
- `settings`: the one typed settings object, read once from the environment.
- `tick`: one pass of all due work: every producer, then the sender.
- `timeutil`: aware-UTC time helpers.
- `token_store`: workspace tokens encrypted at rest (Fernet).
- `usertext`: cleaning text people type before it is stored.
- `working_hours`: when a person may receive a DM, in their own time zone.
- `public_holidays`: the public holidays a person keeps (a country, optionally a region).
"""
