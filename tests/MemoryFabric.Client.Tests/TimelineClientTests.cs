using System.Net;

namespace MemoryFabric.Client.Tests;

/// <summary>The timeline reads of <see cref="MemoryFabricClient"/>: the paths and queries they send, the pages they read.</summary>
public sealed class TimelineClientTests
{
    [Fact]
    public async Task Turn_pages_send_only_the_given_parameters_and_read_the_next_cursor()
    {
        var handler = new StubHandler(_ => StubHandler.Json("""
            {"turns":[{"id":"t 1","sessionId":"s1","speaker":"Tom","role":"user","text":"Hi","timestamp":"2024-05-01T09:00:00+00:00","sequence":1,"metadata":{},"source":"userStated","trust":0.9}],"nextCursor":"t 2"}
            """));
        var client = TestClients.Create(handler);

        var page = await client.GetTurnPageAsync("tom", limit: 1);
        Assert.Equal("/v1/agents/tom/turns", handler.Requests[0].RawPath);
        Assert.Equal("?limit=1", handler.Requests[0].Query);
        Assert.Equal("t 1", Assert.Single(page.Turns).Id);
        Assert.Equal("t 2", page.NextCursor);

        await client.GetTurnPageAsync("tom", sessionId: "s/1", episodeId: "ep:s1:t1", cursor: page.NextCursor, limit: 50);
        Assert.Equal("?session=s%2F1&episode=ep%3As1%3At1&cursor=t%202&limit=50", handler.Requests[1].Query);
    }

    [Fact]
    public async Task Sessions_episodes_activity_and_one_turn_use_their_routes()
    {
        var handler = new StubHandler(request => request.RawPath switch
        {
            "/v1/agents/tom/sessions" => StubHandler.Json("""{"sessions":[{"id":"s1","turns":3,"episodes":1,"start":"2024-05-01T09:00:00+00:00","end":"2024-05-01T09:02:00+00:00"}],"nextCursor":null}"""),
            "/v1/agents/tom/episodes" => StubHandler.Json("""{"episodes":[],"nextCursor":null}"""),
            "/v1/agents/tom/activity" => StubHandler.Json("""{"buckets":[{"start":"2024-05-01T09:00:00+00:00","end":"2024-05-01T10:00:00+00:00","turns":3,"notes":1}]}"""),
            _ => StubHandler.Problem(HttpStatusCode.NotFound, "Not found", "No turn with id 'x'."),
        });
        var client = TestClients.Create(handler);

        var sessions = await client.GetSessionsAsync("tom", limit: 10);
        Assert.Equal(("s1", 3, 1), (sessions.Sessions[0].Id, sessions.Sessions[0].Turns, sessions.Sessions[0].Episodes));
        Assert.Null(sessions.NextCursor);
        Assert.Equal("?limit=10", handler.Requests[0].Query);

        Assert.Empty((await client.GetEpisodesAsync("tom", turnId: "t1")).Episodes);
        Assert.Equal("?turn=t1", handler.Requests[1].Query);

        var activity = await client.GetActivityAsync("tom", 24);
        Assert.Equal((3, 1), (activity.Buckets[0].Turns, activity.Buckets[0].Notes));
        Assert.Equal("?buckets=24", handler.Requests[2].Query);

        Assert.Null(await client.GetTurnAsync("tom", "x"));
        Assert.Equal("/v1/agents/tom/turns/x", handler.Requests[3].RawPath);
    }

    [Fact]
    public async Task A_bad_cursor_is_the_servers_400()
    {
        var handler = new StubHandler(_ => StubHandler.Problem(HttpStatusCode.BadRequest, "The request is invalid", "The cursor 'zz' is not a turn of this listing: pass the nextCursor of the previous page."));
        var client = TestClients.Create(handler);
        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.GetTurnPageAsync("tom", cursor: "zz", limit: 10));
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Contains("cursor", e.Problem.Detail, StringComparison.Ordinal);
    }
}
