"""The I/O around one interview: starting it, taking its turns, reading it back, links
and campaigns. Channel adapters call these; these call storage."""
