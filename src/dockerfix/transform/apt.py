"""apt-get commands inside RUN instructions: find them, edit their package lists and flags, add new ones.

Edits work on the instruction's source lines (continuations and comment lines as the user wrote them), so
everything around the apt command stays byte for byte. Shared by the rules that repair apt failures and the
ones that install missing system packages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from dockerfix import tables
from dockerfix.model import DockerfileInfo, Instruction, Stage
from dockerfix.analyse.release import base_image, parent_stage, release_of_image
from dockerfix.build.engine import image_release
from dockerfix.transform.dockerfile import insert_after, insert_before, replace_instruction, source_lines

# A line continuation, with the comment lines Docker drops after it.
_CONTINUATION = r"\\\n(?:[ \t]*#[^\n]*\n)*"
_GAP = rf"(?:[ \t]|{_CONTINUATION})+"
# `[VAR=value ...] apt-get [options] install` and its arguments, up to the end of that shell command.
APT_INSTALL = re.compile(
    rf"(?P<command>(?:[A-Za-z_][A-Za-z0-9_]*=\S*{_GAP})*"
    rf"(?<![\w/.-])(?:/[\w./-]*/)?apt(?:-get)?(?![\w-])(?P<options>(?:{_GAP}-\S+)*){_GAP}install\b)"
    rf"(?P<arguments>(?:[^&;|\\\n]|{_CONTINUATION}|\\(?!\n))*)"
)
APT_UPDATE = re.compile(r"(?<![\w/.-])(?:/[\w./-]*/)?apt(?:-get)?(?![\w-])(?:\s+-\S+)*\s+update\b")
_WORD = re.compile(rf"{_CONTINUATION}|(?P<word>[^\s\\]+)")
_OPTIONS_WITH_VALUE = frozenset({"-o", "--option", "-t", "--target-release", "-c", "--config-file"})
_ASSUME_YES = re.compile(r"^(?:--yes|--assume-yes|-[a-zA-Z]*y[a-zA-Z]*|-qq|--quiet=2|-q=2)$")
PACKAGE = re.compile(r"[a-z0-9][a-z0-9.+-]*")
LISTS_CLEANUP = "rm -rf /var/lib/apt/lists/*"
# Base images that have no apt: a package named for Debian cannot be installed there.
NO_APT = re.compile(r"alpine|distroless|scratch|busybox|ubi\d*|fedora|centos|rockylinux|almalinux|amazonlinux|"
                    r"wolfi|chainguard|chiseled", re.IGNORECASE)
# Official Debian-family images: they delete /var/lib/apt/lists to stay small (apt knows no package until an
# update) and run as root unless told otherwise.
OFFICIAL_DEBIAN_FAMILY = re.compile(r"^(?:docker\.io/)?(?:library/)?(?:python|debian|ubuntu):")


def _package_words(arguments: str) -> list[re.Match[str]]:
    """The words of an `apt-get install` argument list that name packages (options and their values skipped)."""
    words = [m for m in _WORD.finditer(arguments) if m.group("word")]
    found: list[re.Match[str]] = []
    skip_value = False
    for match in words:
        word = match.group("word")
        if skip_value:
            skip_value = False
        elif word.startswith("-"):
            skip_value = word in _OPTIONS_WITH_VALUE
        elif PACKAGE.match(word) and "$" not in word:
            found.append(match)
    return found


def package_name(word: str) -> str:
    """`libssl1.1=1.1.1n-0+deb11u5` and `libc6:amd64` → the bare package name."""
    return re.split(r"[=:]", word, maxsplit=1)[0]


def installs(instruction: Instruction) -> bool:
    return instruction.keyword == "RUN" and APT_INSTALL.search(instruction.value) is not None


def installed_words(value: str) -> list[str]:
    """Every package word of the apt installs of a RUN value, as written (`libpq5=15.*`), in order."""
    return [m.group("word") for match in APT_INSTALL.finditer(value) for m in _package_words(match.group("arguments"))]


def installed_packages(value: str) -> list[str]:
    """Every package the apt installs of a RUN value name, in order."""
    return [package_name(word) for word in installed_words(value)]


def updates_before_install(value: str) -> bool:
    """Whether this RUN refreshes the package lists before its (first) apt install."""
    install = APT_INSTALL.search(value)
    update = APT_UPDATE.search(value)
    return update is not None and (install is None or update.start() < install.start())


def assumes_yes(options: str, arguments: str) -> bool:
    words = [m.group("word") for m in _WORD.finditer(options + " " + arguments) if m.group("word")]
    return any(_ASSUME_YES.match(word) for word in words)


def _edit_source(text: str, instruction: Instruction, edit: Callable[[str], str]) -> str:
    """Replace the instruction's source lines by `edit(source)`, dropping continuation lines it emptied."""
    source = source_lines(text, instruction)
    new = edit(source)
    if new == source:
        return text
    kept: list[str] = []
    last_code = ""  # the last line that is not a comment
    for line in new.split("\n"):
        if line.strip() == "\\" and last_code.rstrip().endswith("\\"):
            continue  # a continuation line left with nothing on it
        kept.append(line)
        if not line.lstrip().startswith("#"):
            last_code = line
    return replace_instruction(text, instruction, "\n".join(kept))


