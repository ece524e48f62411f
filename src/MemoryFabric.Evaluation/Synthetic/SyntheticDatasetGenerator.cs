using System.Globalization;
using MemoryFabric.Evaluation.Datasets;

namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>
/// Generates evaluation datasets in other conversation styles than LoCoMo's (see <see cref="SyntheticStyle"/>), with
/// gold evidence turn ids, evidence statements, answers, categories and question dates, from seeded draws over word
/// lists and many phrasings per fact and per question. Deterministic: the same options give the same dataset.
/// </summary>
public static class SyntheticDatasetGenerator
{
    /// <summary>The question categories of a style, in report order.</summary>
    /// <param name="style">The style.</param>
    /// <returns>The categories.</returns>
    public static IReadOnlyList<string> Categories(SyntheticStyle style) =>
        style == SyntheticStyle.Assistant ? AssistantStyleGenerator.Categories : ChatStyleGenerator.Categories;

    /// <summary>Generates a dataset.</summary>
    /// <param name="options">What to generate.</param>
    /// <returns>The dataset, named <c>{style}-seed{seed}</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    public static ConversationDataset Generate(SyntheticDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Conversations, 1, nameof(options.Conversations));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Conversations, 100, nameof(options.Conversations));
        var sessions = options.Sessions ?? (options.Style == SyntheticStyle.Assistant ? 26 : 30);
        ArgumentOutOfRangeException.ThrowIfLessThan(sessions, 12, nameof(options.Sessions));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sessions, 200, nameof(options.Sessions));

        var style = options.Style == SyntheticStyle.Assistant ? "assistant" : "chat";
        var root = new SeededRandom(unchecked((ulong)options.Seed * 0x9E3779B97F4A7C15UL) ^ (options.Style == SyntheticStyle.Assistant ? 0xA5A5UL : 0x5A5AUL));
        var conversations = new List<DatasetConversation>(options.Conversations);
        for (var c = 0; c < options.Conversations; c++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"{style}-{c + 1}");
            var random = root.Fork(id);
            var start = new DateTimeOffset(2023, 1, 2, 9, 0, 0, TimeSpan.Zero).AddDays(random.Next(0, 500)).AddHours(random.Next(0, 12));
            conversations.Add(options.Style == SyntheticStyle.Assistant
                ? AssistantStyleGenerator.Generate(random, id, sessions, start)
                : ChatStyleGenerator.Generate(random, id, sessions, start));
        }

        return new ConversationDataset(string.Create(CultureInfo.InvariantCulture, $"{style}-seed{options.Seed}"), DatasetFormat.Generic, conversations);
    }
}
