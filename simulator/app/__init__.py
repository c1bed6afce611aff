"""The application layer: what a session, a file analysis or a recovery is, for any front end.

The CLI calls these today and a web server will tomorrow; nothing here prints, parses arguments
or knows which front end is calling. Each front end passes a view (what to show) and maps the
domain errors (`simulator.errors`) to its own exit codes or statuses.

    settings   `config.resolve(args, environ, file)`: option > environment > file > default
    sessions   open_store, recover, delete_session (listing never recovers or loads a model)
    analyze    analyze_files(paths, settings, ...) -> Analysis | FileError, one per file
    practice   plan(...), run_practice(...) -> Session, run_demo(...) -> Session
"""
