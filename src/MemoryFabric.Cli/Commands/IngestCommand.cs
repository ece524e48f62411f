using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MemoryFabric.Cli.Connection;
using MemoryFabric.Client;
using MemoryFabric.Conversation;
using MemoryFabric.Evaluation.Datasets;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab ingest FILE --agent NAME</c>: stores a conversation file's turns (LoCoMo or the generic format)
/// in batches, with a progress bar on standard error when it is a terminal (<see cref="ProgressDisplay"/>), then a
/// summary; <c>--consolidate</c> builds episodes and notes at the end.</summary>
internal static class IngestCommand
{
    /// <summary>The default number of turns per request.</summary>
    public const int DefaultBatchSize = 500;

    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The conversation file: LoCoMo's JSON or the generic conversation format (see datasets/README.md).",
        };
        var format = new Option<string>("--format")
        {
            Description = "The file's format; auto detects it.",
            HelpName = "auto|locomo|generic",
            DefaultValueFactory = _ => "auto",
        };
        format.AcceptOnlyFromAmong("auto", "locomo", "generic");
        var conversation = new Option<string?>("--conversation")
        {
            Description = "Ingest only this conversation of the file (its sample_id or id).",
            HelpName = "id",
        };
        var perConversation = new Option<bool>("--agent-per-conversation")
        {
            Description = "Ingest each conversation of the file into its own agent, named <agent>-<conversation id>.",
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Turns per request (the server accepts up to MemoryFabric:MaxBatchSize, default 1000).",
            HelpName = "turns",
            DefaultValueFactory = _ => DefaultBatchSize,
        };
        var consolidate = new Option<bool>("--consolidate")
        {
            Description = "Consolidate each agent at the end (episodes, notes) instead of waiting for the server's schedule.",
        };
        var quiet = ProgressDisplay.QuietOption();
        var connection = new ConnectionOptions();
        var command = new Command("ingest", "Store a conversation file's turns in an agent's memory (LoCoMo or the generic format).")
        {
            file, format, conversation, perConversation, batchSize, consolidate, quiet,
        };
        connection.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = new IngestSettings(
                parseResult.GetValue(file)!,
                parseResult.GetValue(format) ?? "auto",
                parseResult.GetValue(conversation),
                parseResult.GetValue(perConversation),
                parseResult.GetValue(batchSize),
                parseResult.GetValue(consolidate),
                parseResult.GetValue(quiet));
            var connectionSettings = connection.Read(parseResult);
            return await RunAsync(
                settings,
                connectionSettings,
                parseResult.InvocationConfiguration.Output,
                parseResult.InvocationConfiguration.Error,
                cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(IngestSettings settings, ConnectionSettings connection, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (settings.BatchSize < 1)
        {
            throw new UsageException($"--batch-size must be at least 1 (got {settings.BatchSize})");
        }

        var data = ReadDataset(settings);
        var plan = Plan(data, settings, connection.Agent);
        var turnCount = plan.Sum(p => p.Turns.Count);
        await stderr.WriteLineAsync(
            $"memfab ingest: {settings.File} ({CommandOutput.Name(data.Format)}): {Plural(plan.Count, "conversation")}, {Plural(turnCount, "turn")} "
            + $"-> {(plan.Count == 1 ? "agent " + plan[0].Agent : Plural(plan.Count, "agent"))} at {connection.Target}").ConfigureAwait(false);

        return await DataCommandRunner.RunAsync(connection, stderr, async (open, ct) =>
        {
            // While the bars are drawn, the summaries wait (on a terminal they would be drawn over), then print in order.
            var held = new List<string>();
            try
            {
                return await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, settings.Quiet), ProgressStyle.Bars, async display =>
                {
                    async Task EmitAsync(string line)
                    {
                        if (display.IsLive)
                        {
                            held.Add(line);
                        }
                        else
                        {
                            await stdout.WriteLineAsync(line).ConfigureAwait(false);
                        }
                    }

                    long totalStored = 0, totalDuplicates = 0, totalSkipped = 0;
                    var total = Stopwatch.StartNew();
                    foreach (var item in plan)
                    {
                        var clock = Stopwatch.StartNew();
                        var bar = display.Start($"{item.Agent}: turns", item.Turns.Count);
                        long stored = 0, duplicates = 0, sent = 0;
                        foreach (var batch in item.Turns.Chunk(settings.BatchSize))
                        {
                            ct.ThrowIfCancellationRequested();
                            var result = await open.Client.IngestAsync(item.Agent, batch, ct).ConfigureAwait(false);
                            stored += result.StoredTurnIds.Count;
                            duplicates += result.DuplicateTurnIds.Count;
                            sent += batch.Length;
                            bar.Report(sent);
                        }

                        bar.Complete();
                        clock.Stop();
                        totalStored += stored;
                        totalDuplicates += duplicates;
                        totalSkipped += item.Skipped;
                        await EmitAsync(Summary(item.Agent, stored, duplicates, item.Skipped, clock.Elapsed)).ConfigureAwait(false);
                    }

                    total.Stop();
                    if (plan.Count > 1)
                    {
                        await EmitAsync(Summary($"total ({plan.Count} agents)", totalStored, totalDuplicates, totalSkipped, total.Elapsed)).ConfigureAwait(false);
                    }

                    if (settings.Consolidate)
                    {
                        foreach (var item in plan)
                        {
                            var spinner = display.Start($"{item.Agent}: consolidating");
                            var report = await open.Client.ConsolidateAsync(item.Agent, ct).ConfigureAwait(false);
                            spinner.Complete();
                            await EmitAsync(
                                $"{item.Agent}: consolidated: {Plural(report.Episodes, "episode")}, {report.NotesAdded} notes added, "
                                + $"{report.NotesSuperseded} superseded, {report.NotesUnchanged} unchanged in {CommandOutput.Seconds(report.Duration)}").ConfigureAwait(false);
                        }
                    }
                    else if (open.IsLocal)
                    {
                        await display.Log.WriteLineAsync("memfab ingest: notes are built when an agent consolidates (on a schedule, or now with --consolidate)").ConfigureAwait(false);
                    }

                    return ExitCodes.Success;
                }).ConfigureAwait(false);
            }
            finally
            {
                foreach (var line in held)
                {
                    await stdout.WriteLineAsync(line).ConfigureAwait(false);
                }
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private static ConversationDataset ReadDataset(IngestSettings settings)
    {
        ConversationDataset data;
        try
        {
            data = DatasetReader.Read(settings.File);
        }
        catch (DatasetFormatException e)
        {
            throw new UsageException(e.Message, e);
        }

        var wanted = settings.Format switch
        {
            "locomo" => DatasetFormat.Locomo,
            "generic" => DatasetFormat.Generic,
            _ => (DatasetFormat?)null,
        };
        if (wanted is { } format && data.Format != format)
        {
            throw new UsageException($"{settings.File}: is in the {CommandOutput.Name(data.Format)} format, not {settings.Format} (--format)");
        }

        return data;
    }

    private static List<PlannedIngest> Plan(ConversationDataset data, IngestSettings settings, string agent)
    {
        IReadOnlyList<DatasetConversation> conversations = data.Conversations;
        if (conversations.Count == 0)
        {
            throw new UsageException($"{settings.File}: holds no conversation");
        }

        if (settings.Conversation is { } id)
        {
            var picked = conversations.FirstOrDefault(c => string.Equals(c.Id, id, StringComparison.Ordinal))
                ?? throw new UsageException($"--conversation: {settings.File} has no conversation \"{id}\" (it has {Ids(conversations)})");
            conversations = [picked];
        }
        else if (conversations.Count > 1 && !settings.AgentPerConversation)
        {
            throw new UsageException(
                $"{settings.File} holds {conversations.Count} conversations ({Ids(conversations)}): pick one with --conversation ID, "
                + "or ingest each into its own agent with --agent-per-conversation");
        }

        return conversations.Select(c => ToTurns(c, settings.AgentPerConversation ? $"{agent}-{c.Id}" : agent)).ToList();
    }

    private static PlannedIngest ToTurns(DatasetConversation conversation, string agent)
    {
        var turns = new List<TurnInput>(conversation.TurnCount);
        var skipped = 0;
        foreach (var session in conversation.Sessions)
        {
            for (var i = 0; i < session.Turns.Count; i++)
            {
                var turn = session.Turns[i];
                if (string.IsNullOrWhiteSpace(turn.Text))
                {
                    skipped++; // the API refuses blank text
                    continue;
                }

                turns.Add(DatasetConversation.ToTurnInput(session, i));
            }
        }

        return new PlannedIngest(agent, turns, skipped);
    }

    private static string Summary(string label, long stored, long duplicates, long skipped, TimeSpan elapsed)
    {
        var rate = elapsed.TotalSeconds > 0 ? (stored + duplicates) / elapsed.TotalSeconds : 0;
        var blank = skipped > 0 ? $", {CommandOutput.Count(skipped)} blank skipped" : string.Empty;
        return $"{label}: {CommandOutput.Count(stored)} turns stored, {CommandOutput.Count(duplicates)} duplicates{blank} in "
            + $"{CommandOutput.Seconds(elapsed)} ({rate.ToString("N0", CultureInfo.InvariantCulture)} turns/s)";
    }

    private static string Ids(IReadOnlyList<DatasetConversation> conversations) =>
        string.Join(", ", conversations.Take(10).Select(c => c.Id)) + (conversations.Count > 10 ? ", ..." : string.Empty);

    private static string Plural(long count, string noun) =>
        $"{CommandOutput.Count(count)} {noun}{(count == 1 ? string.Empty : "s")}";

    private sealed record IngestSettings(string File, string Format, string? Conversation, bool AgentPerConversation, int BatchSize, bool Consolidate, bool Quiet);

    private sealed record PlannedIngest(string Agent, List<TurnInput> Turns, int Skipped);
}
