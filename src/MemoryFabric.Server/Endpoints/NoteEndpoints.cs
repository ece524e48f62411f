using MemoryFabric.Api;
using MemoryFabric.Notes;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Server.Endpoints;

/// <summary>The note routes: CRUD and history.</summary>
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
            return AgentEndpoints.Json(result, result.Operation == NoteOperation.NoOp ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        }).WithTags("Notes").Produces<NoteWriteResult>(StatusCodes.Status201Created).RequireAuthorization(ScopePolicies.Write);

        agents.MapGet("/notes/{id}", async (HttpContext context, string agent, string id) =>
        {
            var note = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetNoteAsync(id, ct)).ConfigureAwait(false);
            return note is null ? Problems.NotFound(context, $"No note with id '{id}'.") : AgentEndpoints.Json(note);
        }).WithTags("Notes").Produces<Note>().RequireAuthorization(ScopePolicies.Read);

        agents.MapPut("/notes/{id}", async (HttpContext context, string agent, string id) =>
        {
            var note = Security.TrustCap.Apply(context, await JsonBody.ReadAsync<NoteWrite>(context).ConfigureAwait(false));
            var result = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.UpdateNoteAsync(id, note, ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(result);
        }).WithTags("Notes").Produces<NoteWriteResult>().RequireAuthorization(ScopePolicies.Write);

        agents.MapDelete("/notes/{id}", async (HttpContext context, string agent, string id, bool? purge) =>
        {
            if (purge == true)
            {
                var removed = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.PurgeNoteAsync(id, ct)).ConfigureAwait(false);
                return removed == 0 ? Problems.NotFound(context, $"No note with id '{id}'.") : AgentEndpoints.Json(new PurgeResult(removed));
            }

            var result = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.DeleteNoteAsync(id, ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(result);
        }).WithTags("Notes").Produces<NoteWriteResult>().RequireAuthorization(ScopePolicies.WriteOrForgetToPurge); // purge=true needs forget

        agents.MapGet("/notes/{id}/history", async (HttpContext context, string agent, string id) =>
        {
            var versions = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.GetNoteHistoryAsync(id, ct)).ConfigureAwait(false);
            return versions.Count == 0 ? Problems.NotFound(context, $"No note with id '{id}'.") : AgentEndpoints.Json(new NoteHistory(versions));
        }).WithTags("Notes").Produces<NoteHistory>().RequireAuthorization(ScopePolicies.Read);
    }
}
