from messaging.main import main

main()
