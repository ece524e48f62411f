using System.Globalization;
using System.Text.Json;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric.Extraction.Chat;

/// <summary>Reads a model's <c>{"notes":[...]}</c> reply tolerantly and keeps only the notes that pass validation.</summary>
internal static class ChatNoteParser
{
    /// <summary>The longest note text kept.</summary>
    public const int MaxTextLength = 1000;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Parses a reply.</summary>
    /// <param name="reply">The model's reply text.</param>
    /// <param name="turns">The turns the notes may cite, by id.</param>
    /// <param name="notes">The valid notes, when the reply could be read.</param>
    /// <param name="error">Why the reply could not be read, otherwise <see langword="null"/>.</param>
    /// <returns>Whether the reply could be read (its notes may still all have been dropped).</returns>
    public static bool TryParse(string? reply, IReadOnlyDictionary<string, Turn> turns, out List<NoteWrite> notes, out string? error)
    {
        notes = [];
        string? json = FindOutermostJson(reply);
        if (json is null)
        {
            error = "the reply contains no JSON object.";
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            error = $"the reply is not valid JSON: {ex.Message}";
            return false;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            JsonElement list = root.ValueKind == JsonValueKind.Array ? root : Property(root, "notes") ?? default;
            if (list.ValueKind != JsonValueKind.Array)
            {
                error = "expected an object with a \"notes\" array.";
                return false;
            }

            foreach (JsonElement item in list.EnumerateArray())
            {
                if (ToNote(item, turns) is NoteWrite note)
                {
                    notes.Add(note);
                }
            }
        }

        error = null;
        return true;
    }

    /// <summary>
    /// Finds the first balanced JSON object (or array, when no object comes before it) in a reply, skipping code fences
    /// and prose around it.
    /// </summary>
    internal static string? FindOutermostJson(string? reply)
    {
        if (string.IsNullOrWhiteSpace(reply))
        {
            return null;
        }

        int start = reply.IndexOfAny(['{', '[']);
        if (start < 0)
        {
            return null;
        }

        int depth = 0;
        bool inString = false;
        for (int i = start; i < reply.Length; i++)
        {
            char c = reply[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    if (--depth == 0)
                    {
                        return reply[start..(i + 1)];
                    }

                    break;
            }
        }

        return reply[start..]; // unbalanced: let the JSON parser report where it breaks
    }

    private static NoteWrite? ToNote(JsonElement item, IReadOnlyDictionary<string, Turn> turns)
    {
        if (item.ValueKind != JsonValueKind.Object
            || !TryParseKind(String(item, "kind"), out NoteKind kind)
            || String(item, "text") is not { Length: > 0 and <= MaxTextLength } text
            || String(item, "subject") is not { Length: > 0 } subject)
        {
            return null;
        }

        List<Turn> sources = Strings(item, "source_turn_ids")
            .Distinct(StringComparer.Ordinal)
            .Select(id => turns.GetValueOrDefault(id))
            .OfType<Turn>()
            .ToList();
        if (sources.Count == 0)
        {
            return null;
        }

        string? attribute = String(item, "attribute");
        string? value = String(item, "value");
        bool hasAttribute = attribute is not null && value is not null;

        return new NoteWrite
        {
            Kind = kind,
            Text = text,
            Subject = subject,
            Attribute = hasAttribute ? attribute : null,
            Value = hasAttribute ? value : null,
            EventTime = ParseDate(String(item, "event_date"), sources[0].Timestamp.Offset),
            SourceTurnIds = sources.Select(t => t.Id).ToList(),
            Entities = Strings(item, "entities").Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            Importance = ParseImportance(Property(item, "importance")),
        };
    }

    private static bool TryParseKind(string? value, out NoteKind kind)
    {
        kind = default;
        return value is not null
            && value.All(char.IsLetter) // Enum.TryParse would also take "3" or "Fact, Event"
            && Enum.TryParse(value, ignoreCase: true, out kind);
    }

    private static DateTimeOffset? ParseDate(string? value, TimeSpan offset) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date)
            ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), offset)
            : null;

    private static double ParseImportance(JsonElement? element)
    {
        double value = element switch
        {
            { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            { ValueKind: JsonValueKind.String } e when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
            _ => 0.5,
        };
        return double.IsNaN(value) ? 0.5 : Math.Clamp(value, 0, 1);
    }

    /// <summary>A trimmed, non-blank string property (numbers are taken as their text), or <see langword="null"/>.</summary>
    private static string? String(JsonElement item, string name) =>
        Property(item, name) is JsonElement e ? Scalar(e) : null;

    /// <summary>A property holding a list of strings (or a single string), as non-blank trimmed strings.</summary>
    private static List<string> Strings(JsonElement item, string name) =>
        Property(item, name) switch
        {
            { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().Select(Scalar).OfType<string>().ToList(),
            JsonElement e when Scalar(e) is string single => [single],
            _ => [],
        };

    private static string? Scalar(JsonElement e)
    {
        string? text = e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Number => e.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    /// <summary>Looks a property up ignoring case and underscores ("source_turn_ids" finds "sourceTurnIds").</summary>
    private static JsonElement? Property(JsonElement item, string name)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (item.TryGetProperty(name, out JsonElement exact))
        {
            return exact;
        }

        string wanted = name.Replace("_", "", StringComparison.Ordinal);
        foreach (JsonProperty property in item.EnumerateObject())
        {
            if (string.Equals(property.Name.Replace("_", "", StringComparison.Ordinal), wanted, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
