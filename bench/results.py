"""bench/RESULTS.md holds one section per benchmark, each between its own markers
(`<!-- NAME: begin -->` and `<!-- NAME: end -->`): a benchmark rewrites its section only."""
import os

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")


def write_section(name: str, text: str) -> None:
    """Replace the section `name` with `text` (added at the end when it is not there)."""
    begin, end = f"<!-- {name}: begin -->", f"<!-- {name}: end -->"
    old = open(RESULTS, encoding="utf-8").read() if os.path.exists(RESULTS) else ""
    section = f"{begin}\n{text.strip()}\n{end}"
    if begin in old and end in old:
        new = old[:old.index(begin)] + section + old[old.index(end) + len(end):]
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + section + "\n"
    with open(RESULTS, "w", encoding="utf-8") as handle:
        handle.write(new)
