using System.CommandLine;
using MemoryFabric.Evaluation.Poisoning;
using MemoryFabric.Guard;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab eval poison</c>: the poisoning benchmark (issue 5). Injects poisoned records aimed at chosen
/// questions into each conversation's memory, runs the fabric with the guard off and on, and reports ASR-r, ASR-t,
/// clean evidence recall and answer coverage, and the share of clean notes quarantined, overall and per attack
/// kind. <c>--wording</c> picks the instruction wording families; <c>--unlabeled</c> injects plain user turns
/// instead of weak-source records.</summary>
internal static class EvalPoisonCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var dataset = EvalCommand.DatasetOption();
        var budget = EvalCommand.BudgetOption();
        var seed = new Option<int>("--seed")
        {
            Description = "The seed of target selection and poison generation (same seed, same poison).",
            HelpName = "n",
            DefaultValueFactory = _ => 0,
        };
        var share = new Option<double>("--target-share")
        {
            Description = "The share of questions with evidence targeted per conversation (at least one).",
            HelpName = "share",
            DefaultValueFactory = _ => PoisonGenerator.DefaultTargetShare,
        };
        var output = new Option<string?>("--out")
        {
            Description = "Also write the results as JSON to this file.",
            HelpName = "path",
        };
        var embedder = new Option<string>("--embedder")
        {
            Description = "The fabric's embedder: hashing (default), auto, minilm, arctic-xs or openai (as memfab eval).",
            HelpName = "hashing|auto|minilm|arctic-xs|openai",
            DefaultValueFactory = _ => "hashing",
        };
        embedder.AcceptOnlyFromAmong("auto", "minilm", "arctic-xs", "hashing", "openai");
        var wording = new Option<string>("--wording")
        {
            Description = "The instruction wording families: unseen (default: held-out families written without regard to the screen's rules), "
                + "seen (the original wordings, which the screen was written against; reproduces earlier figures) or all.",
            HelpName = "unseen|seen|all",
            DefaultValueFactory = _ => "unseen",
        };
        wording.AcceptOnlyFromAmong("unseen", "seen", "all");
        var unlabeled = new Option<bool>("--unlabeled", "--unlabelled")
        {
            Description = "Inject plain user turns (no source, no trust) by new speakers instead of weak-source records: "
                + "a third party's correction, retrieval bait, an instruction and a chorus of new voices days apart.",
        };

        var cleanMultiparty = new Option<bool>("--clean-multiparty")
        {
            Description = "Instead of poisoning: feed every conversation to one agent (many speakers), as sessions and one turn per session, "
                + "and count what the guard quarantines (all of it clean) and the evidence recall off and on.",
        };

        var quiet = ProgressDisplay.QuietOption();
        var command = new Command("poison", "Poisoning benchmark: inject poisoned records aimed at chosen questions and measure the attack with the guard off and on.")
        {
            dataset, budget, seed, share, output, embedder, wording, unlabeled, cleanMultiparty, quiet,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            return await RunAsync(
                parseResult.GetValue(dataset)!,
                parseResult.GetValue(budget),
                parseResult.GetValue(seed),
                parseResult.GetValue(share),
                parseResult.GetValue(output),
                parseResult.GetValue(embedder) ?? "hashing",
                PoisonWordings.ParseSelection(parseResult.GetValue(wording) ?? "unseen"),
                parseResult.GetValue(unlabeled) ? PoisonMode.Unlabelled : PoisonMode.Labelled,
                parseResult.GetValue(cleanMultiparty),
                parseResult.GetValue(quiet),
                stdout,
                stderr,
                cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        string datasetPath, int budget, int seed, double share, string? outPath, string embedderName, WordingSelection wording, PoisonMode mode, bool cleanMultiparty, bool quiet, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        EvalCommand.CheckBudget(budget);

        if (!(share > 0 && share <= 1))
        {
            throw new UsageException($"--target-share must be in (0, 1] (got {share})");
        }

        var data = EvalCommand.ReadDataset(datasetPath);
        var selected = await EmbedderChoice.CreateAsync(embedderName, new LineProgress(stderr, "memfab eval poison: "), cancellationToken).ConfigureAwait(false);
        using var embeddingGenerator = selected.Generator;
        var categories = EvalCommand.DefaultCategories(data);
        await stderr.WriteLineAsync(
            $"memfab eval poison: {data.Name} ({data.Format}): {data.Conversations.Count} conversations, {data.QuestionCount} questions; "
            + $"budget {budget}; seed {seed}; embedder {selected.Name}; {AttackKinds.Name(mode)} records; instruction wordings {PoisonWordings.Name(wording)}"
            + (categories is null ? string.Empty : $"; categories {string.Join(",", categories.Order(StringComparer.Ordinal))}")).ConfigureAwait(false);

        if (cleanMultiparty)
        {
            // The benchmark reports no steps: a spinner with the elapsed time, its lines above it.
            var results = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, quiet), ProgressStyle.Spinners, async display =>
            {
                var list = new List<CleanMultipartyResult>();
                foreach (var layout in new[] { CleanStreamLayout.Sessions, CleanStreamLayout.SingleTurns })
                {
                    var spinner = display.Start($"eval poison: clean multi-party ({layout})");
                    list.Add(await CleanMultiparty.RunAsync(
                        data,
                        guard => new AgentMemory(new AgentMemoryOptions { Guard = new MemoryGuardOptions { Enabled = guard } }, embeddingGenerator: embeddingGenerator),
                        new PoisonBenchmarkOptions { TokenBudget = budget, Categories = categories, Progress = display.Log },
                        layout,
                        cancellationToken).ConfigureAwait(false));
                    spinner.Complete();
                }

                return list;
            }).ConfigureAwait(false);

            await stdout.WriteAsync(CleanMultiparty.ToMarkdown(results)).ConfigureAwait(false);
            if (outPath is { } cleanPath)
            {
                await CleanMultiparty.WriteJsonAsync(results, cleanPath, cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }

        var report = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, quiet), ProgressStyle.Spinners, display =>
        {
            display.Start("eval poison: guard off and on");
            return PoisonBenchmark.RunAsync(
                data,
                guard => new AgentMemory(new AgentMemoryOptions { Guard = new MemoryGuardOptions { Enabled = guard } }, embeddingGenerator: embeddingGenerator),
                new PoisonBenchmarkOptions
                {
                    TokenBudget = budget, Seed = seed, TargetShare = share, Categories = categories, Progress = display.Log, Mode = mode, Wording = wording,
                },
                cancellationToken);
        }).ConfigureAwait(false);
        report = report with { Embedder = selected.Name };

        await stdout.WriteAsync(PoisonReportWriter.ToMarkdown(report)).ConfigureAwait(false);
        if (outPath is { } path)
        {
            try
            {
                await PoisonReportWriter.WriteJsonAsync(report, path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"memfab: cannot write {path}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await stderr.WriteLineAsync($"memfab eval poison: results written to {path}").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
