"""Domain services: each takes a Session and `now`, returns plain results, never calls Slack."""
