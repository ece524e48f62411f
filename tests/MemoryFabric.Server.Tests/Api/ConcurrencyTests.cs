using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Api;

public sealed class ConcurrencyTests : IDisposable
{
    private readonly FabricServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Eight_writers_of_500_turns_on_one_agent_store_exactly_4000_turns()
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var sent = 0;
            while (sent < 500)
            {
                var size = Math.Min(500 - sent, random.Next(1, 40));
                var batch = Enumerable.Range(sent, size)
                    .Select(i => Turns.One($"w{w}-{i}", $"Writer {w} says line {i} about the garden.", $"Writer{w}", $"session-{w}", i))
                    .ToArray();
                var response = await client.PostAsJsonAsync("/v1/agents/busy/turns", Turns.Batch(batch));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var stored = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(size, stored.GetProperty("storedTurnIds").GetArrayLength());
                sent += size;
            }
        })).ToArray();
        await Task.WhenAll(writers);

        var turns = (await client.GetFromJsonAsync<JsonElement>("/v1/agents/busy/turns")).GetProperty("turns").EnumerateArray().ToList();
        Assert.Equal(4000, turns.Count);
        Assert.Equal(4000, turns.Select(t => t.GetProperty("id").GetString()).Distinct().Count());
        for (var w = 0; w < 8; w++)
        {
            // Each writer's session keeps its order.
            var session = turns.Where(t => t.GetProperty("sessionId").GetString() == $"session-{w}").Select(t => t.GetProperty("id").GetString()).ToList();
            Assert.Equal(Enumerable.Range(0, 500).Select(i => $"w{w}-{i}"), session);
        }

        var sequences = turns.Select(t => t.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(4000, sequences.Distinct().Count());
    }
}
