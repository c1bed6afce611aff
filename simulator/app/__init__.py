"""The application layer: what a session, a file analysis or a recovery is, for any front end.

The CLI and the web server start interviews and reach the store only through here
(tests/test_layers.py); nothing here prints, parses arguments or knows which front end is
calling. Each front end passes a view (what to show) and maps the domain errors
(`simulator.errors`) to its own exit codes or statuses.

    settings   `config.resolve(args, environ, file)`: option > environment > file > default
    sessions   open_store, recover, delete_session (listing never recovers or loads a model)
    analyze    analyze_files(paths, settings, ...) -> Analysis | FileError, one per file
    options    InterviewOptions: what an interview is asked to be, parsed with one set of limits
    practice   run_interview(settings, options, answers, speaker, view, store) -> Session, the one
               engine; microphone(...) and device_speaker(...), the terminal's ends; plan(...), run_demo(...)
"""
