"""Distribution-list import: read an uploaded file, propose a column mapping, normalise phones.

Pure and platform-neutral: no database, no chat. Reading and normalising are CPU-bound and
synchronous; async callers run them in a worker thread.
"""
