from staffgate.cli import main

main()
