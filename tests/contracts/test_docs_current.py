"""Generated documentation is current: configuration reference and event contract."""

from devtools import configdoc
from devtools.envfile import ROOT


def test_configuration_reference_is_current():
    assert (ROOT / "docs" / "configuration.md").read_text() == configdoc.render(), "run `make config-doc`"
