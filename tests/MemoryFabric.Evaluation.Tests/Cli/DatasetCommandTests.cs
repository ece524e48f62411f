using MemoryFabric.Cli;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Synthetic;
using MemoryFabric.Evaluation.Tests.Support;

namespace MemoryFabric.Evaluation.Tests.Cli;

public class DatasetCommandTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("chat", SyntheticStyle.Chat)]
    [InlineData("assistant", SyntheticStyle.Assistant)]
    public async Task Generate_writes_the_generators_dataset_and_says_what_it_wrote(string styleName, SyntheticStyle style)
    {
        var path = Path.Combine(Path.GetTempPath(), $"memfab-dataset-{Guid.NewGuid():N}", "out.json");
        try
        {
            var (code, output, error) = await RunAsync("dataset", "generate", "--style", styleName, "--seed", "3", "--conversations", "1", "--sessions", "14", "--out", path);

            Assert.Equal(0, code);
            Assert.Equal(string.Empty, output);
            var expected = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Style = style, Seed = 3, Conversations = 1, Sessions = 14 });
            Assert.Equal(GenericDatasetWriter.ToJson(expected), await File.ReadAllTextAsync(path));
            Assert.Contains($"wrote {path}: {styleName}-seed3, 1 conversations, {expected.TurnCount} turns, {expected.QuestionCount} questions", error, StringComparison.Ordinal);
            Assert.Equal(expected.QuestionCount, DatasetReader.Read(path).QuestionCount);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("dataset", "generate", "--style", "forum", "--out", "x.json")]
    [InlineData("dataset", "generate", "--style", "chat")]
    [InlineData("dataset", "generate", "--out", "x.json")]
    [InlineData("dataset", "generate", "--style", "chat", "--conversations", "0", "--out", "x.json")]
    [InlineData("dataset", "generate", "--style", "chat", "--sessions", "5", "--out", "x.json")]
    [InlineData("dataset", "generate", "--style", "chat", "--seed", "one", "--out", "x.json")]
    public async Task Bad_input_gives_one_line_on_stderr_and_exit_code_2(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("memfab: ", line, StringComparison.Ordinal);
        Assert.False(File.Exists("x.json"));
    }

    [Theory]
    [InlineData("assistant-seed1.json", SyntheticStyle.Assistant)]
    [InlineData("chat-seed1.json", SyntheticStyle.Chat)]
    public void The_checked_in_datasets_are_what_the_generator_writes(string file, SyntheticStyle style)
    {
        // datasets/README.md: memfab dataset generate --style {assistant|chat} --seed 1 --conversations 6
        var path = RepositoryPaths.FindUpwards(Path.Combine("datasets", file));
        Assert.True(path is not null, $"datasets/{file} not found above {AppContext.BaseDirectory}");

        var expected = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Style = style, Seed = 1, Conversations = 6 });

        Assert.Equal(GenericDatasetWriter.ToJson(expected), File.ReadAllText(path!));
    }
}
