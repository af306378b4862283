"""Marking code labels for translation: each domain keeps its vocabulary (codes and their
Indonesian labels) in its own `vocabulary.py`. The labels are the msgids: pages show them
through lazy gettext (web.translated), PDFs get them as data and print them as they are."""


def N_(text: str) -> str:
    """Marks a label for extraction (scripts/translations); translated where it is shown."""
    return text
