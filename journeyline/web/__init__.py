"""The web application: one FastAPI app for the chat pages and the JSON API."""
