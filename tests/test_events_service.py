"""Event bookkeeping: an event_id is handled once, unless handling it failed and rolled back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mentorbot.bot.models import ProcessedEvent
from mentorbot.bot.services.events import claim_event, forget_old_events

NOW = datetime(2027, 3, 9, 12, 0, tzinfo=UTC)


def test_second_claim_of_an_event_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert claim_event(session, team_id="T1", event_id="Ev1", now=NOW)
        assert not claim_event(session, team_id="T1", event_id="Ev1", now=NOW)
        assert claim_event(session, team_id="T2", event_id="Ev1", now=NOW)  # other workspace
        session.commit()
    with sessions() as session:
        assert not claim_event(session, team_id="T1", event_id="Ev1", now=NOW)


def test_a_rolled_back_claim_can_be_handled_again(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert claim_event(session, team_id="T1", event_id="Ev2", now=NOW)
        session.rollback()  # the handler failed: Slack's retry must be handled afresh
    with sessions() as session:
        assert claim_event(session, team_id="T1", event_id="Ev2", now=NOW)
        session.commit()


def test_old_bookkeeping_is_forgotten(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        claim_event(session, team_id="T1", event_id="Old", now=NOW - timedelta(days=2))
        claim_event(session, team_id="T1", event_id="New", now=NOW)
        assert forget_old_events(session, now=NOW) == 1
        session.commit()
        left = session.scalars(select(ProcessedEvent.event_id)).all()
        assert left == ["New"]
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1
