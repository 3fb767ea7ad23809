from dockerfix.analyse.dockerignore import excluding_pattern, parse_dockerignore


def test_last_matching_pattern_decides_and_names_its_line():
    ignore = parse_dockerignore(".dockerignore", "# comment\n*.lock\n.git\nbuild/\n!build/keep\n*.md\n")
    assert excluding_pattern(ignore, "poetry.lock") == ("*.lock", 2)
    assert excluding_pattern(ignore, ".git/config") == (".git", 3)
    assert excluding_pattern(ignore, "build/x") == ("build/", 4)
    assert excluding_pattern(ignore, "build/keep") is None
    assert excluding_pattern(ignore, "src/app.py") is None
    assert excluding_pattern(ignore, "docs/README.md") is None  # Docker patterns are anchored at the root


def test_negation_re_includes():
    ignore = parse_dockerignore(".dockerignore", "*.lock\n!poetry.lock\n")
    assert excluding_pattern(ignore, "poetry.lock") is None
    assert excluding_pattern(ignore, "uv.lock") == ("*.lock", 1)


def test_no_dockerignore_excludes_nothing():
    assert excluding_pattern(None, "anything") is None
