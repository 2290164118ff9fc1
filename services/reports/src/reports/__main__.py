"""`python -m reports ...`: the settings are checked before the program is imported."""

from reports.config import Settings
from shared.settings import check_before_import

check_before_import(Settings)

from reports.main import main  # noqa: E402  (after the check, on purpose)

main()
