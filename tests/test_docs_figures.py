"""The README, the docs and the Makefile say the same duration for each make target they both name."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET_COMMENT = re.compile(r"^# .*?about ([0-9.]+) minutes", re.MULTILINE)
# "make demo ... (about 4 minutes" or "`make bench` (bench/throughput.py, about 21 minutes"
DOC_FIGURE = re.compile(r"make ([a-z-]+)\b[^\n]*?about ([0-9.]+) minutes")


def makefile_minutes():
    """{target: minutes} from the comment right above each Makefile target that states a duration."""
    text = (ROOT / "Makefile").read_text()
    figures = {}
    for comment, target in re.findall(r"((?:^#.*\n)+)([a-z-]+):", text, re.MULTILINE):
        found = TARGET_COMMENT.search(comment)
        if found:
            figures[target] = found.group(1)
    return figures


def test_the_docs_and_the_makefile_agree_on_durations():
    makefile = makefile_minutes()
    assert {"demo", "test", "test-slow", "bench"} <= set(makefile)
    stated = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target, minutes in DOC_FIGURE.findall(path.read_text()):
            if target in makefile:
                stated.append((path.name, target, minutes, makefile[target]))
    assert stated, "no duration of a make target found in the docs"
    assert [row for row in stated if row[2] != row[3]] == []
