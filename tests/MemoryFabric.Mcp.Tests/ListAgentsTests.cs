using MemoryFabric.Mcp.Tests.Support;

namespace MemoryFabric.Mcp.Tests;

/// <summary>list_agents: the key's tenant's agents only, paged with a cursor, bounded.</summary>
[Collection(McpServerGroup.Name)]
public sealed class ListAgentsTests(McpTestServer server)
{
    [Fact]
    public async Task Pages_through_the_tenants_agents_and_no_one_elses()
    {
        var writer = await server.ConnectAsync(await server.KeyAsync("agents-a"));
        var names = Enumerable.Range(0, 25).Select(i => $"agent-{i:D2}").ToList();
        foreach (var name in names)
        {
            await writer.CallAsync("add_memory", new { agent = name, text = $"{name} was here." });
        }

        var other = await server.ConnectAsync(await server.KeyAsync("agents-b"));
        await other.CallAsync("add_memory", new { agent = "outsider", text = "Not in tenant A." });

        var reader = await server.ConnectAsync(await server.KeyAsync("agents-a", "read"));
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = cursor is null
                ? await reader.CallAsync("list_agents", new { limit = 10 })
                : await reader.CallAsync("list_agents", new { limit = 10, cursor });
            var agents = page.Items("agents").ToList();
            Assert.InRange(agents.Count, 1, 10);
            Assert.All(agents, a => Assert.True(a.GetProperty("turns").GetInt64() >= 1));
            seen.AddRange(agents.Select(a => a.Str("agent")));
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(names, seen);
        Assert.Equal(20, (await reader.CallAsync("list_agents", new { })).Items("agents").Count());
        Assert.Equal(["outsider"], (await other.CallAsync("list_agents", new { })).Items("agents").Select(a => a.Str("agent")));

        Assert.Contains("at most 100", await reader.FailAsync("list_agents", new { limit = 500 }), StringComparison.Ordinal);
        Assert.Contains("cursor", await reader.FailAsync("list_agents", new { cursor = "%%%" }), StringComparison.OrdinalIgnoreCase);
        var writeOnly = await server.ConnectAsync(await server.KeyAsync("agents-a", "write"));
        Assert.Contains("'read' scope", await writeOnly.FailAsync("list_agents", new { }), StringComparison.Ordinal);
    }
}
