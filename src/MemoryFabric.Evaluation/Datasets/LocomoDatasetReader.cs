using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MemoryFabric.Evaluation.Datasets;

/// <summary>
/// Reads LoCoMo's own format: samples with <c>sample_id</c>, <c>conversation</c> (<c>session_N</c> turn lists and
/// <c>session_N_date_time</c> such as "1:56 pm on 8 May, 2023") and <c>qa</c>.
/// </summary>
/// <remarks>
/// A <c>session_N_date_time</c> without a <c>session_N</c> list is skipped. A turn with a <c>blip_caption</c> reads
/// <c>"{text} [image: {caption}]"</c>. A numeric answer is kept as written; a category-5 (adversarial) item without
/// <c>answer</c> takes its <c>adversarial_answer</c>. Question ids are <c>{sample_id}_qa{index}</c> (0-based) and
/// question dates are <see langword="null"/> (asked after the last session).
/// </remarks>
public static partial class LocomoDatasetReader
{
    private static readonly string[] DateFormats =
    [
        "h:mm tt 'on' d MMMM, yyyy",
        "h:mm tt 'on' d MMMM yyyy",
        "h:mm tt 'on' d MMM, yyyy",
        "h:mm tt 'on' d MMM yyyy",
        "d MMMM, yyyy",
        "d MMMM yyyy",
    ];

    /// <summary>Parses a LoCoMo session date such as "1:56 pm on 8 May, 2023" (read as UTC).</summary>
    /// <param name="text">The date text.</param>
    /// <param name="date">The date, when it could be read.</param>
    /// <returns>Whether the text could be read.</returns>
    public static bool TryParseSessionDate(string? text, out DateTimeOffset date)
    {
        date = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var normalized = Whitespace().Replace(text.Trim(), " ");
        if (DateTime.TryParseExact(normalized, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var parsed))
        {
            date = new DateTimeOffset(DateTime.SpecifyKind(parsed, DateTimeKind.Unspecified), TimeSpan.Zero);
            return true;
        }

        return false;
    }

    internal static ConversationDataset Read(JsonElement root, string name, JsonFields fields)
    {
        var conversations = new List<DatasetConversation>();
        var index = 0;
        foreach (var sample in root.EnumerateArray())
        {
            var path = $"[{index}]";
            if (sample.ValueKind != JsonValueKind.Object || !sample.TryGetProperty("conversation", out _) || !sample.TryGetProperty("qa", out _))
            {
                throw fields.Error(path, $"not a LoCoMo sample (expected an object with \"conversation\" and \"qa\"), found {JsonFields.Describe(sample)}");
            }

            conversations.Add(ReadSample(sample, index, path, fields));
            index++;
        }

        EnsureUniqueIds(conversations, fields);
        return new ConversationDataset(name, DatasetFormat.Locomo, conversations);
    }

    internal static ConversationDataset ReadSingle(JsonElement sample, string name, JsonFields fields) =>
        new(name, DatasetFormat.Locomo, [ReadSample(sample, 0, "$", fields)]);

    private static DatasetConversation ReadSample(JsonElement sample, int index, string path, JsonFields fields)
    {
        var id = fields.OptionalString(sample, "sample_id", path) ?? $"conv-{index}";
        var conversation = fields.RequiredObject(sample, "conversation", path);
        var sessions = ReadSessions(conversation, $"{path}.conversation", fields);
        var qa = fields.RequiredArray(sample, "qa", path);
        var questions = new List<DatasetQuestion>();
        var q = 0;
        foreach (var item in qa.EnumerateArray())
        {
            questions.Add(ReadQuestion(item, id, q, $"{path}.qa[{q}]", fields));
            q++;
        }

        return new DatasetConversation(id, sessions, questions);
    }

    private static List<DatasetSession> ReadSessions(JsonElement conversation, string path, JsonFields fields)
    {
        var numbered = new List<(int Number, JsonElement Turns)>();
        foreach (var property in conversation.EnumerateObject())
        {
            var match = SessionKey().Match(property.Name);
            if (match.Success && property.Value.ValueKind == JsonValueKind.Array)
            {
                numbered.Add((int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), property.Value));
            }
        }

        numbered.Sort(static (a, b) => a.Number.CompareTo(b.Number));
        var sessions = new List<DatasetSession>(numbered.Count);
        foreach (var (number, turnsElement) in numbered)
        {
            var key = $"session_{number}";
            var dateKey = $"{key}_date_time";
            var dateText = fields.OptionalString(conversation, dateKey, path)
                ?? throw fields.Error($"{path}.{key}", $"has no \"{dateKey}\"");
            if (!TryParseSessionDate(dateText, out var date))
            {
                throw fields.Error($"{path}.{dateKey}", $"\"{dateText}\" is not a LoCoMo date (expected e.g. \"1:56 pm on 8 May, 2023\")");
            }

            var turns = new List<DatasetTurn>();
            var t = 0;
            foreach (var turn in turnsElement.EnumerateArray())
            {
                var turnPath = $"{path}.{key}[{t}]";
                var turnId = fields.RequiredString(turn, "dia_id", turnPath).Trim();
                var speaker = fields.RequiredString(turn, "speaker", turnPath);
                var text = fields.OptionalString(turn, "text", turnPath) ?? string.Empty;
                var caption = fields.OptionalString(turn, "blip_caption", turnPath);
                if (!string.IsNullOrWhiteSpace(caption))
                {
                    text = text.Length == 0 ? $"[image: {caption}]" : $"{text} [image: {caption}]";
                }

                if (string.IsNullOrWhiteSpace(text))
                {
                    throw fields.Error(turnPath, $"turn {turnId} has no text");
                }

                turns.Add(new DatasetTurn(turnId, speaker, text));
                t++;
            }

            sessions.Add(new DatasetSession(key, date, turns));
        }

        if (sessions.Count == 0)
        {
            throw fields.Error(path, "has no session_N turn lists");
        }

        return sessions;
    }

    private static DatasetQuestion ReadQuestion(JsonElement item, string sampleId, int index, string path, JsonFields fields)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw fields.Error(path, $"expected a QA object, found {JsonFields.Describe(item)}");
        }

        var question = fields.RequiredString(item, "question", path);
        var answer = fields.OptionalString(item, "answer", path);
        if (string.IsNullOrWhiteSpace(answer))
        {
            answer = fields.OptionalString(item, "adversarial_answer", path);
        }

        var category = fields.OptionalString(item, "category", path);
        return new DatasetQuestion(
            $"{sampleId}_qa{index}",
            question,
            Date: null,
            Answers: string.IsNullOrWhiteSpace(answer) ? [] : [answer],
            Evidence: fields.StringList(item, "evidence", path),
            EvidenceText: [],
            Category: string.IsNullOrWhiteSpace(category) ? "uncategorized" : category.Trim());
    }

    private static void EnsureUniqueIds(List<DatasetConversation> conversations, JsonFields fields)
    {
        var duplicate = conversations.GroupBy(c => c.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw fields.Error("$", $"sample_id \"{duplicate.Key}\" appears {duplicate.Count()} times");
        }
    }

    [GeneratedRegex(@"^session_(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex SessionKey();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
