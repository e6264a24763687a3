"""Prints the README's set-up block (the first ```bash block: the two commands a new
user runs) for .ci/run to execute as written."""

import re
from pathlib import Path

readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
block = re.search(r"```bash\n(.*?)```", readme, re.S)
assert block, "README.md has no bash block"
lines = [line for line in block.group(1).splitlines() if line.strip()]
assert len(lines) == 2, f"README's set-up block should be exactly two commands, not {len(lines)}"
print(block.group(1), end="")
