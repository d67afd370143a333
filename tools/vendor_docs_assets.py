"""Refresh the pinned copies of the docs pages' browser assets in ``src/fabula/web/_static``.

Swagger UI (``/docs``) and GraphiQL (``/graphql``) load their JavaScript and CSS from
public CDNs by default, so they are blank without internet. fabula serves pinned copies
from its wheel instead. This script takes them from the npm registry with ``npm pack``
(the ordinary client), keeps only the files the pages load plus each package's license,
and writes ``ASSETS.txt`` with every file's SHA-256.

    python tools/vendor_docs_assets.py          # after changing a version in PACKAGES
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "src" / "fabula" / "web" / "_static"

# npm package@version -> (folder under _static, files taken from the package)
PACKAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "swagger-ui-dist@5.32.0": (
        "swagger-ui",
        ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"),
    ),
    "graphiql@3.8.3": ("graphiql", ("graphiql.min.js", "graphiql.min.css", "LICENSE")),
    "react@18.2.0": ("react", ("umd/react.production.min.js", "LICENSE")),
    "react-dom@18.2.0": ("react-dom", ("umd/react-dom.production.min.js", "LICENSE")),
}


def main() -> int:
    lines = ["# Pinned browser assets of the docs pages (tools/vendor_docs_assets.py)."]
    with tempfile.TemporaryDirectory() as work:
        for spec, (folder, files) in PACKAGES.items():
            packed = subprocess.run(
                ["npm", "pack", "--silent", spec],
                cwd=work,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
            target = STATIC / folder
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            with tarfile.open(Path(work) / packed) as archive:
                for name in files:
                    member = archive.extractfile(f"package/{name}")
                    assert member is not None, name
                    data = member.read()
                    (target / Path(name).name).write_bytes(data)
                    digest = hashlib.sha256(data).hexdigest()
                    lines.append(f"{spec} {folder}/{Path(name).name} sha256:{digest}")
    (STATIC / "ASSETS.txt").write_text("\n".join(lines) + "\n")
    print(f"wrote {len(lines) - 1} files under {STATIC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
