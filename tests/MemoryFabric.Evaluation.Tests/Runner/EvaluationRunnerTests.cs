using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Strategies;
using MemoryFabric.Evaluation.Tests.Support;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation.Tests.Runner;

public class EvaluationRunnerTests
{
    [Fact]
    public async Task Runs_every_strategy_on_the_sample_with_a_fake_memory()
    {
        var dataset = DatasetReader.Read(RepositoryPaths.DemoConversation);
        var memories = new List<FakeAgentMemory>();
        var definitions = StrategyCatalog.Create(() =>
        {
            var memory = new FakeAgentMemory();
            memories.Add(memory);
            return memory;
        });
        var progress = new StringWriter();

        var report = await EvaluationRunner.RunAsync(dataset, definitions, new EvaluationOptions { TokenBudget = 300, Progress = progress });

        Assert.Equal("demo-conversation", report.Dataset);
        Assert.Equal(300, report.Budget);
        Assert.Empty(report.Failures);
        Assert.Equal(StrategyNames.All, report.Strategies.Keys);
        foreach (var (name, result) in report.Strategies)
        {
            Assert.Equal(6, result.Questions);
            Assert.Equal(6, result.QuestionsWithEvidence);
            Assert.InRange(result.EvidenceRecall!.Value, 0, 1);
            Assert.InRange(result.AnswerCoverage!.Value, 0, 1);
            Assert.NotNull(result.EvidenceTextCoverage);
            Assert.True(result.SearchP99Ms >= result.SearchP50Ms, name);
            Assert.Equal(["knowledge-update", "multi-hop", "preference", "temporal"], result.PerCategory.Keys);
            Assert.Equal(6, result.PerCategory.Values.Sum(c => c.Questions));
        }

        var full = report.Strategies["full"];
        Assert.Equal(1.0, full.EvidenceRecall);
        Assert.True(full.MeanContextTokens > 300);
        Assert.All(report.Strategies.Where(s => s.Key != "full"), s => Assert.Equal(0, s.Value.OverBudget));
        Assert.Equal(["full"], report.UnbudgetedStrategies);

        // The fabric strategy: one fresh memory, one ingest per session with every turn, one consolidation, one
        // untimed warm-up request (the first question again, not measured), then one context request per question
        // with the budget and the query time.
        var memory = Assert.Single(memories);
        Assert.Equal([10, 10, 10], memory.IngestBatchSizes);
        Assert.Equal(1, memory.Consolidations);
        Assert.Equal(7, memory.Requests.Count);
        Assert.Equal(memory.Requests[0], memory.Requests[1]);
        Assert.All(memory.Requests, r => Assert.Equal(300, r.TokenBudget));
        Assert.Equal(new DateTimeOffset(2024, 6, 3, 9, 0, 0, TimeSpan.Zero), memory.Requests[6].QueryTime);
        Assert.All(memory.Requests.Take(6), r => Assert.True(r.QueryTime > new DateTimeOffset(2024, 6, 2, 20, 0, 0, TimeSpan.Zero)));
        var first = memory.Turns[0];
        Assert.Equal("s1:1", first.Id);
        Assert.Equal("s1", first.SessionId);
        Assert.Equal("Priya", first.Speaker);
        Assert.Equal(new DateTimeOffset(2024, 3, 4, 18, 30, 0, TimeSpan.Zero), first.Timestamp);
        Assert.Equal(first.Timestamp.AddSeconds(9), memory.Turns[9].Timestamp);

        Assert.Contains("fabric: conversation 1/1 (priya-tom)", progress.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_questions_by_category()
    {
        var dataset = DatasetReader.Read(RepositoryPaths.DemoConversation);
        var definitions = StrategyCatalog.Select(StrategyCatalog.Create(() => new FakeAgentMemory()), ["bm25-turns"]);

        var report = await EvaluationRunner.RunAsync(
            dataset,
            definitions,
            new EvaluationOptions { Categories = new HashSet<string> { "Temporal" } });

        var result = report.Strategies["bm25-turns"];
        Assert.Equal(2, result.Questions);
        Assert.Equal(["temporal"], result.PerCategory.Keys);
    }

    [Fact]
    public async Task Computes_the_metrics_from_what_the_strategy_returns()
    {
        var dataset = new ConversationDataset("tiny", DatasetFormat.Generic, [TinyConversation.Create()]);
        var context = new MemoryContext(
            "Caroline went to the support group on 7 May 2023.",
            [new ContextItem(MemoryItemKind.Note, "n1", "Caroline went to the support group on 7 May 2023.", TinyConversation.Day1, ["D1:3", "D1:1"], 1)],
            12,
            "retrieved");
        var definition = new StrategyDefinition("canned", "always the same", () => new CannedStrategy(context));

        var report = await EvaluationRunner.RunAsync(dataset, [definition], new EvaluationOptions());

        var result = report.Strategies["canned"];
        Assert.Equal(2, result.Questions);
        Assert.Equal(0.5, result.EvidenceRecall);     // (1 + 0) / 2
        Assert.Equal(0.5, result.AnswerCoverage);     // "7 May 2023" fully, "pottery" not at all
        Assert.Null(result.EvidenceTextCoverage);
        Assert.Equal(13, result.MeanContextTokens);   // measured from the text (50 chars), not trusted from the strategy
        Assert.Equal(1.0, result.PerCategory["2"].EvidenceRecall);
        Assert.Equal(0.0, result.PerCategory["4"].AnswerCoverage);
    }

    [Fact]
    public async Task A_failing_strategy_is_reported_and_the_others_still_run()
    {
        var dataset = DatasetReader.Read(RepositoryPaths.DemoConversation);
        var definitions = new List<StrategyDefinition>
        {
            new("broken", "throws", () => throw new NotImplementedException("not yet")),
            StrategyCatalog.Create(() => new FakeAgentMemory()).Single(d => d.Name == "recent"),
        };

        var report = await EvaluationRunner.RunAsync(dataset, definitions, new EvaluationOptions());

        Assert.Equal(["recent"], report.Strategies.Keys);
        Assert.Contains("not yet", report.Failures["broken"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_stops_the_run()
    {
        var dataset = DatasetReader.Read(RepositoryPaths.DemoConversation);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            EvaluationRunner.RunAsync(dataset, StrategyCatalog.Create(() => new FakeAgentMemory()), new EvaluationOptions(), cts.Token));
    }

    private sealed class CannedStrategy(MemoryContext context) : IContextStrategy
    {
        public Task IngestAsync(DatasetConversation conversation, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<MemoryContext> GetContextAsync(string question, DateTimeOffset queryTime, int tokenBudget, CancellationToken cancellationToken) =>
            Task.FromResult(context);
    }
}
