-- Every report's document (raw/report_documents): file, sha256 and the size of its text layer.
SELECT report_id, source_file, sha256, pages, lines FROM raw.report_documents
