using System.Reflection;
using MemoryFabric.Client;
using MemoryFabric.Mcp.Access;
using MemoryFabric.Mcp.Errors;
using MemoryFabric.Mcp.Tests.Support;
using MemoryFabric.Mcp.Tools;
using MemoryFabric.Notes;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Mcp.Tests;

/// <summary>update_note's version check is made by the fabric in the same step as the write: a writer that gets in
/// between the tool's read of the note and its write makes the call fail with a conflict, and only that writer's
/// version exists. And forget with forget_sources.</summary>
[Collection(McpServerGroup.Name)]
public sealed class NoteConflictToolTests(McpTestServer server)
{
    [Fact]
    public async Task A_write_that_lands_between_the_read_and_the_write_makes_update_note_a_conflict()
    {
        var key = await server.KeyAsync("race");
        var api = server.Api(key);
        var note = (await api.AddNoteAsync("rita", new NoteWrite { Text = "Rita lives in Oslo.", Subject = "Rita" })).Note;

        // The other writer updates the note after update_note read it (expected_version 1 matched) and before it writes.
        var racing = RacingClient.Create(api, () => api.UpdateNoteAsync("rita", note.Id, new NoteWrite { Text = "Rita lives in Bergen.", Subject = "Rita" }));
        var tools = new NoteTools(new FixedMemoryFabricMcpAccess(new MemoryFabricMcpCaller(racing)), Options.Create(new MemoryFabricMcpOptions()), TimeProvider.System);

        var refused = await Assert.ThrowsAsync<MemoryFabricToolException>(() => tools.UpdateNoteAsync(note.Id, "Rita lives in Tromsø.", 1, "rita"));

        Assert.Equal(ToolOutcomes.Conflict, refused.Outcome);
        Assert.Contains("version 2", refused.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was written", refused.Message, StringComparison.Ordinal);
        var history = await api.GetNoteHistoryAsync("rita", note.Id);
        Assert.Equal(["Rita lives in Oslo.", "Rita lives in Bergen."], history.Select(v => v.Text));

        // Without a racing writer the same call goes through, checked by the fabric at version 2.
        var updated = await tools.UpdateNoteAsync(note.Id, "Rita lives in Tromsø.", 2, "rita");
        Assert.Equal(("updated", 3, 2), (updated.Operation, updated.Note.Version, updated.PreviousVersion));
    }

    [Fact]
    public async Task Forget_with_forget_sources_forgets_the_notes_turns_too()
    {
        var key = await server.KeyAsync("forget-sources");
        var api = server.Api(key);
        var client = await server.ConnectAsync(key);
        await api.IngestAsync("uma", [
            new Conversation.TurnInput { Id = "t_secret", SessionId = "s", Speaker = "Uma", Text = "My alarm code is marzipanheron 7713.", Timestamp = DateTimeOffset.UtcNow },
            new Conversation.TurnInput { Id = "t_other", SessionId = "s", Speaker = "Uma", Text = "I like long walks by the sea.", Timestamp = DateTimeOffset.UtcNow.AddSeconds(1) },
        ]);
        var note = (await api.AddNoteAsync("uma", new NoteWrite { Text = "Uma's alarm code is marzipanheron.", Subject = "Uma", SourceTurnIds = ["t_secret"] })).Note;

        var forgotten = await client.CallAsync("forget", new { agent = "uma", id = note.Id, forget_sources = true });

        Assert.Equal("note", forgotten.Str("kind"));
        Assert.Equal(1, forgotten.GetProperty("removed_versions").GetInt32());
        Assert.Equal(["t_secret"], forgotten.Items("forgotten_turn_ids").Select(t => t.GetString()));
        Assert.Equal(["t_other"], (await api.GetTurnsAsync("uma")).Select(t => t.Id));
        var hits = await client.CallAsync("search_memory", new { agent = "uma", query = "marzipanheron alarm code" });
        Assert.DoesNotContain(hits.Items("hits"), h => h.Str("text").Contains("marzipanheron", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A client that forwards every call, and runs the racing write once just before the first update made
    /// with an expected version.</summary>
    public class RacingClient : DispatchProxy
    {
        private IMemoryFabricClient _inner = null!;
        private Func<Task>? _race;

        public static IMemoryFabricClient Create(IMemoryFabricClient inner, Func<Task> race)
        {
            var proxy = Create<IMemoryFabricClient, RacingClient>();
            var racing = (RacingClient)(object)proxy;
            racing._inner = inner;
            racing._race = race;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IMemoryFabricClient.UpdateNoteAsync) && targetMethod.GetParameters().Any(p => p.Name == "expectedVersion")
                && Interlocked.Exchange(ref _race, null) is { } race)
            {
                return RaceThenAsync(race, targetMethod, args);
            }

            return targetMethod.Invoke(_inner, args);
        }

        private async Task<NoteWriteResult> RaceThenAsync(Func<Task> race, MethodInfo method, object?[]? args)
        {
            await race();
            return await (Task<NoteWriteResult>)method.Invoke(_inner, args)!;
        }
    }
}
