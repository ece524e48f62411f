using System.Globalization;
using System.Text;
using System.Text.Json;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Metrics;
using MemoryFabric.Evaluation.Strategies;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation.Poisoning;

/// <summary>How the clean multi-party stream is cut into sessions.</summary>
public enum CleanStreamLayout
{
    /// <summary>Each conversation's sessions as they are (every speaker talks with someone).</summary>
    Sessions,

    /// <summary>Every turn its own session (no one is ever seen in a dialogue): the hardest case for checks that
    /// rest on who talked with whom.</summary>
    SingleTurns,
}

/// <summary>The guard's collateral damage on clean data heard by one agent from many speakers.</summary>
/// <param name="Layout">How the stream was cut into sessions.</param>
/// <param name="Conversations">The conversations merged.</param>
/// <param name="Speakers">The distinct speakers the agent heard.</param>
/// <param name="Turns">The clean turns.</param>
/// <param name="Notes">The clean notes (active or quarantined) with the guard on.</param>
/// <param name="TurnsQuarantined">Clean turns quarantined with the guard on.</param>
/// <param name="NotesQuarantined">Clean notes quarantined with the guard on.</param>
/// <param name="EpisodesQuarantined">Episodes quarantined with the guard on.</param>
/// <param name="Questions">The questions asked.</param>
/// <param name="RecallOff">Mean evidence recall, guard off.</param>
/// <param name="RecallOn">Mean evidence recall, guard on.</param>
/// <param name="Detectors">Quarantine entries per detector.</param>
/// <param name="Examples">Up to ten quarantined items with their reasons.</param>
public sealed record CleanMultipartyResult(
    CleanStreamLayout Layout,
    int Conversations,
    int Speakers,
    int Turns,
    int Notes,
    int TurnsQuarantined,
    int NotesQuarantined,
    int EpisodesQuarantined,
    int Questions,
    double? RecallOff,
    double? RecallOn,
    IReadOnlyDictionary<string, int> Detectors,
    IReadOnlyList<string> Examples)
{
    /// <summary>Clean turns and notes quarantined, as a share of the clean turns and notes.</summary>
    public double FalseQuarantine => Turns + Notes == 0 ? 0 : (double)(TurnsQuarantined + NotesQuarantined) / (Turns + Notes);
}

/// <summary>
/// The clean multi-party measurement ("no collateral damage"): every conversation of a dataset is fed to ONE agent,
/// their sessions interleaved by date (ids prefixed by the conversation, so nothing collides), so the agent hears
/// every speaker of the dataset (LoCoMo dev: 14 speakers, 13 distinct names). Then every question is asked (guard
/// off and on, fresh memories) and, guard on, the quarantine is counted: every entry is a false quarantine, since
/// nothing is poisoned. Evidence recall is measured per question against its own conversation's turns.
/// </summary>
public static class CleanMultiparty
{
    private const char Separator = '|';
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Runs the measurement.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="memoryFactory">Creates a fresh memory with the guard on (<see langword="true"/>) or off.</param>
    /// <param name="options">Budget, categories and progress (the rest is unused).</param>
    /// <param name="layout">How the stream is cut into sessions.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The result.</returns>
    public static async Task<CleanMultipartyResult> RunAsync(
        ConversationDataset dataset, Func<bool, AgentMemory> memoryFactory, PoisonBenchmarkOptions options, CleanStreamLayout layout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(memoryFactory);
        ArgumentNullException.ThrowIfNull(options);
        var sessions = Stream(dataset, layout);
        var speakers = sessions.SelectMany(s => s).Select(t => t.Speaker).Distinct(StringComparer.OrdinalIgnoreCase).Count();
        var questions = dataset.Conversations
            .SelectMany(c => c.Questions
                .Where(q => options.Categories is null || options.Categories.Any(k => string.Equals(k.Trim(), q.Category, StringComparison.OrdinalIgnoreCase)))
                .Select(q => (Conversation: c, Question: q)))
            .ToList();
        double? recallOff = null, recallOn = null;
        var detectors = new Dictionary<string, int>(StringComparer.Ordinal);
        var examples = new List<string>();
        int turnsQuarantined = 0, notesQuarantined = 0, episodesQuarantined = 0, notes = 0;
        foreach (var guard in new[] { false, true })
        {
            var memory = memoryFactory(guard);
            try
            {
                foreach (var session in sessions)
                {
                    foreach (var chunk in session.Chunk(FabricStrategy.MaxBatch))
                    {
                        await memory.IngestAsync(chunk, cancellationToken).ConfigureAwait(false);
                    }
                }

                await memory.ConsolidateAsync(cancellationToken).ConfigureAwait(false);
                options.Progress?.WriteLine($"memfab eval poison: clean multi-party ({Name(layout)}), guard {(guard ? "on" : "off")}: {sessions.Count} sessions ingested, {questions.Count} questions");
                var recall = new List<double>();
                foreach (var (conversation, question) in questions)
                {
                    var context = await memory.GetContextAsync(
                        new ContextRequest { Query = question.Question, TokenBudget = options.TokenBudget, QueryTime = question.Date ?? conversation.DefaultQueryTime },
                        cancellationToken).ConfigureAwait(false);
                    var prefix = conversation.Id + Separator;
                    var covered = MemoryMetrics.CoveredTurnIds(context.Items)
                        .Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).Select(id => id[prefix.Length..]).ToHashSet(StringComparer.Ordinal);
                    if (MemoryMetrics.EvidenceRecall(EvidenceIds.Parse(question.Evidence), covered) is { } r)
                    {
                        recall.Add(r);
                    }
                }

                var mean = recall.Count == 0 ? (double?)null : recall.Average();
                if (!guard)
                {
                    recallOff = mean;
                    continue;
                }

                recallOn = mean;
                var quarantine = await memory.GetQuarantineAsync(cancellationToken).ConfigureAwait(false);
                foreach (var entry in quarantine)
                {
                    detectors[entry.Detector] = detectors.GetValueOrDefault(entry.Detector) + 1;
                    turnsQuarantined += entry.Kind == MemoryItemKind.Turn ? 1 : 0;
                    notesQuarantined += entry.Kind == MemoryItemKind.Note ? 1 : 0;
                    episodesQuarantined += entry.Kind == MemoryItemKind.Episode ? 1 : 0;
                    if (examples.Count < 10)
                    {
                        examples.Add($"{entry.Kind} {entry.ItemId} [{entry.Detector}] {entry.Text.ReplaceLineEndings(" ")} -- {entry.Reason}");
                    }
                }

                notes = (await memory.GetNotesAsync(includeInactive: false, cancellationToken).ConfigureAwait(false)).Count
                    + quarantine.Count(e => e.Kind == MemoryItemKind.Note);
            }
            finally
            {
                await Disposal.DisposeAsync(memory).ConfigureAwait(false);
            }
        }

