using System.Net;

namespace MemoryFabric.Client.Tests;

/// <summary><see cref="MemoryFabricClient.ListAgentsAsync"/>: the query it sends and the page it reads.</summary>
public sealed class AgentListClientTests
{
    private const string Page = """
        {"agents":[{"agent":"a@b","turns":3,"episodes":1,"notes":2,"quarantined":1,"dataBytes":4096,"lastActivity":"2025-03-01T08:00:00+00:00"},
                   {"agent":"new","turns":0,"episodes":0,"notes":0,"quarantined":0,"dataBytes":0,"lastActivity":null}],
         "nextCursor":"YTE6bmV3"}
        """;

    [Fact]
    public async Task Sends_only_the_given_parameters_escaped_and_reads_the_page()
    {
        var handler = new StubHandler(_ => StubHandler.Json(Page));
        var client = TestClients.Create(handler);

        var page = await client.ListAgentsAsync();
        Assert.Equal("/v1/agents", handler.Requests[0].RawPath);
        Assert.Equal(string.Empty, handler.Requests[0].Query);
        Assert.Equal(HttpMethod.Get, handler.Requests[0].Method);
        Assert.Equal("Bearer " + TestClients.Key, handler.Requests[0].Authorization);

        Assert.Equal(["a@b", "new"], page.Agents.Select(a => a.Agent));
        Assert.Equal((3L, 1L, 2L, 1L, 4096L), (page.Agents[0].Turns, page.Agents[0].Episodes, page.Agents[0].Notes, page.Agents[0].Quarantined, page.Agents[0].DataBytes));
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero), page.Agents[0].LastActivity);
        Assert.Null(page.Agents[1].LastActivity);
        Assert.Equal("YTE6bmV3", page.NextCursor);

        await client.ListAgentsAsync(page.NextCursor, 25, "a@b");
        Assert.Equal("?cursor=YTE6bmV3&limit=25&prefix=a%40b", handler.Requests[1].Query);
        await client.ListAgentsAsync(prefix: "support-");
        Assert.Equal("?prefix=support-", handler.Requests[2].Query);
    }

    [Fact]
    public async Task A_400_is_thrown_with_the_servers_problem()
    {
        var handler = new StubHandler(_ => StubHandler.Problem(HttpStatusCode.BadRequest, "The request is invalid", "'limit' must be from 1 to 200 (default 50); it was 0."));
        var client = TestClients.Create(handler);

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.ListAgentsAsync(limit: 0));
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Contains("'limit'", e.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal("?limit=0", Assert.Single(handler.Requests).Query);
    }
}
