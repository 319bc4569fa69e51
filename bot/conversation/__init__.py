"""The pure interview: guide, state, engine, answers and questions.

No I/O here: no database, no network, no clock or randomness it was not handed
(a test checks that nothing in this package imports storage, SQLAlchemy or a channel).
"""
