using System.Net;
using MemoryFabric.Conversation;

namespace MemoryFabric.Client.Tests;

public sealed class ForgetTurnsClientTests
{
    [Fact]
    public async Task Forget_turns_posts_the_ids_and_reads_what_was_removed()
    {
        var removed = new TurnForgetResult(["t1", "t2"], ["t9"], ["n1"], ["n2"], ["ep:s1:t0"], []);
        var handler = new StubHandler(r => r switch
        {
            { RawPath: "/v1/agents/bob/turns/forget", Method.Method: "POST" } => StubHandler.Json(removed),
            _ => StubHandler.Problem(HttpStatusCode.NotFound, "Not Found"),
        });
        var client = TestClients.Create(handler);

        var result = await client.ForgetTurnsAsync("bob", ["t1", "t2", "t9"]);

        Assert.Equal(["t1", "t2", "t9"], handler.Single.Json["turnIds"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(["t1", "t2"], result.ForgottenTurnIds);
        Assert.Equal(["t9"], result.UnknownTurnIds);
        Assert.Equal(["n1"], result.PurgedNoteIds);
        Assert.Equal(["n2"], result.RedactedNoteIds);
        Assert.Equal(["ep:s1:t0"], result.RebuiltEpisodeIds);
        Assert.Empty(result.RemovedEpisodeIds);
    }

    [Fact]
    public async Task A_refused_forget_surfaces_the_problem()
    {
        var handler = new StubHandler(_ => StubHandler.Problem(HttpStatusCode.Forbidden, "Forbidden"));
        var client = TestClients.Create(handler);

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.ForgetTurnsAsync("bob", ["t1"]));
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
    }
}
