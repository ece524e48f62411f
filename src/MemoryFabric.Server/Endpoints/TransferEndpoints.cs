using System.Text;
using System.Text.Json;
using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Serialization;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Security;
using Microsoft.Net.Http.Headers;

namespace MemoryFabric.Server.Endpoints;

/// <summary>Export and import as JSON lines: one <see cref="ExportRecord"/> per line.</summary>
internal static class TransferEndpoints
{
    public const string NdjsonContentType = "application/x-ndjson";

    public static void MapTransferEndpoints(this RouteGroupBuilder agents)
    {
        agents.MapGet("/export", async (HttpContext context, string agent) =>
        {
            var export = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.ExportAsync(ct)).ConfigureAwait(false);
            context.Response.ContentType = NdjsonContentType;
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(agent + ".jsonl");
            context.Response.Headers.ContentDisposition = disposition.ToString();
            var body = context.Response.Body;
            var records = export.Turns.Select(ExportRecord.FromTurn)
                .Concat(export.Episodes.Select(ExportRecord.FromEpisode))
                .Concat(export.Notes.Select(ExportRecord.FromNote));
            var newline = "\n"u8.ToArray();
            foreach (var record in records)
            {
                await JsonSerializer.SerializeAsync(body, record, MemoryFabricJson.Options, context.RequestAborted).ConfigureAwait(false);
                await body.WriteAsync(newline, context.RequestAborted).ConfigureAwait(false);
            }
        }).WithTags("Transfer").WithSummary("Exports turns, episodes and every note version as JSON lines.").RequireAuthorization(ScopePolicies.Read);

        agents.MapPost("/import", async (HttpContext context, string agent) =>
        {
            JsonBody.EnsureContentType(context.Request, NdjsonContentType, allowSuffix: false);
            ExportRecordSet records;
            using (var bytes = await JsonBody.ReadBytesAsync(context).ConfigureAwait(false))
            {
                records = Parse(bytes.Memory); // the records own their strings: the pooled buffer goes back at once
            }

            if (records.IsEmpty)
            {
                return Problems.BadRequest(context, "The body holds no records; send JSON lines as written by GET /export.");
            }

            // A key with a trust cap imports every turn and note version with at most the cap.
            var cap = Security.TrustCap.Of(context);
            var turns = cap is null ? records.Turns : records.Turns.ConvertAll(t => Security.TrustCap.Apply(cap, t));
            var notes = cap is null ? records.Notes : records.Notes.ConvertAll(n => Security.TrustCap.Apply(cap, n));

            var result = await AgentCalls.InvokeAsync(context, agent, (actor, ct) => actor.ImportAsync(turns, notes, ct)).ConfigureAwait(false);
            return AgentEndpoints.Json(new ImportResult(result.Turns, result.Notes, result.Skipped + records.Episodes));
        }).WithTags("Transfer").WithSummary("Imports JSON lines in the export format (turns and note versions; episodes are rebuilt).").RequireAuthorization(ScopePolicies.Write);
    }

    private static ExportRecordSet Parse(ReadOnlyMemory<byte> body)
    {
        var records = new ExportRecordSet();
        var span = body.Span;
        var lineNumber = 0;
        while (!span.IsEmpty)
        {
            lineNumber++;
            var end = span.IndexOf((byte)'\n');
            var line = end < 0 ? span : span[..end];
            span = end < 0 ? [] : span[(end + 1)..];
            line = line.TrimEnd((byte)'\r');
            if (line.IsWhiteSpace())
            {
                continue;
            }

            ExportRecord? record;
            try
            {
                record = JsonSerializer.Deserialize<ExportRecord>(line, MemoryFabricJson.Options);
            }
            catch (JsonException e)
            {
                throw RequestRejectedException.Invalid($"Line {lineNumber}: " + JsonBody.Describe(e));
            }
            catch (InvalidOperationException e)
            {
                throw RequestRejectedException.Invalid($"Line {lineNumber}: not valid JSON: {e.Message}");
            }

            if (!records.TryAdd(record))
            {
                throw RequestRejectedException.Invalid($"Line {lineNumber}: {ExportRecordSet.RecordShape}.");
            }
        }

        return records;
    }

    private static bool IsWhiteSpace(this ReadOnlySpan<byte> line) => Encoding.UTF8.GetString(line).Trim().Length == 0;
}
