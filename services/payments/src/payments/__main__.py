"""`python -m payments ...`: the settings are checked before the program is imported."""

from payments.config import Settings
from shared.settings import check_before_import

check_before_import(Settings)

from payments.main import main  # noqa: E402  (after the check, on purpose)

main()
