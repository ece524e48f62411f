using MemoryFabric.Cli;

return await CliApp.InvokeAsync(args).ConfigureAwait(false);
