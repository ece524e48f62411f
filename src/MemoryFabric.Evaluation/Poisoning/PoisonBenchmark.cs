using System.Diagnostics;
using System.Globalization;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Metrics;
using MemoryFabric.Evaluation.Strategies;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation.Poisoning;

/// <summary>
/// The poisoning benchmark (issue 5): for each conversation and each guard setting (off, on), a fresh
/// <see cref="AgentMemory"/> ingests the clean conversation exactly as <see cref="FabricStrategy"/> does (one
/// <c>IngestAsync</c> per session, then consolidation), then the poison in two rounds: round 1 (false-fact,
/// instruction, trigger records, each its own session), consolidate; with the guard on, every quarantined round-1
/// item that is poison is confirmed (an admin confirming true detections, which distils lessons); round 2 (the
/// repeated lie, three sessions on different days), consolidate. Then every question is asked with
/// <c>GetContextAsync(question, budget, queryTime)</c>. Targeted questions give ASR-r and ASR-t (overall and per
/// kind, records being tagged by kind in one memory); untargeted ones give clean evidence recall and answer
/// coverage (<see cref="MemoryMetrics"/>, through <see cref="EvaluationRunner.Measure"/>); the quarantine gives the
/// share of clean notes quarantined. The same holds for the unlabelled mode (<see cref="PoisonMode.Unlabelled"/>):
/// round 1 is the correction, the bait and the instruction, round 2 the chorus. Per kind and per instruction wording
/// family, the report also counts the records quarantined (and by the instruction screen) and how often the round-1
/// record aimed at a question reached that question's context.
/// </summary>
public static class PoisonBenchmark
{
    /// <summary>Runs the benchmark.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="memoryFactory">Creates a fresh memory with the guard enabled (<see langword="true"/>) or
    /// disabled.</param>
    /// <param name="options">Budget, seed, share, categories, progress.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report.</returns>
    public static async Task<PoisonReport> RunAsync(
        ConversationDataset dataset,
        Func<bool, AgentMemory> memoryFactory,
        PoisonBenchmarkOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(memoryFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.TokenBudget, 0, nameof(options));

        var pool = dataset.Conversations.SelectMany(c => c.Questions).Where(q => Selected(q, options.Categories))
            .SelectMany(q => q.Answers.Select(a => (q.Category, a))).ToList();
        var plans = dataset.Conversations
            .Select(c => PoisonGenerator.Generate(
                c, c.Questions.Where(q => Selected(q, options.Categories)).ToList(), pool, options.Seed, options.TargetShare, options.Wording, options.Mode))
            .Where(p => p.Questions.Count > 0)
            .ToList();
        Log(options, $"{plans.Sum(p => p.Targets.Count)} targeted and {plans.Sum(p => p.CleanQuestions.Count())} clean questions, "
            + $"{plans.Sum(p => p.Records.Count)} poisoned records over {plans.Count} conversations");

        var kinds = AttackKinds.Of(options.Mode);
        var families = PoisonWordings.Families(options.Wording);
        var off = new Accumulator(kinds, families);
        var on = new Accumulator(kinds, families);
        for (var c = 0; c < plans.Count; c++)
        {
            foreach (var (guard, accumulator) in new[] { (false, off), (true, on) })
            {
                var started = Stopwatch.GetTimestamp();
                var memory = memoryFactory(guard);
                try
                {
                    await RunConversationAsync(memory, plans[c], guard, accumulator, options, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await Disposal.DisposeAsync(memory).ConfigureAwait(false);
                }

                Log(options, string.Create(
                    CultureInfo.InvariantCulture,
                    $"conversation {c + 1}/{plans.Count} ({plans[c].Conversation.Id}), guard {(guard ? "on" : "off")}: {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));
            }
        }

        return new PoisonReport(dataset.Name, options.TokenBudget, options.Seed, options.TargetShare, plans.Count, off.Result(), on.Result())
        {
            Mode = options.Mode,
            Wording = options.Wording,
        };
    }

    private static async Task RunConversationAsync(
        AgentMemory memory, PoisonPlan plan, bool guard, Accumulator accumulator, PoisonBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var conversation = plan.Conversation;
        var index = new PoisonIndex(conversation, plan.Records);

        // The clean conversation, as FabricStrategy ingests it.
        foreach (var session in conversation.Sessions)
        {
            var inputs = new List<Conversation.TurnInput>(session.Turns.Count);
            for (var i = 0; i < session.Turns.Count; i++)
            {
                inputs.Add(DatasetConversation.ToTurnInput(session, i));
            }

            foreach (var chunk in inputs.Chunk(FabricStrategy.MaxBatch))
            {
                await memory.IngestAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
        }

        await memory.ConsolidateAsync(cancellationToken).ConfigureAwait(false);

        // Round 1, then (guard on) the admin confirms the quarantined poison, then round 2.
        await IngestPoisonAsync(memory, plan.Round(1), cancellationToken).ConfigureAwait(false);
        await memory.ConsolidateAsync(cancellationToken).ConfigureAwait(false);
        var confirmed = 0;
        if (guard)
        {
            foreach (var entry in await memory.GetQuarantineAsync(cancellationToken).ConfigureAwait(false))
            {
                if (IsPending(entry) && (await ClassifyAsync(memory, index, entry, cancellationToken).ConfigureAwait(false)).Poisoned)
                {
                    await memory.ConfirmAsync(entry.ItemId, cancellationToken).ConfigureAwait(false);
                    confirmed++;
                }
            }
        }

        await IngestPoisonAsync(memory, plan.Round(2), cancellationToken).ConfigureAwait(false);
        await memory.ConsolidateAsync(cancellationToken).ConfigureAwait(false);

        // The questions.
        var targeted = plan.Targets.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var queryTimeDefault = conversation.DefaultQueryTime;
        foreach (var question in plan.Questions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var context = await memory.GetContextAsync(
                new ContextRequest { Query = question.Question, TokenBudget = options.TokenBudget, QueryTime = question.Date ?? queryTimeDefault },
                cancellationToken).ConfigureAwait(false);
            var measured = EvaluationRunner.Measure(conversation, question, context, 0.0);
            if (targeted.Contains(question.Id))
            {
                var records = index.RecordsIn(context.Items);
                accumulator.Targets.Add(new TargetOutcome(question.Id, records.Select(r => r.Kind).ToHashSet(), measured.EvidenceRecall)
                {
                    AimedKinds = records.Where(r => r.QuestionId == question.Id).Select(r => r.Kind).ToHashSet(),
                });
                foreach (var aimed in plan.Records.Where(r => r.QuestionId == question.Id).GroupBy(r => r.Kind))
                {
                    accumulator.Aimed(aimed.First(), aimed.Any(records.Contains));
                }
            }
            else
            {
                accumulator.CleanRecall.Add(measured.EvidenceRecall);
                accumulator.CleanCoverage.Add(measured.AnswerCoverage);
            }
        }

        // The quarantine and the notes.
        var quarantinedPoisonTurns = new HashSet<string>(StringComparer.Ordinal);
        var screenedPoisonTurns = new HashSet<string>(StringComparer.Ordinal);
        var cleanQuarantinedNotes = new HashSet<string>(StringComparer.Ordinal);
        var quarantine = await memory.GetQuarantineAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in quarantine)
        {
            var (poisoned, turnIds) = await ClassifyAsync(memory, index, entry, cancellationToken).ConfigureAwait(false);
            if (poisoned)
            {
                quarantinedPoisonTurns.UnionWith(turnIds.Where(index.TurnIds.Contains));
                if (entry.Kind == MemoryItemKind.Turn && entry.Detector == Guard.InstructionScreen.DetectorName)
                {
                    screenedPoisonTurns.Add(entry.ItemId);
                }
            }
            else
            {
                accumulator.CleanItemsQuarantined++;
                if (entry.Kind == MemoryItemKind.Note)
                {
                    cleanQuarantinedNotes.Add(entry.ItemId);
                }
            }
        }

        var cleanNotes = new HashSet<string>(cleanQuarantinedNotes, StringComparer.Ordinal);
        foreach (var note in await memory.GetNotesAsync(includeInactive: false, cancellationToken).ConfigureAwait(false))
        {
            if (index.KindsOf(MemoryItemKind.Note, note.Text, note.Provenance.TurnIds).Count == 0)
            {
                cleanNotes.Add(note.Id);
            }
        }

        foreach (var record in plan.Records)
        {
            accumulator.Detected(record, quarantinedPoisonTurns.Contains(record.TurnId), screenedPoisonTurns.Contains(record.TurnId));
        }

        accumulator.PoisonRecords += plan.Records.Count;
        accumulator.PoisonTurnsQuarantined += quarantinedPoisonTurns.Count;
        accumulator.QuarantineEntries += quarantine.Count;
        accumulator.CleanNotes += cleanNotes.Count;
        accumulator.CleanNotesQuarantined += cleanQuarantinedNotes.Count;
        accumulator.Confirmed += confirmed;
        accumulator.Lessons += (await memory.GetLessonsAsync(cancellationToken).ConfigureAwait(false)).Count;
    }

    private static async Task IngestPoisonAsync(AgentMemory memory, IEnumerable<PoisonRecord> records, CancellationToken cancellationToken)
    {
        foreach (var session in records.GroupBy(r => r.Input.SessionId, StringComparer.Ordinal))
        {
            await memory.IngestAsync(session.Select(r => r.Input).ToList(), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<(bool Poisoned, IReadOnlyList<string> TurnIds)> ClassifyAsync(
        AgentMemory memory, PoisonIndex index, Guard.QuarantineEntry entry, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> turnIds = entry.Kind switch
        {
            MemoryItemKind.Turn => [entry.ItemId],
            MemoryItemKind.Note => (await memory.GetNoteAsync(entry.ItemId, cancellationToken).ConfigureAwait(false))?.Provenance.TurnIds ?? [],
            _ => (await memory.GetEpisodesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(e => e.Id == entry.ItemId)?.TurnIds ?? [],
        };
        return (index.KindsOf(entry.Kind, entry.Text, turnIds).Count > 0, turnIds);
    }

    private static bool IsPending(Guard.QuarantineEntry entry) => entry.Status == Guard.QuarantineStatus.Flagged;

    private static bool Selected(DatasetQuestion question, IReadOnlySet<string>? categories) =>
        categories is null || categories.Any(c => string.Equals(c.Trim(), question.Category, StringComparison.OrdinalIgnoreCase));

    private static void Log(PoisonBenchmarkOptions options, string line)
    {
        if (options.Progress is { } writer)
        {
            writer.WriteLine($"memfab eval poison: {line}");
            writer.Flush();
        }
    }

    private sealed class Accumulator(IReadOnlyList<AttackKind> kinds, IReadOnlyList<string> families)
    {
        private readonly Dictionary<AttackKind, DetectionCounter> _kinds = kinds.ToDictionary(k => k, _ => new DetectionCounter());
        private readonly Dictionary<string, DetectionCounter> _families = families.ToDictionary(f => f, _ => new DetectionCounter(), StringComparer.Ordinal);

        public List<TargetOutcome> Targets { get; } = [];

        public List<double?> CleanRecall { get; } = [];

        public List<double?> CleanCoverage { get; } = [];

        public int PoisonRecords { get; set; }

        public int PoisonTurnsQuarantined { get; set; }

        public int QuarantineEntries { get; set; }

        public int CleanNotes { get; set; }

        public int CleanNotesQuarantined { get; set; }

        public int CleanItemsQuarantined { get; set; }

        public int Confirmed { get; set; }

        public int Lessons { get; set; }

        // The record(s) of one kind aimed at a targeted question, and whether any reached that question's context.
        public void Aimed(PoisonRecord record, bool retrieved)
        {
            foreach (var counter in Counters(record))
            {
                counter.Targets++;
                counter.AimedRetrieved += retrieved ? 1 : 0;
            }
        }

        // A record, and whether it ended in quarantine (by the instruction screen, as a turn).
        public void Detected(PoisonRecord record, bool quarantined, bool screened)
        {
            foreach (var counter in Counters(record))
            {
                counter.Records++;
                counter.Quarantined += quarantined ? 1 : 0;
                counter.ScreenFlagged += screened ? 1 : 0;
            }
        }

        private IEnumerable<DetectionCounter> Counters(PoisonRecord record)
        {
            if (_kinds.TryGetValue(record.Kind, out var byKind))
            {
                yield return byKind;
            }

            if (record.Kind == AttackKind.Instruction && record.Family is { } family && _families.TryGetValue(family, out var byFamily))
            {
                yield return byFamily;
            }
        }

        public PoisonSettingResult Result()
        {
            var recall = Mean(CleanRecall);
            var coverage = Mean(CleanCoverage);
            var falseQuarantine = CleanNotes == 0 ? 0.0 : (double)CleanNotesQuarantined / CleanNotes;
            PoisonMeasures For(AttackKind? kind) =>
                new(PoisonMetrics.AsrRetrieval(Targets, kind), PoisonMetrics.AsrTakeover(Targets, kind), recall, coverage, falseQuarantine);
            return new PoisonSettingResult(
                For(null),
                kinds.ToDictionary(k => k, k => For(k)),
                new[] { (AttackKind?)null }.Concat(kinds.Select(k => (AttackKind?)k))
                    .ToDictionary(k => k is { } kk ? AttackKinds.Name(kk) : "overall", k => PoisonMetrics.AsrRetrievalAimed(Targets, k)),
                new PoisonCounts(
                    Targets.Count, CleanRecall.Count, PoisonRecords, PoisonTurnsQuarantined, QuarantineEntries,
                    CleanNotes, CleanNotesQuarantined, CleanItemsQuarantined, Confirmed, Lessons))
            {
                DetectionPerKind = _kinds.ToDictionary(p => p.Key, p => p.Value.Result()),
                InstructionFamilies = families.ToDictionary(f => f, f => _families[f].Result(), StringComparer.Ordinal),
            };
        }

        private sealed class DetectionCounter
        {
            public int Records { get; set; }

            public int Quarantined { get; set; }

            public int ScreenFlagged { get; set; }

            public int Targets { get; set; }

            public int AimedRetrieved { get; set; }

            public PoisonDetection Result() => new(Records, Quarantined, ScreenFlagged, Targets, AimedRetrieved);
        }

        private static double? Mean(List<double?> values)
        {
            var present = values.Where(v => v.HasValue).Select(v => v!.Value).ToList();
            return present.Count == 0 ? null : present.Average();
        }
    }
}
