using MemoryFabric.Api;
using MemoryFabric.Notes;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Server.Endpoints;

/// <summary>The note routes: CRUD and history. A note's ETag is its version (<see cref="NoteETags"/>): sent with every
/// note a response carries, honoured as <c>If-Match</c> by <c>PUT</c> and <c>DELETE</c> in the grain call that writes.</summary>
internal static class NoteEndpoints
{
    public static void MapNoteEndpoints(this RouteGroupBuilder agents)
    {
        agents.MapGet("/notes", async (HttpContext context, string agent, bool? includeInactive) =>
        {
            var notes = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetNotesAsync(includeInactive ?? false, ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(new NoteList(notes));
        }).WithTags("Notes").Produces<NoteList>().RequireAuthorization(ScopePolicies.Read);

        agents.MapPost("/notes", async (HttpContext context, string agent) =>
        {
            var note = Security.TrustCap.Apply(context, await JsonBody.ReadAsync<NoteWrite>(context).ConfigureAwait(false));
            var result = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.AddNoteAsync(note, ct)).ConfigureAwait(false);
            NoteETags.Set(context, result.Note);
            return AgentEndpoints.Json(result, result.Operation == NoteOperation.NoOp ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        }).WithTags("Notes").WithSummary("Adds a note; a restatement of an active note is a noOp (200) or merges into it (merged).")
            .Produces<NoteWriteResult>(StatusCodes.Status201Created).RequireAuthorization(ScopePolicies.Write);

        agents.MapGet("/notes/{id}", async (HttpContext context, string agent, string id) =>
        {
            var note = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetNoteAsync(id, ct)).ConfigureAwait(false);
            if (note is null)
            {
                return Problems.NotFound(context, $"No note with id '{id}'.");
            }

            NoteETags.Set(context, note);
            return AgentEndpoints.Json(note);
        }).WithTags("Notes").Produces<Note>().RequireAuthorization(ScopePolicies.Read);

        agents.MapPut("/notes/{id}", async (HttpContext context, string agent, string id) =>
        {
            var note = Security.TrustCap.Apply(context, await JsonBody.ReadAsync<NoteWrite>(context).ConfigureAwait(false));
            var expected = NoteETags.ExpectedVersion(context);
            var result = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.UpdateNoteAsync(id, note, expected, ct)).ConfigureAwait(false);
            NoteETags.Set(context, result.Note);
            return AgentEndpoints.Json(result);
        }).WithTags("Notes").WithSummary("Writes a new version of the current version (If-Match: its ETag; 412 when stale, 409 for an old version's id).")
            .Produces<NoteWriteResult>().RequireAuthorization(ScopePolicies.Write);

        agents.MapDelete("/notes/{id}", async (HttpContext context, string agent, string id, bool? purge, bool? forgetSources) =>
        {
            if (forgetSources == true && purge != true)
            {
                return Problems.BadRequest(context, "forgetSources=true forgets the note's source turns for good, so it needs purge=true (and the forget scope); a plain delete keeps them.");
            }

            var expected = NoteETags.ExpectedVersion(context);
            if (purge == true)
            {
                var purged = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.ForgetNoteAsync(id, forgetSources == true, expected, ct)).ConfigureAwait(false);
                return purged.Purged == 0 ? Problems.NotFound(context, $"No note with id '{id}'.") : AgentEndpoints.Json(purged);
            }

            var result = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.DeleteNoteAsync(id, expected, ct)).ConfigureAwait(false);
            NoteETags.Set(context, result.Note);
            return AgentEndpoints.Json(result);
        }).WithTags("Notes").WithSummary("Deletes a note (a tombstone; If-Match as for PUT), or purges it for good (purge=true; forgetSources=true forgets its source turns too).")
            .Produces<NoteWriteResult>().RequireAuthorization(ScopePolicies.WriteOrForgetToPurge); // purge=true needs forget; it answers a PurgeResult

        agents.MapGet("/notes/{id}/history", async (HttpContext context, string agent, string id) =>
        {
            var versions = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetNoteHistoryAsync(id, ct)).ConfigureAwait(false);
            return versions.Count == 0 ? Problems.NotFound(context, $"No note with id '{id}'.") : AgentEndpoints.Json(new NoteHistory(versions));
        }).WithTags("Notes").Produces<NoteHistory>().RequireAuthorization(ScopePolicies.Read);
    }
}
