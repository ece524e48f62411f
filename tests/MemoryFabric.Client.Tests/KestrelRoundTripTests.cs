using System.Net;
using System.Text;
using System.Text.Json;
using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Client.Tests;

/// <summary>Round trips over real HTTP against a tiny Kestrel stub on the loopback interface.</summary>
public sealed class KestrelRoundTripTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Ingest_reaches_the_route_with_the_agent_decoded_and_the_bearer_key()
    {
        string? seenAgent = null;
        string? seenAuthorization = null;
        IReadOnlyList<TurnInput>? seenTurns = null;
        await using var server = await StubServer.StartAsync(app => app.MapPost("/v1/agents/{agent}/turns", async (string agent, HttpContext http) =>
        {
            seenAgent = agent;
            seenAuthorization = http.Request.Headers.Authorization;
            using var document = await JsonDocument.ParseAsync(http.Request.Body);
            seenTurns = document.RootElement.GetProperty("turns").Deserialize<List<TurnInput>>(MemoryFabricJson.Options);
            return Results.Json(new IngestResult([.. seenTurns!.Select(t => t.Id!)], []), MemoryFabricJson.Options);
        }));
        var client = new MemoryFabricClient(new HttpClient(), new() { Endpoint = server.Address, ApiKey = "mfk_round_trip" });

        var result = await client.IngestAsync("team:alice@example.com", [Samples.TurnInput(1), Samples.TurnInput(2)]);

        Assert.Equal("team:alice@example.com", seenAgent);
        Assert.Equal("Bearer mfk_round_trip", seenAuthorization);
        Assert.Equal([Samples.TurnInput(1), Samples.TurnInput(2)], seenTurns);
        Assert.Equal(["t1", "t2"], result.StoredTurnIds);
    }

    [Fact]
    public async Task ASP_NET_problem_details_and_Retry_After_are_understood()
    {
        var calls = 0;
        await using var server = await StubServer.StartAsync(app =>
        {
            app.MapPost("/v1/agents/{agent}/context", (HttpContext http) =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    http.Response.Headers.RetryAfter = "0";
                    return Results.Problem(statusCode: 429, title: "Too Many Requests", detail: "Tenant rate limit.");
                }

                return Results.ValidationProblem(
                    new Dictionary<string, string[]> { ["query"] = ["must not be blank"] },
                    detail: "The request is invalid.",
                    title: "Validation failed");
            });
        });
        var client = new MemoryFabricClient(new HttpClient(), new() { Endpoint = server.Address });

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(
            () => client.GetContextAsync("bob", new() { Query = " " }));

        Assert.Equal(2, calls);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Equal("Validation failed", e.Problem.Title);
        Assert.Equal("The request is invalid.", e.Problem.Detail);
        Assert.Equal(["must not be blank"], e.Problem.Errors!["query"]);
        Assert.Contains("must not be blank", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAsync_yields_records_while_the_server_is_still_writing()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StubServer.StartAsync(app => app.MapGet("/v1/agents/{agent}/export", async (HttpContext http) =>
        {
            http.Response.ContentType = "application/x-ndjson";
            await WriteLineAsync(http, ExportRecord.FromTurn(Samples.Turn(1)));
            await http.Response.Body.FlushAsync();
            await gate.Task.WaitAsync(Patience);
            await WriteLineAsync(http, ExportRecord.FromNote(Samples.Note()));
        }));
        var client = new MemoryFabricClient(new HttpClient(), new() { Endpoint = server.Address });

        await using var records = client.ExportAsync("bob").GetAsyncEnumerator();
        Assert.True(await records.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("t1", records.Current.Turn!.Id);
        Assert.False(gate.Task.IsCompleted);

        gate.SetResult();
        Assert.True(await records.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("n1", records.Current.Note!.Id);
        Assert.False(await records.MoveNextAsync());
    }

    [Fact]
    public async Task An_export_pipes_into_an_import_streaming_both_ways()
    {
        const int Count = 3000;
        var imported = new List<ExportRecord>();
        string? importContentType = null;
        await using var server = await StubServer.StartAsync(app =>
        {
            app.MapGet("/v1/agents/source/export", async (HttpContext http) =>
            {
                http.Response.ContentType = "application/x-ndjson";
                for (var i = 0; i < Count; i++)
                {
                    await WriteLineAsync(http, i % 3 == 0 ? ExportRecord.FromNote(Samples.Note($"n{i}")) : ExportRecord.FromTurn(Samples.Turn(i)));
                }
            });
            app.MapPost("/v1/agents/target/import", async (HttpContext http) =>
            {
                importContentType = http.Request.ContentType;
                using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
                while (await reader.ReadLineAsync() is { } line)
                {
                    imported.Add(JsonSerializer.Deserialize<ExportRecord>(line, MemoryFabricJson.Options)!);
                }

                return Results.Json(
                    new ImportResult(imported.Count(r => r.Type == "turn"), imported.Count(r => r.Type == "note"), 0),
                    MemoryFabricJson.Options);
            });
        });
        var client = new MemoryFabricClient(new HttpClient(), new() { Endpoint = server.Address });

        var result = await client.ImportAsync("target", client.ExportAsync("source"));

        Assert.Equal(new ImportResult(2000, 1000, 0), result);
        Assert.Equal(Count, imported.Count);
        Assert.Equal("n0", imported[0].Note!.Id);
        Assert.Equal("t1", imported[1].Turn!.Id);
        Assert.StartsWith("application/x-ndjson", importContentType, StringComparison.Ordinal);

        using var backup = new MemoryStream();
        var bytes = await client.ExportToAsync("source", backup);
        Assert.Equal(backup.Length, bytes);
        backup.Position = 0;
        imported.Clear();
        var fromFile = await client.ImportAsync("target", backup);
        Assert.Equal(new ImportResult(2000, 1000, 0), fromFile);
    }

    [Fact]
    public async Task IsReadyAsync_reads_readyz()
    {
        var ready = false;
        await using var server = await StubServer.StartAsync(app =>
            app.MapGet("/readyz", () => ready ? Results.Ok(new { status = "ready" }) : Results.StatusCode(503)));
        var client = new MemoryFabricClient(new HttpClient(), new() { Endpoint = server.Address, MaxRetries = 0 });

        Assert.False(await client.IsReadyAsync());
        ready = true;
        Assert.True(await client.IsReadyAsync());
    }

    private static async Task WriteLineAsync(HttpContext http, ExportRecord record)
    {
        await http.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(record, MemoryFabricJson.Options));
        await http.Response.Body.WriteAsync("\n"u8.ToArray());
    }

    private sealed class StubServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private StubServer(WebApplication app, Uri address)
        {
            _app = app;
            Address = address;
        }

        public Uri Address { get; }

        public static async Task<StubServer> StartAsync(Action<WebApplication> map)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            map(app);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return new StubServer(app, new Uri(address));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
