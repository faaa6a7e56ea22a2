"""Draft: templates filled from instructions and chosen documents, cited, rendered to DOCX.

``templates`` reads template files; ``facts`` parses typed facts from the documents and
the instructions; ``pipeline`` fills the rest with checked model answers; ``render`` lays
the draft out as text and DOCX.
"""