        return new CleanMultipartyResult(
            layout, dataset.Conversations.Count, speakers, sessions.Sum(s => s.Count), notes, turnsQuarantined, notesQuarantined, episodesQuarantined,
            questions.Count, recallOff, recallOn, detectors, examples);
    }

    /// <summary>The stream: every conversation's turns, ids and sessions prefixed by the conversation id, sessions
    /// ordered by date (then conversation), each session a batch of turns.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="layout">How the stream is cut into sessions.</param>
    /// <returns>The sessions, in ingestion order.</returns>
    public static IReadOnlyList<IReadOnlyList<Conversation.TurnInput>> Stream(ConversationDataset dataset, CleanStreamLayout layout)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var sessions = new List<(DateTimeOffset At, string Conversation, int Order, IReadOnlyList<Conversation.TurnInput> Turns)>();
        foreach (var conversation in dataset.Conversations)
        {
            for (var s = 0; s < conversation.Sessions.Count; s++)
            {
                var session = conversation.Sessions[s];
                var turns = new List<Conversation.TurnInput>();
                for (var i = 0; i < session.Turns.Count; i++)
                {
                    var input = DatasetConversation.ToTurnInput(session, i);
                    var sessionId = conversation.Id + Separator + session.Id
                        + (layout == CleanStreamLayout.SingleTurns ? Separator + i.ToString(CultureInfo.InvariantCulture) : string.Empty);
                    turns.Add(input with { Id = conversation.Id + Separator + input.Id, SessionId = sessionId });
                }

                if (layout == CleanStreamLayout.SingleTurns)
                {
                    sessions.AddRange(turns.Select((t, i) => (t.Timestamp, conversation.Id, (s * 10_000) + i, (IReadOnlyList<Conversation.TurnInput>)[t])));
                }
                else if (turns.Count > 0)
                {
                    sessions.Add((turns[0].Timestamp, conversation.Id, s * 10_000, turns));
                }
            }
        }

        return sessions.OrderBy(s => s.At).ThenBy(s => s.Conversation, StringComparer.Ordinal).ThenBy(s => s.Order).Select(s => s.Turns).ToList();
    }

    /// <summary>The results as Markdown.</summary>
    /// <param name="results">The results.</param>
    /// <returns>The table.</returns>
    public static string ToMarkdown(IReadOnlyList<CleanMultipartyResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var sb = new StringBuilder();
        sb.AppendLine("Clean multi-party stream (one agent, every conversation's speakers; nothing poisoned):").AppendLine();
        sb.AppendLine("| layout | speakers | clean turns | clean notes | turns quarantined | notes quarantined | false quarantine | evidence recall off → on |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Name(r.Layout)} | {r.Speakers} | {r.Turns} | {r.Notes} | {r.TurnsQuarantined} | {r.NotesQuarantined} | {r.FalseQuarantine:P2} | {r.RecallOff:0.000} → {r.RecallOn:0.000} |"));
        }

        foreach (var r in results.Where(r => r.Examples.Count > 0))
        {
            sb.AppendLine().AppendLine($"{Name(r.Layout)}: quarantined by {string.Join(", ", r.Detectors.Select(d => $"{d.Key} {d.Value}"))}; for example:");
            foreach (var e in r.Examples)
            {
                sb.AppendLine("- " + e);
            }
        }

        return sb.ToString();
    }

    /// <summary>Writes the results as JSON.</summary>
    /// <param name="results">The results.</param>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public static async Task WriteJsonAsync(IReadOnlyList<CleanMultipartyResult> results, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        var json = results.Select(r => new Dictionary<string, object?>
        {
            ["layout"] = Name(r.Layout),
            ["conversations"] = r.Conversations,
            ["speakers"] = r.Speakers,
            ["clean_turns"] = r.Turns,
            ["clean_notes"] = r.Notes,
            ["turns_quarantined"] = r.TurnsQuarantined,
            ["notes_quarantined"] = r.NotesQuarantined,
            ["episodes_quarantined"] = r.EpisodesQuarantined,
            ["false_quarantine"] = r.FalseQuarantine,
            ["questions"] = r.Questions,
            ["evidence_recall_off"] = r.RecallOff,
            ["evidence_recall_on"] = r.RecallOn,
            ["detectors"] = r.Detectors,
            ["examples"] = r.Examples,
        }).ToList();
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new { clean_multiparty = json }, Indented), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The layout's name.</summary>
    /// <param name="layout">The layout.</param>
    /// <returns>"sessions" or "single-turns".</returns>
    public static string Name(CleanStreamLayout layout) => layout == CleanStreamLayout.SingleTurns ? "single-turns" : "sessions";
}
