"""The web pages, one module per task: sign-in, start, search, service, referrals, inbox."""
