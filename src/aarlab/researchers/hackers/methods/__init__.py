"""Method templates the hackers copy into their workspaces as `method.py` (see `HackerSession.write_method`)."""
