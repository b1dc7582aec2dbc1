"""Bad values inside a record file are parse errors naming the line, never an internal error.

Issue 11 items 5 and 6: an impossible date, an hour of 25, an integer of 5,000 digits and a key
written twice are refused by the YAML reader with the line they are on.
"""

import pytest

from crmctl.kernel import yamlio
from crmctl.kernel.errors import YamlError

CASES = {
    "impossible date": ("id: X\nreceived: 2011-02-30\n", 2, "impossible-value"),
    "hour of 25": ("id: X\nhistory:\n- at: 2011-01-25T25:00:00+02:00\n", 3, "impossible-value"),
    "5000 digits": ("id: X\n\nnumber: " + "9" * 5000 + "\n", 3, "number-too-long"),
    "duplicate key": ("id: X\npriority: normal\npriority: high\n", 3, "duplicate-key"),
    "nested duplicate key": ("id: X\nsite:\n  city: Espoo\n  city: Vantaa\n", 4, "duplicate-key"),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_value_is_a_yaml_error_with_its_line(name):
    text, line, code = CASES[name]
    with pytest.raises(YamlError) as caught:
        yamlio.parse(text.encode(), "R.yaml")
    assert caught.value.line == line
    assert caught.value.code == code
    assert str(caught.value).startswith(f"R.yaml:{line}: ")


def test_good_values_still_load():
    data = yamlio.load("a: 2011-02-28\nb: 2011-01-25T23:59:00+02:00\nc: 12345\nd: {x: 1}\n")
    assert data["c"] == 12345 and data["a"].day == 28 and data["b"].hour == 23 and data["d"] == {"x": 1}
