using MemoryFabric.Server;
using MemoryFabric.Server.Hosting;

// dotnet run --project src/MemoryFabric.Server: listens on http://127.0.0.1:5080 with SQLite under ./data.
var app = MemoryFabricServer.Build(args);
await app.StartAsync();
StartupBanner.Print(app, Console.Out);
await app.WaitForShutdownAsync();

/// <summary>The entry point (public for WebApplicationFactory).</summary>
public partial class Program;
