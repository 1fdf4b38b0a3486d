"""Distribution-list import: read an uploaded file, propose a column mapping, normalise phones.

Pure and platform-neutral: no database, no chat. Reading and normalising are CPU-bound and
synchronous; async callers run them in a worker thread.

- readers.open_table(name, data) -> Table (csv_reader, xlsx_reader + sheet_xml, vcard_reader;
  text for encodings); problems.UnreadableFile / ImportProblem say why a file is refused;
  limits holds every limit.
- mapping.propose_mapping(columns, preview_rows) -> {column index: Field}; attribute_key(s).
- phones.PhoneNormalizer(region).normalize(raw) -> E.164 or None; phones.region_timezone.
"""
