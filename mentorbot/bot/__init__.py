"""The core: settings, database models, domain services, outbound messaging, rendering.

- `db`: the engine and session factory (SQLite with WAL and foreign keys, PostgreSQL).
- `dbtypes`: column types the models and the migrations share.
- `delivery`: the sender, delivering due outbox rows to Slack once, within working hours.
- `errors`: domain errors, each with the template that explains it politely.
- `install_tables`: the tables of slack_sdk's installation and OAuth state stores.
- `migrate`: Alembic driven from code.
- `models`: the SQLAlchemy 2.0 typed models.
- `outbox`: what services enqueue for the bot to say.
- `rendering`: the one Jinja environment over `templates/`.
- `reports`: a cohort's report as files (a CSV and a PNG chart).
- `sandbox`: a Jinja sandbox bounding what text people write may compute.
- `services`: the domain services.
- `settings`: the typed settings, read once at start-up.
- `tick`: one pass of all due work, producers then the sender.
- `timeutil`: aware-UTC time helpers.
- `token_store`: workspace tokens kept encrypted with Fernet.
- `usertext`: cleaning text people type before it is stored.
- `working_hours`: when a person may receive a DM.
"""
