using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Metrics;
using MemoryFabric.Evaluation.Tests.Support;

namespace MemoryFabric.Evaluation.Tests.Datasets;

/// <summary>Checks the reader against the shared LoCoMo dev set (<c>../shared/datasets/locomo/locomo-dev.json</c>
/// next to the repository). When the file is absent the test is reported as skipped, with the reason.</summary>
public class LocomoDevDatasetTests
{
    [SkippableFact]
    public void Reads_the_locomo_dev_set_with_the_expected_counts()
    {
        var path = RepositoryPaths.RequireLocomoDev();
        var dataset = DatasetReader.Read(path);

        Assert.Equal(DatasetFormat.Locomo, dataset.Format);
        Assert.Equal(7, dataset.Conversations.Count);
        Assert.Equal(4124, dataset.TurnCount);
        Assert.Equal(1347, dataset.QuestionCount);
        var questions = dataset.Conversations.SelectMany(c => c.Questions).ToList();
        Assert.Equal(1035, questions.Count(q => q.Category is "1" or "2" or "3" or "4"));
        Assert.Equal(312, questions.Count(q => q.Category == "5"));
        Assert.All(questions, q => Assert.NotEmpty(q.Answers));

        // Malformed evidence is read leniently: "D:11:26" and "D8:6; D9:17" are readable, "D" is dropped; two
        // questions of categories 1-4 cite no evidence at all and are left out of the evidence-recall mean.
        var all = questions.SelectMany(q => q.Evidence).ToList();
        Assert.Contains("D:11:26", all);
        Assert.Contains("D8:6; D9:17", all);
        Assert.Contains("D", all);
        var scored = questions.Where(q => q.Category is "1" or "2" or "3" or "4").ToList();
        Assert.Equal(1033, scored.Count(q => EvidenceIds.Parse(q.Evidence).Count > 0));

        // conv-26 lists dates of sessions 20-35 without their turns: only real sessions are read.
        var conv26 = dataset.Conversations.Single(c => c.Id == "conv-26");
        Assert.Equal(19, conv26.Sessions.Count);
        Assert.All(dataset.Conversations.SelectMany(c => c.Sessions), s => Assert.NotEmpty(s.Turns));
    }
}
