"""APScheduler set-up and the jobs it runs; each job calls one service function.

- `jobs`: the tick job: one pass of all due work as of now, logged, surviving any failure.
- `scheduler`: one interval job a minute, coalesced, never overlapping itself.
"""
