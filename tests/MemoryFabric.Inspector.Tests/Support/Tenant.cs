using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MemoryFabric.Inspector.Tests.Support;

/// <summary>A tenant of the test server with a key holding every tenant scope; seeds memory through the public API.</summary>
public sealed class Tenant(InspectorServer server, string id, string key)
{
    public static readonly DateTimeOffset Start = new(2024, 5, 1, 9, 0, 0, TimeSpan.Zero);

    public string Id { get; } = id;

    public string Key { get; } = key;

    public HttpClient Client() => server.Client(Key);

    /// <summary>A turn payload, <paramref name="minute"/> minutes after <see cref="Start"/>.</summary>
    public static object Turn(string id, string text, string speaker = "Alice", string session = "s1", int minute = 0, string role = "user") =>
        new { id, sessionId = session, speaker, role, text, timestamp = Start.AddMinutes(minute) };

    /// <summary>Stores turns (batches of at most 1,000, the server's batch size).</summary>
    public async Task IngestAsync(string agent, IReadOnlyList<object> turns)
    {
        using var client = Client();
        foreach (var batch in turns.Chunk(1000))
        {
            var response = await client.PostAsJsonAsync($"/v1/agents/{agent}/turns", new { turns = batch });
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"ingest: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public Task IngestAsync(string agent, params object[] turns) => IngestAsync(agent, (IReadOnlyList<object>)turns);

    /// <summary>Consolidates an agent. A 10,000-turn agent takes tens of seconds on a loaded 2-core machine (a CI run
    /// once passed HttpClient's default 60 s): what the tests time is the page, not this.</summary>
    public async Task ConsolidateAsync(string agent)
    {
        using var client = Client();
        client.Timeout = TimeSpan.FromMinutes(5);
        (await client.PostAsync($"/v1/agents/{agent}/consolidate", null)).EnsureSuccessStatusCode();
    }

    /// <summary>Sends a request and returns the JSON answer (asserting a 2xx).</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var client = Client();
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<JsonElement> GetAsync(string path) => SendAsync(HttpMethod.Get, path);
}
