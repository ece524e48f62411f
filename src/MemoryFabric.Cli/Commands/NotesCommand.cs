using System.CommandLine;
using System.Globalization;
using System.Net;
using MemoryFabric.Cli.Connection;
using MemoryFabric.Client;
using MemoryFabric.Notes;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab notes list|show|history|add|update|delete</c>: an agent's notes (the facts, preferences,
/// events... consolidation extracts, and the ones written by hand), with their version history. <c>update</c> and
/// <c>delete</c> take <c>--if-version N</c> (the note's ETag): the server refuses the write when the note moved on.</summary>
internal static class NotesCommand
{
    private const int TextWidth = 90;

    /// <summary>Builds the command and its subcommands.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("notes", "List, show, add, update and delete an agent's notes, and see their history.");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateHistory());
        command.Subcommands.Add(CreateAdd());
        command.Subcommands.Add(CreateUpdate());
        command.Subcommands.Add(CreateDelete());
        return command;
    }

    private static Command CreateList()
    {
        var all = new Option<bool>("--all") { Description = "Include inactive versions (superseded, archived, deleted)." };
        var json = CommandOutput.JsonOption("Print the notes as JSON ({\"notes\":[...]}).");
        var connection = new ConnectionOptions();
        var command = new Command("list", "List the agent's active notes (--all: every version).") { all, json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var includeInactive = parseResult.GetValue(all);
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var notes = await open.Client.ListNotesAsync(open.Settings.Agent, includeInactive, ct).ConfigureAwait(false);
                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, new { notes }).ConfigureAwait(false);
                }
                else if (notes.Count == 0)
                {
                    await stderr.WriteLineAsync($"memfab notes: {open.Settings.Agent} has no {(includeInactive ? string.Empty : "active ")}notes").ConfigureAwait(false);
                }
                else
                {
                    await WriteListAsync(stdout, notes, includeInactive).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateShow()
    {
        var id = new Argument<string>("ID") { Description = "The note's id (a version id or a lineage id)." };
        var json = CommandOutput.JsonOption("Print the note as JSON.");
        var connection = new ConnectionOptions();
        var command = new Command("show", "Show a note, every field.") { id, json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var noteId = parseResult.GetValue(id)!;
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var note = await open.Client.GetNoteAsync(open.Settings.Agent, noteId, ct).ConfigureAwait(false)
                    ?? throw NotFound(open.Settings.Agent, noteId);
                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, note).ConfigureAwait(false);
                }
                else
                {
                    await WriteNoteAsync(stdout, note).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateHistory()
    {
        var id = new Argument<string>("ID") { Description = "The note's id (a version id or a lineage id)." };
        var json = CommandOutput.JsonOption("Print the versions as JSON ({\"versions\":[...]}).");
        var connection = new ConnectionOptions();
        var command = new Command("history", "Show every version of a note, oldest first.") { id, json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var noteId = parseResult.GetValue(id)!;
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var versions = await open.Client.GetNoteHistoryAsync(open.Settings.Agent, noteId, ct).ConfigureAwait(false);
                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, new { versions }).ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                foreach (var version in versions)
                {
                    var reason = version.SupersedeReason is { Length: > 0 } r ? $"  ({CommandOutput.Truncate(r, 60)})" : string.Empty;
                    await stdout.WriteLineAsync(
                        $"v{version.Version.ToString(CultureInfo.InvariantCulture),-3} {CommandOutput.Name(version.Status),-10}  {CommandOutput.Time(version.CreatedAt)}  "
                        + $"{version.Id}  {CommandOutput.Truncate(version.Text, TextWidth)}{reason}").ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateAdd()
    {
        var text = new Option<string>("--text")
        {
            Description = "The note, as a sentence (\"Caroline works as a school counselor.\").",
            HelpName = "text",
            Required = true,
        };
        var subject = new Option<string>("--subject")
        {
            Description = "Who or what the note is about (\"Caroline\").",
            HelpName = "subject",
            Required = true,
        };
        var attribute = new Option<string?>("--attribute")
        {
            Description = "The attribute the note sets (\"job\"); a later note on the same subject and attribute supersedes it.",
            HelpName = "attribute",
        };
        var value = new Option<string?>("--value") { Description = "The attribute's value (\"school counselor\").", HelpName = "value" };
        var kind = new Option<string>("--kind")
        {
            Description = "The kind of note.",
            HelpName = "fact|preference|event|plan|relationship|profile",
            DefaultValueFactory = _ => "fact",
        };
        kind.AcceptOnlyFromAmong([.. Enum.GetValues<NoteKind>().Select(k => CommandOutput.Name(k))]);
        var json = CommandOutput.JsonOption("Print the write's result as JSON (operation, note, previous).");
        var connection = new ConnectionOptions();
        var command = new Command("add", "Add a note by hand (a restatement of an active note changes nothing or merges into it; a new value supersedes the old).")
        {
            text, subject, attribute, value, kind, json,
        };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var noteText = parseResult.GetValue(text) ?? string.Empty;
            var noteSubject = parseResult.GetValue(subject) ?? string.Empty;
            if (string.IsNullOrWhiteSpace(noteText))
            {
                throw new UsageException("--text is blank");
            }

            if (string.IsNullOrWhiteSpace(noteSubject))
            {
                throw new UsageException("--subject is blank");
            }

            var write = new NoteWrite
            {
                Kind = Enum.Parse<NoteKind>(parseResult.GetValue(kind) ?? "fact", ignoreCase: true),
                Text = noteText,
                Subject = noteSubject,
                Attribute = parseResult.GetValue(attribute),
                Value = parseResult.GetValue(value),
            };
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var result = await open.Client.AddNoteAsync(open.Settings.Agent, write, ct).ConfigureAwait(false);
                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, result).ConfigureAwait(false);
                }
                else
                {
                    var previous = result.Previous is { } p ? $" (previous: {p.Id})" : string.Empty;
                    var operation = result.Operation switch
                    {
                        NoteOperation.NoOp => "unchanged (an active note says this already)",
                        NoteOperation.Merged => "merged (into a new version of the note it restates)",
                        _ => CommandOutput.Name(result.Operation),
                    };
                    await stdout.WriteLineAsync($"{operation}: {result.Note.Id}{previous}  {CommandOutput.Truncate(result.Note.Text, TextWidth)}").ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateUpdate()
    {
        var id = new Argument<string>("ID") { Description = "The current version's id (or the lineage id, with --if-version)." };
        var text = new Option<string>("--text") { Description = "The new text, as a sentence.", HelpName = "text", Required = true };
        var subject = new Option<string?>("--subject") { Description = "Who or what the note is about (default: the current version's).", HelpName = "subject" };
        var attribute = new Option<string?>("--attribute")
        {
            Description = "The attribute the note sets, with --value (default: the current version's, kept while the text still states its value).",
            HelpName = "attribute",
        };
        var value = new Option<string?>("--value") { Description = "The attribute's value.", HelpName = "value" };
        var ifVersion = IfVersionOption("Write only if the note is still at this version (its ETag, as `notes show` prints it); else nothing is written.");
        var json = CommandOutput.JsonOption("Print the write's result as JSON (operation, note, previous).");
        var connection = new ConnectionOptions();
        var command = new Command("update", "Write a new version of a note (the old one is kept as superseded).") { id, text, subject, attribute, value, ifVersion, json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var noteId = parseResult.GetValue(id)!;
            var newText = parseResult.GetValue(text) ?? string.Empty;
            if (string.IsNullOrWhiteSpace(newText))
            {
                throw new UsageException("--text is blank");
            }

            var newAttribute = parseResult.GetValue(attribute);
            var newValue = parseResult.GetValue(value);
            if (newAttribute is null != newValue is null)
            {
                throw new UsageException("--attribute and --value go together");
            }

            var expected = IfVersion(parseResult, ifVersion);
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var current = await open.Client.GetNoteAsync(open.Settings.Agent, noteId, ct).ConfigureAwait(false)
                    ?? throw NotFound(open.Settings.Agent, noteId);
                var keepsValue = newAttribute is null && current.Value is { Length: > 0 } v && newText.Contains(v, StringComparison.OrdinalIgnoreCase);
                var write = new NoteWrite
                {
                    Kind = current.Kind,
                    Text = newText,
                    Subject = parseResult.GetValue(subject) is { Length: > 0 } s ? s : current.Subject,
                    Attribute = newAttribute ?? (keepsValue ? current.Attribute : null),
                    Value = newValue ?? (keepsValue ? current.Value : null),
                    EventTime = current.EventTime,
                    ValidFrom = current.ValidFrom,
                    SourceTurnIds = current.Provenance.TurnIds,
                    Entities = current.Entities,
                    Importance = current.Importance,
                    Source = current.Provenance.Source,
                    Trust = current.Provenance.Trust,
                };
                var result = await open.Client.UpdateNoteAsync(open.Settings.Agent, noteId, write, expected, ct).ConfigureAwait(false);
                await (asJson
                    ? CommandOutput.WriteJsonAsync(stdout, result)
                    : stdout.WriteLineAsync($"{CommandOutput.Name(result.Operation)}: {result.Note.Id} (version {result.Note.Version}){(result.Previous is { } p ? $", previous: {p.Id}" : string.Empty)}  {CommandOutput.Truncate(result.Note.Text, TextWidth)}")).ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateDelete()
    {
        var id = new Argument<string>("ID") { Description = "The note's id (a version id or a lineage id)." };
        var purge = new Option<bool>("--purge")
        {
            Description = "Remove every version for good (default: the note becomes a tombstone version and its history is kept).",
        };
        var forgetSources = new Option<bool>("--forget-sources")
        {
            Description = "With --purge: also forget the turns the note was drawn from (redacted from their episodes, the notes drawn only from them removed, their text purged from storage). Needs the 'forget' scope.",
        };
        var ifVersion = IfVersionOption("Delete only if the note is still at this version (its ETag); else nothing is changed.");
        var json = CommandOutput.JsonOption("Print the result as JSON.");
        var connection = new ConnectionOptions();
        var command = new Command("delete", "Delete a note (a tombstone version, history kept), or --purge it for good.") { id, purge, forgetSources, ifVersion, json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var noteId = parseResult.GetValue(id)!;
            var forGood = parseResult.GetValue(purge);
            var withSources = parseResult.GetValue(forgetSources);
            if (withSources && !forGood)
            {
                throw new UsageException("--forget-sources forgets turns for good: it needs --purge");
            }

            var expected = IfVersion(parseResult, ifVersion);
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                if (forGood)
                {
                    var removed = await open.Client.PurgeNoteAsync(open.Settings.Agent, noteId, withSources, expected, ct).ConfigureAwait(false);
                    var purged = removed.Purged;
                    if (asJson)
                    {
                        await (withSources ? CommandOutput.WriteJsonAsync(stdout, removed) : CommandOutput.WriteJsonAsync(stdout, new { purged })).ConfigureAwait(false);
                        return ExitCodes.Success;
                    }

                    await stdout.WriteLineAsync($"purged: {noteId} ({purged} version{(purged == 1 ? string.Empty : "s")} removed)").ConfigureAwait(false);
                    if (removed.Sources is { } sources)
                    {
                        foreach (var turn in sources.ForgottenTurnIds)
                        {
                            await stdout.WriteLineAsync($"forgotten: {turn}").ConfigureAwait(false);
                        }

                        await stdout.WriteLineAsync(
                            $"other notes removed: {sources.PurgedNoteIds.Count}, notes redacted: {sources.RedactedNoteIds.Count}, "
                            + $"episodes rebuilt: {sources.RebuiltEpisodeIds.Count}, episodes removed: {sources.RemovedEpisodeIds.Count}").ConfigureAwait(false);
                    }

                    return ExitCodes.Success;
                }

                var result = await open.Client.DeleteNoteAsync(open.Settings.Agent, noteId, expected, ct).ConfigureAwait(false);
                await (asJson
                    ? CommandOutput.WriteJsonAsync(stdout, result)
                    : stdout.WriteLineAsync($"{CommandOutput.Name(result.Operation)}: {result.Note.LineageId} (version {result.Note.Version}, {result.Note.Id}, is now a tombstone; history kept, --purge removes it)")).ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Option<int?> IfVersionOption(string description) =>
        new("--if-version") { Description = description, HelpName = "N" };

    private static int? IfVersion(System.CommandLine.ParseResult parseResult, Option<int?> option) =>
        parseResult.GetValue(option) is { } version and < 1
            ? throw new UsageException($"--if-version is a note version, 1 or more (got {version})")
            : parseResult.GetValue(option);

    private static MemoryFabricApiException NotFound(string agent, string noteId) =>
        new(HttpStatusCode.NotFound, new MemoryFabricProblem { Status = 404, Title = "Not found", Detail = $"No note '{noteId}' in agent '{agent}'." });

    private static async Task WriteListAsync(TextWriter stdout, IReadOnlyList<Note> notes, bool withStatus)
    {
        var idWidth = notes.Max(n => n.Id.Length);
        var kindWidth = notes.Max(n => CommandOutput.Name(n.Kind).Length);
        var subjectWidth = Math.Min(24, notes.Max(n => n.Subject.Length));
        foreach (var note in notes)
        {
            var status = withStatus ? $"{CommandOutput.Name(note.Status),-10}  v{note.Version.ToString(CultureInfo.InvariantCulture),-3} " : string.Empty;
            await stdout.WriteLineAsync(
                $"{note.Id.PadRight(idWidth)}  {CommandOutput.Name(note.Kind).PadRight(kindWidth)}  {status}"
                + $"{CommandOutput.Truncate(note.Subject, subjectWidth).PadRight(subjectWidth)}  {CommandOutput.Truncate(note.Text, TextWidth)}").ConfigureAwait(false);
        }
    }

    private static async Task WriteNoteAsync(TextWriter stdout, Note note)
    {
        var lines = new List<(string Label, string? Value)>
        {
            ("id", note.Id),
            ("lineage", $"{note.LineageId} (version {note.Version})"),
            ("kind", CommandOutput.Name(note.Kind)),
            ("status", CommandOutput.Name(note.Status)),
            ("subject", note.Subject),
            ("attribute", note.Attribute),
            ("value", note.Value),
            ("text", note.Text),
            ("event time", note.EventTime is { } e ? CommandOutput.Iso(e) : null),
            ("valid", note.ValidFrom is null && note.ValidTo is null ? null : $"{CommandOutput.Iso(note.ValidFrom)} .. {CommandOutput.Iso(note.ValidTo)}"),
            ("created", CommandOutput.Iso(note.CreatedAt)),
            ("importance", string.Create(CultureInfo.InvariantCulture, $"{note.Importance:0.00}  strength {note.Strength:0.00}  recalled {note.RecallCount} times, last {CommandOutput.Iso(note.LastRecalledAt)}")),
            ("entities", note.Entities.Count > 0 ? string.Join(", ", note.Entities) : null),
            ("source turns", note.Provenance.TurnIds.Count > 0 ? string.Join(", ", note.Provenance.TurnIds) : null),
            ("episode", note.Provenance.EpisodeId),
            ("extractor", $"{note.Provenance.Extractor} {note.Provenance.ExtractorVersion}".Trim()),
            ("supersedes", note.SupersedesId),
            ("superseded by", note.SupersededById),
            ("reason", note.SupersedeReason),
            ("links", note.Links.Count > 0 ? string.Join(", ", note.Links) : null),
        };
        foreach (var (label, value) in lines)
        {
            if (!string.IsNullOrEmpty(value))
            {
                await stdout.WriteLineAsync($"{label + ":",-14} {value}").ConfigureAwait(false);
            }
        }
    }
}
