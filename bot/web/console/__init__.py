"""The researcher console under ``/app`` and its API under ``/api/v1``: server-rendered
pages and JSON, every route guarded by the permission table (``guard``)."""
