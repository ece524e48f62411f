using System.Text.Json;

namespace MemoryFabric.Evaluation.Datasets;

/// <summary>
/// Reads the generic conversation format: <c>{"name", "conversations": [{"id", "sessions": [{"id", "date",
/// "turns": [{"id", "speaker", "text", "role"?}]}], "questions": [{"id", "question", "date"?, "answers", "evidence"?,
/// "evidence_text"?, "category"?}]}]}</c>.
/// </summary>
/// <remarks>
/// Lenient where it is harmless: missing ids are generated (<c>c1</c>, <c>s1</c>, <c>{session}:{n}</c>,
/// <c>{conversation}_q{n}</c>), <c>answer</c> is accepted for <c>answers</c>, numbers for strings, and a missing
/// category reads "uncategorized". Turn and question ids must be unique within a conversation. A turn's optional
/// <c>role</c> is <c>user</c> (the default: a person) or <c>assistant</c> (the AI assistant), case aside.
/// </remarks>
internal static class GenericDatasetReader
{
    /// <summary>The role names a turn may give: the speaker is a person or the AI assistant.</summary>
    internal const string UserRole = "user";

    /// <summary>The role name of the AI assistant's turns.</summary>
    internal const string AssistantRole = "assistant";

    private static Conversation.TurnRole Role(string? role, string path, JsonFields fields) => role?.Trim().ToLowerInvariant() switch
    {
        null or UserRole => Conversation.TurnRole.User,
        AssistantRole => Conversation.TurnRole.Assistant,
        _ => throw fields.Error(path, $"\"role\" is \"{role}\"; expected \"{UserRole}\" or \"{AssistantRole}\""),
    };

    internal static ConversationDataset Read(JsonElement root, string defaultName, JsonFields fields)
    {
        var name = fields.OptionalString(root, "name", "$");
        var list = fields.RequiredArray(root, "conversations", "$");
        var conversations = new List<DatasetConversation>();
        var c = 0;
        foreach (var item in list.EnumerateArray())
        {
            var path = $"conversations[{c}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw fields.Error(path, $"expected a conversation object, found {JsonFields.Describe(item)}");
            }

            conversations.Add(ReadConversation(item, c, path, fields));
            c++;
        }

        var duplicate = conversations.GroupBy(x => x.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw fields.Error("conversations", $"conversation id \"{duplicate.Key}\" appears {duplicate.Count()} times");
        }

        return new ConversationDataset(string.IsNullOrWhiteSpace(name) ? defaultName : name, DatasetFormat.Generic, conversations);
    }

    private static DatasetConversation ReadConversation(JsonElement item, int index, string path, JsonFields fields)
    {
        var id = fields.OptionalString(item, "id", path) ?? $"c{index + 1}";
        var sessions = new List<DatasetSession>();
        var turnIds = new HashSet<string>(StringComparer.Ordinal);
        var s = 0;
        foreach (var session in fields.RequiredArray(item, "sessions", path).EnumerateArray())
        {
            var sessionPath = $"{path}.sessions[{s}]";
            if (session.ValueKind != JsonValueKind.Object)
            {
                throw fields.Error(sessionPath, $"expected a session object, found {JsonFields.Describe(session)}");
            }

            var sessionId = fields.OptionalString(session, "id", sessionPath) ?? $"s{s + 1}";
            var date = fields.OptionalDate(session, "date", sessionPath) ?? throw fields.Error(sessionPath, "missing \"date\"");
            var turns = new List<DatasetTurn>();
            var t = 0;
            foreach (var turn in fields.RequiredArray(session, "turns", sessionPath).EnumerateArray())
            {
                var turnPath = $"{sessionPath}.turns[{t}]";
                if (turn.ValueKind != JsonValueKind.Object)
                {
                    throw fields.Error(turnPath, $"expected a turn object, found {JsonFields.Describe(turn)}");
                }

                var turnId = (fields.OptionalString(turn, "id", turnPath) ?? $"{sessionId}:{t + 1}").Trim();
                if (!turnIds.Add(turnId))
                {
                    throw fields.Error(turnPath, $"turn id \"{turnId}\" is used twice in conversation \"{id}\"");
                }

                var speaker = fields.RequiredString(turn, "speaker", turnPath);
                var text = fields.RequiredString(turn, "text", turnPath);
                if (string.IsNullOrWhiteSpace(text))
                {
                    throw fields.Error(turnPath, "\"text\" is blank");
                }

                turns.Add(new DatasetTurn(turnId, speaker, text, Role(fields.OptionalString(turn, "role", turnPath), turnPath, fields)));
                t++;
            }

            sessions.Add(new DatasetSession(sessionId, date, turns));
            s++;
        }

        var questions = new List<DatasetQuestion>();
        var questionIds = new HashSet<string>(StringComparer.Ordinal);
        var questionList = fields.OptionalArray(item, "questions", path);
        if (questionList is { } array)
        {
            var q = 0;
            foreach (var question in array.EnumerateArray())
            {
                var questionPath = $"{path}.questions[{q}]";
                if (question.ValueKind != JsonValueKind.Object)
                {
                    throw fields.Error(questionPath, $"expected a question object, found {JsonFields.Describe(question)}");
                }

                var parsed = ReadQuestion(question, id, q, questionPath, fields);
                if (!questionIds.Add(parsed.Id))
                {
                    throw fields.Error(questionPath, $"question id \"{parsed.Id}\" is used twice in conversation \"{id}\"");
                }

                questions.Add(parsed);
                q++;
            }
        }

        return new DatasetConversation(id, sessions, questions);
    }

    private static DatasetQuestion ReadQuestion(JsonElement item, string conversationId, int index, string path, JsonFields fields)
    {
        var answers = fields.StringList(item, "answers", path);
        if (answers.Count == 0)
        {
            answers = fields.StringList(item, "answer", path);
        }

        var category = fields.OptionalString(item, "category", path);
        return new DatasetQuestion(
            fields.OptionalString(item, "id", path) ?? $"{conversationId}_q{index + 1}",
            fields.RequiredString(item, "question", path),
            fields.OptionalDate(item, "date", path),
            answers,
            fields.StringList(item, "evidence", path),
            fields.StringList(item, "evidence_text", path),
            string.IsNullOrWhiteSpace(category) ? "uncategorized" : category.Trim());
    }
}
