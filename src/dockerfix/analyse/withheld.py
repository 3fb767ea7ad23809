"""Files a repository leaves out on purpose: a local configuration (`config.yaml`, `secrets.json`) that `.gitignore`
excludes, or that the repository ships only as a template (`config.example.yaml`, `settings.ini.dist`). A program
that stops because such a file is absent needs what a deployment gives it (a volume, a secret, the developer's own
copy in the build context), not a different image.

`.gitignore` is matched with pathspec's implementation of git's own rules, from the project root down to the folder
the file would be in.
"""

from __future__ import annotations

import re
from pathlib import Path

from pathspec import GitIgnoreSpec

# how a template of `config.yaml` is named next to it: config.example.yaml, config.yaml.sample, example.config.yaml
TEMPLATE_WORDS = ("example", "sample", "template", "dist", "default", "tmpl")
_TEMPLATE_WORD = re.compile(rf"(^|[._-])({'|'.join(TEMPLATE_WORDS)})(?=[._-]|$)", re.IGNORECASE)


def _ignore_specs(root: Path, folder: Path) -> list[tuple[Path, GitIgnoreSpec]]:
    """The `.gitignore` files from the root down to `folder`, each with the folder its patterns are relative to."""
    specs = []
    below = folder.relative_to(root).parts
    for base in (root.joinpath(*below[:depth]) for depth in range(len(below) + 1)):
        path = base / ".gitignore"
        if path.is_file():
            try:
                specs.append((base, GitIgnoreSpec.from_lines(path.read_text(errors="replace").splitlines())))
            except (OSError, ValueError):
                continue  # a .gitignore git itself would half-read says nothing reliable here
    return specs


def _has_template(folder: Path, name: str) -> bool:
    """Whether the folder ships a template of `name` (`config.example.yaml` for config.yaml)."""
    if not folder.is_dir():
        return False
    for sibling in folder.iterdir():
        stripped = _TEMPLATE_WORD.sub("", sibling.name)
        if sibling.name != name and stripped.lower() in (name.lower(), name.lower().lstrip(".")):
            return True
    return False


def withheld_file(root: Path, source: Path, image_path: str) -> str | None:
    """The project path (relative to the root) of a file the program looked for at `image_path` and the repository
    withholds on purpose; None when no such path is ignored or templated, or the file is there after all.

    The image path is matched by its trailing parts to where it would sit under the copied `source` folder
    (`/app/conf/config.yaml` → conf/config.yaml, then config.yaml)."""
    parts = [p for p in image_path.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    for start in range(len(parts)):
        candidate = source.joinpath(*parts[start:])
        if candidate.exists():
            return None  # a file the project has: its absence in the image is another failure
        if root not in candidate.parents:
            continue
        # a folder the repository withholds (secrets/) is absent itself: then that folder must be ignored
        folder = next(p for p in candidate.parents if p.is_dir())  # the root itself at the latest
        withheld = candidate  # the outermost absent part: the file, or the folder that holds it
        while withheld.parent != folder:
            withheld = withheld.parent
        specs = _ignore_specs(root, folder)
        suffix = "/" if withheld != candidate else ""
        if any(spec.match_file(withheld.relative_to(base).as_posix() + suffix) for base, spec in specs) or (
                withheld == candidate and _has_template(folder, candidate.name)):
            return candidate.relative_to(root).as_posix()
    return None
