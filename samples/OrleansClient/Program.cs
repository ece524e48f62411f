// Co-hosts a localhost Orleans silo with MemoryFabric's grains (in-memory storage: everything is gone when the
// process ends) and uses the Orleans client SDK, IMemoryFabricClient over grain calls, to ingest and query.
//
//   dotnet run --project samples/OrleansClient
//
// An application beside the cluster uses the same client through a gateway instead:
//   builder.UseOrleansClient(client => client.UseLocalhostClustering().AddMemoryFabric("demo"));
using MemoryFabric.Client;
using MemoryFabric.Client.Orleans;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
builder.UseOrleans(silo => silo
    .UseLocalhostClustering()                                 // silo port 11111, gateway port 30000
    .AddMemoryFabric(o => o.UseInMemoryProviders = true)      // the fabric's grains, state in memory
    .AddMemoryFabricClient("demo"));                          // IMemoryFabricClient for the tenant "demo"

using var host = builder.Build();
await host.StartAsync();
var memory = host.Services.GetRequiredService<IMemoryFabricClient>();

var start = new DateTimeOffset(2024, 3, 4, 18, 0, 0, TimeSpan.Zero);
TurnInput Turn(string id, string speaker, string text, double hours) => new()
{
    Id = id,
    SessionId = id.Split(':')[0],
    Speaker = speaker,
    Role = speaker == "Priya" ? TurnRole.User : TurnRole.Assistant,
    Text = text,
    Timestamp = start.AddHours(hours),
};

var ingested = await memory.IngestAsync("priya", [
    Turn("s1:1", "Priya", "I just moved from Lisbon to Berlin for a new job at a robotics startup.", 0),
    Turn("s1:2", "Assistant", "Congratulations! How are you finding Berlin so far?", 0.01),
    Turn("s1:3", "Priya", "Cold, but I love it. I've started learning German on weekday mornings.", 0.02),
    Turn("s2:1", "Priya", "I'm vegetarian, so I'm hunting for good falafel near Kreuzberg.", 48),
    Turn("s2:2", "Assistant", "Try the stalls around Kottbusser Tor.", 48.01),
    Turn("s2:3", "Priya", "Also, I always drink tea, never coffee, in case we ever meet.", 48.02),
]);
Console.WriteLine($"Ingested {ingested.StoredTurnIds.Count} turns ({ingested.DuplicateTurnIds.Count} duplicates).");

var note = await memory.AddNoteAsync("priya", new NoteWrite { Text = "Priya lives in Berlin.", Subject = "priya", Attribute = "city", Value = "Berlin" });
Console.WriteLine($"Note {note.Operation}: {note.Note.Text}");

var report = await memory.ConsolidateAsync("priya");
Console.WriteLine($"Consolidated: {report.Episodes} episodes, {report.NotesAdded} notes added.");

Console.WriteLine();
Console.WriteLine("Search \"Which city did Priya move to?\":");
foreach (var hit in await memory.SearchAsync("priya", new SearchRequest { Query = "Which city did Priya move to?", Limit = 3 }))
{
    Console.WriteLine($"  [{hit.Item.Kind}] {hit.Item.Text}");
}

var context = await memory.GetContextAsync("priya", new ContextRequest { Query = "What should I order for Priya at a cafe?", TokenBudget = 200 });
Console.WriteLine();
Console.WriteLine($"Context for \"What should I order for Priya at a cafe?\" ({context.Tokens} tokens, {context.Mode}):");
Console.WriteLine(context.Text);

var summary = await memory.GetAgentAsync("priya");
Console.WriteLine($"Agent {summary?.Agent}: {summary?.Turns} turns, {summary?.Episodes} episodes, {summary?.Notes} active notes.");

// The client is bound to its tenant: the same agent name in another tenant is another agent.
var other = new OrleansMemoryFabricClient(host.Services.GetRequiredService<IGrainFactory>(), "other");
var elsewhere = await other.GetAgentAsync("priya");
Console.WriteLine($"Agent \"priya\" of the tenant \"other\": {(elsewhere is null ? "does not exist" : "exists")}.");

try
{
    await memory.GetTurnsAsync("other/priya");
}
catch (MemoryFabricApiException e)
{
    Console.WriteLine($"\"other/priya\" is refused: {(int)e.StatusCode} {e.Problem.Detail}");
}

await host.StopAsync();
