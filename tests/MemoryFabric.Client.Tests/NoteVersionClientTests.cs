using System.Net;
using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric.Client.Tests;

/// <summary>The client's side of safe note edits: the expected version as <c>If-Match</c>, a refused write (409, 412)
/// as <see cref="MemoryFabricConflictException"/> naming the current version, and the purge with
/// <c>forgetSources</c>.</summary>
public sealed class NoteVersionClientTests
{
    [Fact]
    public async Task An_expected_version_is_sent_as_If_Match_and_none_without_it()
    {
        var written = new NoteWriteResult(NoteOperation.Updated, Samples.Note("n2", 2), Samples.Note(status: NoteStatus.Superseded));
        var handler = new StubHandler(_ => StubHandler.Json(written));
        var client = TestClients.Create(handler);

        await client.UpdateNoteAsync("bob", "n1", Samples.NoteWrite(), expectedVersion: 3);
        await client.UpdateNoteAsync("bob", "n1", Samples.NoteWrite());
        await client.DeleteNoteAsync("bob", "n1", expectedVersion: 12);
        await client.DeleteNoteAsync("bob", "n1");

        Assert.Equal(["\"3\"", null, "\"12\"", null], handler.Requests.Select(r => r.IfMatch));
        Assert.Equal([HttpMethod.Put, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Delete], handler.Requests.Select(r => r.Method));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.UpdateNoteAsync("bob", "n1", Samples.NoteWrite(), expectedVersion: 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.DeleteNoteAsync("bob", "n1", expectedVersion: -1));
        Assert.Equal(4, handler.Requests.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.PreconditionFailed, true)]
    [InlineData(HttpStatusCode.Conflict, false)]
    public async Task A_refused_write_is_a_conflict_exception_naming_the_current_version(HttpStatusCode status, bool stale)
    {
        var handler = new StubHandler(_ => StubHandler.Problem(status, "Precondition failed", "Note 'n1' is at version 2 (id 'n2'), not 1.",
            extra: "\"currentId\":\"n2\",\"currentVersion\":2,\"currentStatus\":\"active\""));
        var client = TestClients.Create(handler, o => o.MaxRetries = 3);

        var e = await Assert.ThrowsAsync<MemoryFabricConflictException>(() => client.UpdateNoteAsync("bob", "n1", Samples.NoteWrite(), expectedVersion: 1));

        Assert.IsAssignableFrom<MemoryFabricApiException>(e); // code catching the API exception keeps working
        Assert.Equal((status, stale), (e.StatusCode, e.IsStaleVersion));
        Assert.Equal(("n2", 2, NoteStatus.Active), (e.CurrentId, e.CurrentVersion, e.CurrentStatus));
        Assert.Contains("version 2", e.Message, StringComparison.Ordinal);
        Assert.Single(handler.Requests); // never retried
    }

    [Fact]
    public async Task A_409_that_names_no_current_version_stays_a_plain_api_exception()
    {
        var handler = new StubHandler(_ => StubHandler.Problem(HttpStatusCode.Conflict, "Conflict", "Tenant 'acme' exists."));
        var client = TestClients.Create(handler);

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.DeleteNoteAsync("bob", "n1"));

        Assert.IsNotType<MemoryFabricConflictException>(e);
        Assert.Equal(HttpStatusCode.Conflict, e.StatusCode);
    }

    [Fact]
    public async Task Purge_with_forget_sources_asks_for_it_and_reads_what_was_removed()
    {
        var removed = new PurgeResult(2)
        {
            PurgedNoteIds = ["n1", "n2"],
            Sources = new TurnForgetResult(["t1"], [], ["n9"], [], ["e1"], []),
        };
        var handler = new StubHandler(_ => StubHandler.Json(removed));
        var client = TestClients.Create(handler);

        var result = await client.PurgeNoteAsync("bob", "n1", forgetSources: true, expectedVersion: 2);
        var plain = await client.PurgeNoteAsync("bob", "n1", forgetSources: false);

        Assert.Equal("?purge=true&forgetSources=true", handler.Requests[0].Query);
        Assert.Equal("\"2\"", handler.Requests[0].IfMatch);
        Assert.Equal("?purge=true", handler.Requests[1].Query);
        Assert.Null(handler.Requests[1].IfMatch);
        Assert.Equal(["n1", "n2"], result.PurgedNoteIds);
        Assert.Equal(["t1"], result.Sources!.ForgottenTurnIds);
        Assert.Equal(["n9"], result.Sources.PurgedNoteIds);
        Assert.Equal(2, plain.Purged);
    }
}
