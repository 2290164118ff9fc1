from actuals.main import main

main()
