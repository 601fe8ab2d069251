from tui.runner.main import main

if __name__ == "__main__":
    main()
