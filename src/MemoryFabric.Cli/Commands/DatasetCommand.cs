using System.CommandLine;
using System.Globalization;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Synthetic;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab dataset</c>: evaluation datasets. <c>memfab dataset generate</c> writes a seeded synthetic
/// dataset in another conversation style than LoCoMo's, in the generic format <c>memfab eval</c> reads.</summary>
internal static class DatasetCommand
{
    /// <summary>Builds the command and its subcommands.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("dataset", "Evaluation datasets: generate seeded yardsticks in other conversation styles.");
        command.Subcommands.Add(CreateGenerate());
        return command;
    }

    private static Command CreateGenerate()
    {
        var style = new Option<string>("--style")
        {
            Description = "assistant: a user asks an assistant for help over many sessions (long requests with facts in passing, "
                + "long answers, facts that change); chat: two friends, 20+ sessions of short messages (typos, slang, photos, "
                + "facts over several messages, implied facts, nicknames).",
            HelpName = "assistant|chat",
            Required = true,
        };
        style.AcceptOnlyFromAmong("assistant", "chat");
        var seed = new Option<int>("--seed") { Description = "The seed: the same seed and options give the same file, byte for byte.", HelpName = "n", DefaultValueFactory = _ => 1 };
        var conversations = new Option<int>("--conversations") { Description = "The number of conversations (1-100).", HelpName = "k", DefaultValueFactory = _ => 4 };
        var sessions = new Option<int?>("--sessions") { Description = "Sessions per conversation (12-200; default: assistant 26, chat 30).", HelpName = "n" };
        var output = new Option<string>("--out") { Description = "The file to write (the generic format, see docs/datasets.md).", HelpName = "path", Required = true };
        var command = new Command("generate", "Write a seeded synthetic dataset (assistant-style sessions or two-friend chats) with gold evidence turn ids.")
        {
            style, seed, conversations, sessions, output,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stderr = parseResult.InvocationConfiguration.Error;
            var options = new SyntheticDatasetOptions
            {
                Style = parseResult.GetValue(style) == "chat" ? SyntheticStyle.Chat : SyntheticStyle.Assistant,
                Seed = parseResult.GetValue(seed),
                Conversations = InRange(parseResult.GetValue(conversations), 1, 100, "--conversations"),
                Sessions = parseResult.GetValue(sessions) is { } n ? InRange(n, 12, 200, "--sessions") : null,
            };
            var path = parseResult.GetValue(output)!;
            var dataset = SyntheticDatasetGenerator.Generate(options);
            try
            {
                var directory = Path.GetDirectoryName(Path.GetFullPath(path));
                if (!string.IsNullOrEmpty(directory))
                {
                    Directory.CreateDirectory(directory);
                }

                await using var stream = File.Create(path);
                GenericDatasetWriter.Write(dataset, stream);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"memfab: cannot write {path}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var categories = dataset.Conversations.SelectMany(c => c.Questions).GroupBy(q => q.Category)
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}"));
            await stderr.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"memfab dataset: wrote {path}: {dataset.Name}, {dataset.Conversations.Count} conversations, {dataset.TurnCount} turns, {dataset.QuestionCount} questions ({string.Join(", ", categories)})")).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static int InRange(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new UsageException($"{name} must be between {min} and {max} (got {value})");
}
