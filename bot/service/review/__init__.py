"""The review workspace's service: stored journey maps for the console (series, map
pages, the evidence behind every cell, transcripts at the message), with personal data
masked for roles that may not see it.

`ReviewService` (``bot.service.review.service``) is the door the console's map pages
use; nothing above it touches storage or reads synthesis runs itself.
"""
