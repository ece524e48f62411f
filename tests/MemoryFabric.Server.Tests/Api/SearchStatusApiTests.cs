using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Client;
using MemoryFabric.Retrieval;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Api;

/// <summary>Search hits and context items say whether they still hold: <c>status</c>, and for a superseded one
/// <c>supersededBy</c> and its validity (additive JSON: an item nothing replaced carries <c>"status":"active"</c>
/// only).</summary>
public sealed class SearchStatusApiTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2024, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day40 = Day1.AddDays(40);

    private readonly FabricServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private async Task<(HttpClient Client, string Paris, string Berlin)> MovedAsync()
    {
        var client = await _factory.CreateTenantClientAsync("acme");
        var ingest = await client.PostAsJsonAsync("/v1/agents/alice/turns", Turns.Batch(
            new { id = "p", sessionId = "s1", speaker = "Alice", text = "I live in Paris.", timestamp = Day1 },
            new { id = "q", sessionId = "s2", speaker = "Alice", text = "I moved to Berlin.", timestamp = Day40 }));
        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        var paris = await client.PostAsJsonAsync("/v1/agents/alice/notes",
            new { text = "Alice lives in Paris.", subject = "Alice", attribute = "home", value = "Paris", validFrom = Day1, sourceTurnIds = new[] { "p" } });
        var berlin = await client.PostAsJsonAsync("/v1/agents/alice/notes",
            new { text = "Alice lives in Berlin.", subject = "Alice", attribute = "home", value = "Berlin", validFrom = Day40, sourceTurnIds = new[] { "q" } });
        var parisNote = (await paris.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("note").GetProperty("id").GetString()!;
        var written = await berlin.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("superseded", written.GetProperty("operation").GetString());
        return (client, parisNote, written.GetProperty("note").GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task Search_json_carries_status_superseded_by_and_validity()
    {
        var (client, _, berlin) = await MovedAsync();
        using (client)
        {
            var response = await client.PostAsJsonAsync("/v1/agents/alice/search", new { query = "where does Alice live", limit = 10 });

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var hits = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("item")).ToList();
            var ids = hits.Select(h => h.GetProperty("id").GetString()).ToList();
            var p = hits.Single(h => h.GetProperty("id").GetString() == "p");
            Assert.Equal("superseded", p.GetProperty("status").GetString());
            Assert.Equal(berlin, p.GetProperty("supersededBy").GetString());
            Assert.Equal(Day1, p.GetProperty("validFrom").GetDateTimeOffset());
            Assert.Equal(Day40, p.GetProperty("validTo").GetDateTimeOffset());
            var current = hits.Single(h => h.GetProperty("id").GetString() == berlin);
            Assert.Equal("active", current.GetProperty("status").GetString());
            Assert.False(current.TryGetProperty("supersededBy", out _)); // additive: absent when there is none
            Assert.Equal(Day40, current.GetProperty("validFrom").GetDateTimeOffset());
            var q = hits.Single(h => h.GetProperty("id").GetString() == "q");
            Assert.Equal("active", q.GetProperty("status").GetString());
            Assert.All(new[] { "supersededBy", "validFrom", "validTo" }, name => Assert.False(q.TryGetProperty(name, out _)));
            Assert.True(ids.IndexOf(berlin) < ids.IndexOf("p"), string.Join(",", ids));
            Assert.True(ids.IndexOf("q") < ids.IndexOf("p"), string.Join(",", ids));

            var context = await client.PostAsJsonAsync("/v1/agents/alice/context", new { query = "where does Alice live", tokenBudget = 500, preferVerbatimWhenItFits = false });
            var items = (await context.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
            Assert.Equal("superseded", items.Single(i => i.GetProperty("id").GetString() == "p").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task The_client_sdk_reads_the_status_of_each_hit()
    {
        var (http, _, berlin) = await MovedAsync();
        using (http)
        {
            var sdk = new MemoryFabricClient(http, new MemoryFabricClientOptions { Endpoint = http.BaseAddress!, ApiKey = http.DefaultRequestHeaders.Authorization!.Parameter });

            var hits = await sdk.SearchAsync("alice", new SearchRequest { Query = "what city is Alice in" });

            var p = hits.Single(h => h.Item.Id == "p").Item;
            Assert.Equal(MemoryItemStatus.Superseded, p.Status);
            Assert.Equal(berlin, p.SupersededBy);
            Assert.Equal((Day1, Day40), (p.ValidFrom, p.ValidTo));
            Assert.Equal(MemoryItemStatus.Active, hits.Single(h => h.Item.Id == berlin).Item.Status);
            Assert.Equal(MemoryItemStatus.Active, hits.Single(h => h.Item.Id == "q").Item.Status);
        }
    }
}
