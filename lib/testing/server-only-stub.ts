// Stand-in for the "server-only" marker package in unit tests and the CLI.
export {};
