"""mentorbot: a Slack bot that runs mentoring programmes."""

__version__ = "0.1.0"