def replace_packages(text: str, instruction: Instruction, replacements: Mapping[str, tuple[str, ...]]) -> str:
    """Rename apt packages in one RUN: each name in `replacements` becomes its replacement(s), or goes."""
    def edit(source: str) -> str:
        out, position = [], 0
        for install in APT_INSTALL.finditer(source):
            offset = install.start("arguments")
            for word in _package_words(install.group("arguments")):
                name = package_name(word.group("word"))
                if name not in replacements:
                    continue
                start, end = offset + word.start(), offset + word.end()
                out.append(source[position:start])
                new = " ".join(replacements[name])
                if not new:  # drop the word and the blanks before it
                    out[-1] = out[-1].rstrip(" \t")
                out.append(new)
                position = end
        out.append(source[position:])
        return "".join(out)
    return _edit_source(text, instruction, edit)


def add_update(text: str, instruction: Instruction) -> str:
    """`apt-get update &&` before the first apt install of the RUN, and the lists removed at its end."""
    def edit(source: str) -> str:
        install = APT_INSTALL.search(source)
        if install is None:
            return source
        start = install.start("command")
        source = f"{source[:start]}apt-get update && {source[start:]}"
        return source if "/var/lib/apt/lists" in source else f"{source.rstrip()} && {LISTS_CLEANUP}"
    return _edit_source(text, instruction, edit)


def add_assume_yes(text: str, instruction: Instruction) -> str:
    """`-y` after `install` in every apt install of the RUN that does not assume yes already."""
    def edit(source: str) -> str:
        out, position = [], 0
        for install in APT_INSTALL.finditer(source):
            if assumes_yes(install.group("options"), install.group("arguments")):
                continue
            end = install.end("command")
            out.append(source[position:end] + " -y")
            position = end
        out.append(source[position:])
        return "".join(out)
    return _edit_source(text, instruction, edit)


def add_packages(text: str, instruction: Instruction, packages: Iterable[str]) -> str:
    """Append packages to the first apt install of the RUN."""
    def edit(source: str) -> str:
        install = APT_INSTALL.search(source)
        if install is None:
            return source
        # after the last package, before the blanks and continuations that lead to `&&`
        end = install.start("arguments") + len(re.sub(rf"(?:\s|{_CONTINUATION})+$", "", install.group("arguments")))
        return f"{source[:end]} {' '.join(packages)}{source[end:]}"
    return _edit_source(text, instruction, edit)


def install_instruction(packages: Iterable[str]) -> str:
    """A RUN that installs `packages` the way Debian images should: fresh lists, no prompt, lists removed.

    `--no-install-recommends` keeps the layer to what was asked for; the tables list every package a build
    needs explicitly (libc6-dev next to gcc) for that reason.
    """
    return ("RUN apt-get update && apt-get install -y --no-install-recommends " + " ".join(packages)
            + f" && {LISTS_CLEANUP}")


def stage_of(dockerfile: DockerfileInfo, instruction: Instruction) -> Stage:
    return dockerfile.stages[instruction.stage]


def release(dockerfile: DockerfileInfo, stage: Stage) -> str | None:
    """The Debian/Ubuntu release the stage runs: from its base image's tag, else the engine's copy of the image
    (its /etc/os-release); None when neither tells."""
    image = base_image(dockerfile, stage)
    return release_of_image(image) or (image_release(image) if image and "$" not in image else None)


