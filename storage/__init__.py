"""Persistence for journeyline: typed models, engines and sessions, migrations, queries.

Modules: ``models`` (ORM classes), ``db`` (``make_engine``, ``make_session_factory``),
``migrate`` (``upgrade``), ``queries`` (what the interview service reads and writes).
Nothing is imported or connected here, so importing ``storage`` stays cheap.
"""
