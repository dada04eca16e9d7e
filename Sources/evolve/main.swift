import EvolveCommands

await EvolveCommand.runFromCommandLine()