def for_release(packages: Iterable[str], release_name: str | None) -> list[str]:
    """The tables' (bookworm) package names as ``release_name`` installs them, in order, without repeats; an
    unknown release keeps them as they are."""
    if release_name is None:
        return list(dict.fromkeys(packages))
    return list(dict.fromkeys(new for name in packages for new in tables.apt_for_release(name, release_name)))


def history_before(dockerfile: DockerfileInfo, instruction: Instruction) -> list[Instruction]:
    """What built the image ``instruction`` runs in: the earlier instructions of its stage and of the stages it is
    built FROM."""
    history: list[Instruction] = []
    stage: Stage | None = stage_of(dockerfile, instruction)
    while stage is not None:
        history[:0] = [i for i in stage.instructions if i.line < instruction.line]
        stage = parent_stage(dockerfile, stage)
    return history


def lists_empty_before(dockerfile: DockerfileInfo, instruction: Instruction) -> bool:
    """Whether apt's package lists are certainly empty when ``instruction`` runs: its stage starts from an official
    image (which ships without them) and nothing before it updates them."""
    return (OFFICIAL_DEBIAN_FAMILY.match(base_image(dockerfile, stage_of(dockerfile, instruction))) is not None
            and not any(i.keyword == "RUN" and APT_UPDATE.search(i.value) for i in history_before(dockerfile, instruction)))


def has_apt(dockerfile: DockerfileInfo, stage: Stage) -> bool:
    """Whether the stage's base image is a Debian-family image (what apt-get needs); unknown images count as yes."""
    return NO_APT.search(base_image(dockerfile, stage)) is None


def user_before(dockerfile: DockerfileInfo, stage: Stage, instruction: Instruction | None) -> str:
    """The USER in effect just before `instruction` (None: the end of the stage); "" means the image's default."""
    for candidate in reversed(stage.instructions):
        if instruction is not None and candidate.line >= instruction.line:
            continue
        if candidate.keyword == "USER":
            return candidate.value.strip()
    parent = parent_stage(dockerfile, stage)
    return user_before(dockerfile, parent, None) if parent else ""


def is_root(user: str) -> bool:
    return user.split(":")[0] in ("", "root", "0")


def _as_root(run: str, user: str) -> str:
    if is_root(user):
        return run
    return f"USER root\n{run}\nUSER {user}"


def insert_install_before(text: str, dockerfile: DockerfileInfo, instruction: Instruction,
                          packages: Iterable[str]) -> str:
    """A new apt install RUN just before `instruction`, run as root even when a USER switched away before it."""
    stage = stage_of(dockerfile, instruction)
    return insert_before(text, instruction, _as_root(install_instruction(packages),
                                                     user_before(dockerfile, stage, instruction)))


def insert_install_at_start(text: str, dockerfile: DockerfileInfo, stage: Stage, packages: Iterable[str]) -> str:
    """A new apt install RUN right after the stage's FROM."""
    parent = parent_stage(dockerfile, stage)
    inherited = user_before(dockerfile, parent, None) if parent else ""
    return insert_after(text, stage.instructions[0], _as_root(install_instruction(packages), inherited))


def insert_install(text: str, dockerfile: DockerfileInfo, stage: Stage, packages: Iterable[str], *,
                   before: Instruction | None = None) -> str:
    """A new apt install RUN in `stage`, before its first COPY, ADD or RUN (and before `before` at the latest).

    That early, the layer depends on no project file, so it stays cached when the sources change, while the
    ARG/ENV above it (a proxy) still apply; it runs as root even after a USER switch.
    """
    anchor = next((i for i in stage.instructions[1:] if i.keyword in ("COPY", "ADD", "RUN")), None)
    if before is not None and (anchor is None or anchor.line > before.line):
        anchor = before
    if anchor is None:
        return insert_after(text, stage.instructions[-1], _as_root(install_instruction(packages),
                                                                  user_before(dockerfile, stage, None)))
    return insert_before(text, anchor, _as_root(install_instruction(packages), user_before(dockerfile, stage, anchor)))


def stage_packages(stage: Stage, before: Instruction | None = None) -> set[str]:
    """Packages the stage's apt installs name (those before `before`, when given)."""
    return {package for instruction in stage.instructions
            if instruction.keyword == "RUN" and (before is None or instruction.line < before.line)
            for package in installed_packages(instruction.value)}
