from reports.main import main

main()
