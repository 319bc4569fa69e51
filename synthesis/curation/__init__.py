"""The curation layer: reviewers' edits of a map, stored against ids that stay stable
from run to run (``synthesis.curation.edits``), applied over each run to give the
curated map (``synthesis.curation.apply``, re-measuring what they change with
``synthesis.curation.measure``). Pure: no storage, no clock."""
