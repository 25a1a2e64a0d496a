"""APScheduler set-up and the jobs it runs; each job calls one service function."""
