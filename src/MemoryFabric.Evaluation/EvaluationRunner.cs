using System.Diagnostics;
using System.Globalization;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Metrics;
using MemoryFabric.Evaluation.Reporting;
using MemoryFabric.Evaluation.Strategies;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation;

/// <summary>
/// Runs strategies side by side over a dataset: for each strategy and each conversation, a fresh strategy instance
/// ingests the conversation (timed), then every selected question is asked under the same token budget (each call
/// timed) and measured (<see cref="MemoryMetrics"/>).
/// </summary>
public static class EvaluationRunner
{
    /// <summary>Runs the evaluation.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="strategies">The strategies, in report order.</param>
    /// <param name="options">The budget, the categories and where progress goes.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report. A strategy that throws is reported in <see cref="EvaluationReport.Failures"/> (and on
    /// the progress writer) and the run goes on with the next one.</returns>
    public static async Task<EvaluationReport> RunAsync(
        ConversationDataset dataset,
        IReadOnlyList<StrategyDefinition> strategies,
        EvaluationOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(strategies);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.TokenBudget, 0, nameof(options));

        var selected = dataset.Conversations
            .Select(c => (Conversation: c, Questions: c.Questions.Where(q => Selected(q, options.Categories)).ToList()))
            .ToList();
        var results = new Dictionary<string, StrategyResult>(StringComparer.Ordinal);
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var strategy in strategies)
        {
            try
            {
                results[strategy.Name] = await RunStrategyAsync(strategy, selected, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures[strategy.Name] = $"{e.GetType().Name}: {e.Message}";
                Log(options, $"{strategy.Name}: FAILED: {e.GetType().Name}: {e.Message}");
            }
        }

        return new EvaluationReport(dataset.Name, options.TokenBudget, results)
        {
            Categories = options.Categories?.Order(CategoryOrder.Instance).ToList(),
            Failures = failures,
            UnbudgetedStrategies = strategies.Where(s => s.IgnoresBudget).Select(s => s.Name).ToList(),
        };
    }

    private static async Task<StrategyResult> RunStrategyAsync(
        StrategyDefinition definition,
        List<(DatasetConversation Conversation, List<DatasetQuestion> Questions)> conversations,
        EvaluationOptions options,
        CancellationToken cancellationToken)
    {
        var questionResults = new List<QuestionResult>();
        var ingestSeconds = 0.0;
        var started = Stopwatch.GetTimestamp();
        var warmedUp = false;
        var total = conversations.Sum(c => c.Questions.Count);
        var answered = 0;
        options.QuestionProgress?.Report(new EvaluationProgress(definition.Name, answered, total));
        for (var c = 0; c < conversations.Count; c++)
        {
            var (conversation, questions) = conversations[c];
            if (questions.Count == 0)
            {
                Log(options, $"{definition.Name}: conversation {c + 1}/{conversations.Count} ({conversation.Id}): no selected questions, skipped");
                continue;
            }

            var strategy = definition.Create();
            try
            {
                var ingestStart = Stopwatch.GetTimestamp();
                await strategy.IngestAsync(conversation, cancellationToken).ConfigureAwait(false);
                var ingest = Stopwatch.GetElapsedTime(ingestStart).TotalSeconds;
                ingestSeconds += ingest;
                Log(options, string.Create(
                    CultureInfo.InvariantCulture,
                    $"{definition.Name}: conversation {c + 1}/{conversations.Count} ({conversation.Id}), {conversation.TurnCount} turns ingested in {ingest:0.00} s, {questions.Count} questions"));

                var queryTimeDefault = conversation.DefaultQueryTime;
                if (!warmedUp)
                {
                    // One untimed, unmeasured question first, so that JIT compilation is not counted as search latency.
                    await strategy.GetContextAsync(questions[0].Question, questions[0].Date ?? queryTimeDefault, options.TokenBudget, cancellationToken).ConfigureAwait(false);
                    warmedUp = true;
                }

                foreach (var question in questions)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var queryStart = Stopwatch.GetTimestamp();
                    var context = await strategy.GetContextAsync(question.Question, question.Date ?? queryTimeDefault, options.TokenBudget, cancellationToken).ConfigureAwait(false);
                    var latency = Stopwatch.GetElapsedTime(queryStart).TotalMilliseconds;
                    var measured = Measure(conversation, question, context, latency);
                    questionResults.Add(measured);
                    if (options.QuestionDetails is { } details)
                    {
                        var covered = MemoryMetrics.CoveredTurnIds(context.Items);
                        var missed = EvidenceIds.Parse(question.Evidence).Where(id => !covered.Contains(id)).ToList();
                        details(new QuestionDetail(definition.Name, question, measured, missed, context));
                    }

                    options.QuestionProgress?.Report(new EvaluationProgress(definition.Name, ++answered, total));
                }
            }
            finally
            {
                await Disposal.DisposeAsync(strategy).ConfigureAwait(false);
            }
        }

        var result = ResultAggregator.Aggregate(questionResults, ingestSeconds, options.TokenBudget);
        Log(options, string.Create(
            CultureInfo.InvariantCulture,
            $"{definition.Name}: done, {result.Questions} questions in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));
        if (result.OverBudget > 0 && !definition.IgnoresBudget)
        {
            Log(options, $"{definition.Name}: WARNING: {result.OverBudget} contexts exceeded the {options.TokenBudget}-token budget");
        }

        return result;
    }

    /// <summary>Measures one context against one question.</summary>
    /// <param name="conversation">The conversation.</param>
    /// <param name="question">The question.</param>
    /// <param name="context">The context a strategy returned.</param>
    /// <param name="latencyMs">How long the strategy took.</param>
    /// <returns>The measures.</returns>
    public static QuestionResult Measure(DatasetConversation conversation, DatasetQuestion question, MemoryContext context, double latencyMs)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(context);
        var covered = MemoryMetrics.CoveredTurnIds(context.Items);
        var words = MemoryMetrics.ContextWords(context.Text);
        return new QuestionResult(
            conversation.Id,
            question.Id,
            question.Category,
            MemoryMetrics.EvidenceRecall(EvidenceIds.Parse(question.Evidence), covered),
            MemoryMetrics.AnswerCoverage(question.Answers, words),
            MemoryMetrics.EvidenceTextCoverage(question.EvidenceText, words),
            MemoryMetrics.Tokens(context.Text),
            latencyMs);
    }

    private static bool Selected(DatasetQuestion question, IReadOnlySet<string>? categories) =>
        categories is null || categories.Any(c => string.Equals(c.Trim(), question.Category, StringComparison.OrdinalIgnoreCase));

    private static void Log(EvaluationOptions options, string line)
    {
        if (options.Progress is { } writer)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
