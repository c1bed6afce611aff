"""`interview-sim serve`: the same interview, sessions and reports in the browser, on this machine.

app.py builds the Starlette application, auth.py guards it (token, Host, Origin), routes.py has
the pages and the small JSON API, interview.py runs one interview from the browser's audio on
the CLI's own stages, and serve.py is what the command calls.
"""
