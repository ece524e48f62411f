using System.Net;
using MemoryFabric.Client.Orleans.Tests.Support;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Client.Orleans.Tests;

/// <summary>The timeline reads over the Orleans client SDK: the same pages and errors as the HTTP API.</summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class TimelineTests(ClientClusterFixture fixture)
{
    private IMemoryFabricClient Memory => fixture.Client;

    [Fact]
    public async Task Turns_sessions_episodes_and_activity_come_a_page_at_a_time()
    {
        var agent = Turns.Agent("timeline");
        await Memory.IngestAsync(agent, [.. Enumerable.Range(0, 5).Select(i => Turns.One($"a{i}", $"Turn {i} about the garden and the roses.", minute: i)),
            Turns.One("b0", "A new day, a new session about the orchard.", minute: 24 * 60, session: "s2")]);

        var first = await Memory.GetTurnPageAsync(agent, sessionId: "s1", limit: 2);
        Assert.Equal(["a0", "a1"], first.Turns.Select(t => t.Id));
        Assert.Equal("a2", first.NextCursor);
        var rest = await Memory.GetTurnPageAsync(agent, sessionId: "s1", cursor: first.NextCursor);
        Assert.Equal(["a2", "a3", "a4"], rest.Turns.Select(t => t.Id));
        Assert.Null(rest.NextCursor);

        var sessions = await Memory.GetSessionsAsync(agent);
        Assert.Equal(["s1", "s2"], sessions.Sessions.Select(s => s.Id));
        Assert.Equal("s2", (await Memory.GetTurnAsync(agent, "b0"))!.SessionId);
        Assert.Null(await Memory.GetTurnAsync(agent, "nope"));
        Assert.Empty((await Memory.GetEpisodesAsync(agent, turnId: "a1")).Episodes); // not consolidated yet
        Assert.Equal(6, (await Memory.GetActivityAsync(agent, 4)).Buckets.Sum(b => b.Turns));

        var context = await Memory.GetContextAsync(agent, new ContextRequest { Query = "roses in the garden", TokenBudget = 20, PreferVerbatimWhenItFits = false, Explain = true });
        Assert.NotNull(context.Explanation);
        Assert.Equal(context.Items.Count, context.Explanation.Items.Count);

        var bad = await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.GetTurnPageAsync(agent, cursor: "nope", limit: 2));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var missing = await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.GetSessionsAsync(Turns.Agent("nobody")));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
