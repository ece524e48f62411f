using MemoryFabric.Server;
using MemoryFabric.Server.Hosting;
using MemoryFabric.Storage.Sqlite;

// dotnet run --project src/MemoryFabric.Server: listens on http://127.0.0.1:5080 with SQLite under ./data.
var app = MemoryFabricServer.Build(args);
try
{
    await app.StartAsync();
}
catch (DataDirectoryInUseException e)
{
    // Another process owns the data directory: one clear line and a non-zero exit, not a stack trace.
    await Console.Error.WriteLineAsync("MemoryFabric.Server: cannot start: " + e.Message);
    return 1;
}

StartupBanner.Print(app, Console.Out);
await app.WaitForShutdownAsync();
return 0;

/// <summary>The entry point (public for WebApplicationFactory).</summary>
public partial class Program;
