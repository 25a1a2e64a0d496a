"""Domain services: each takes a Session and `now`, returns plain results, never calls Slack.

One module per feature, named like its handler modules and template folder. A producer
(`produce_…`, listed in `bot/tick.py`) finds what is due and queues it in the outbox.

- `agreements`: the mentorship agreement: cadence, day and time, expectations, first goal.
- `announcements`: a coordinator's posts to a cohort's channel, each once at its time (producer).
- `away_status`: DMs wait while a person's Slack status says away; *Send them now*.
- `calendar_events`: what a calendar feed holds, as iCalendar: meetings, goals, phase dates.
- `calendar_feeds`: a person's private calendar link: its token, made, shown again, reset.
- `celebrations`: milestones, celebrated once each in the pair's group DM (producer).
- `checkins`: recording check-ins, private to their author unless the mentee shares one.
- `closing`: the planned ending: reflection, gratitude, keeping in touch, alumni (producer).
- `cohort_show`: `/mentoring cohort show`: a cohort's calendar and its pairs, a page at a time.
- `cohorts`: cohorts: creating, listing, extending and ending them, their phase dates.
- `concerns`: concerns raised privately with coordinators, and the ways they handle one.
- `coordinators`: every workspace's coordinators with their clocks, read at once for the tick.
- `dashboard_pages`: what the web dashboard's pages show: cohort cards, weekly trends (no words).
- `dashboard_sessions`: dashboard sign-in: one-time links, sessions behind a cookie, CSRF.
- `digest`: each coordinator's weekly digest, Monday 09:00 in their own time zone (producer).
- `escalations`: one note a day at most to coordinators about pairs gone quiet (producer).
- `events`: each Slack event_id handled once, though Slack may retry it.
- `feedback`: survey answers and the anonymous results of closed rounds.
- `feedback_rounds`: survey rounds: when they open and close, which round an answer joins.
- `goals`: SMART goals, and a reminder before each is due (producer).
- `health/`: cohort health: the figures coordinators watch, never what anyone wrote.
- `holiday_calendars`: a person's holiday calendar, the public holidays their DMs wait over.
- `languages`: which language each person reads; rendering in it for DMs, group DMs, channels.
- `home`: what a person's App Home shows.
- `imports`: checking a CSV of pairs: every row first, then all pairs or none.
- `installs`: workspaces installing and uninstalling mentorbot (OAuth).
- `lookups`: rows named by an id from a button or a form, of the asking workspace only.
- `match_proposals`: `/mentoring match`: a proposal the coordinator edits, confirms or discards.
- `matching`: who fits whom, and the best set of pairs, solved as an assignment.
- `meeting_history`: a pair's rhythms, pauses and moved meetings, kept for its calendar.
- `meeting_prompts`: a DM to each person before each meeting, and "how did it go?" (producer).
- `mentor_directory`: the mentors a mentee of a self-serve cohort may ask, best fit first.
- `mentor_requests`: a mentee's request to a mentor, its answer and confirmation, expiry.
- `meetings`: a pair's meetings: the next one, the rhythm after it, moving one.
- `members`: people in a workspace: cached Slack profiles and the coordinator role.
- `nudges`: one friendly nudge to a quiet pair's mentee (producer).
- `own_data/`: a person's own data, exported or deleted.
- `pairs`: pairing people, a mentor's capacity, the kickoff, ending pairs.
- `pauses`: pauses and personal working hours; a pause that ends resumes the pair (producer).
- `phases`: a cohort's phases by its dates, and the heads-up before each (producer).
- `privacy`: who may read what; every path that shows check-in text goes through it.
- `profiles`: mentoring profiles, what matching reads.
- `retention`: the words people wrote, deleted some days after their pair or cohort ended.
- `workspaces`: the workspaces served, their settings, each person's time zone and hours.
"""
