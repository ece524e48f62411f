using System.Globalization;
using System.Text.Json;

namespace MemoryFabric.Evaluation.Datasets;

/// <summary>Reads fields of a dataset's JSON leniently (strings or numbers where a string is expected) and reports
/// what is wrong with the file name and the JSON path.</summary>
internal sealed class JsonFields(string source)
{
    public string Source { get; } = source;

    public DatasetFormatException Error(string path, string problem) => new($"{Source}: {path}: {problem}");

    public JsonElement RequiredArray(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Error(path, $"missing \"{name}\" (expected a list)");
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error($"{path}.{name}", $"expected a list, found {Describe(value)}");
        }

        return value;
    }

    public JsonElement? OptionalArray(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error($"{path}.{name}", $"expected a list, found {Describe(value)}");
        }

        return value;
    }

    public JsonElement RequiredObject(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Error(path, $"missing \"{name}\" (expected an object)");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error($"{path}.{name}", $"expected an object, found {Describe(value)}");
        }

        return value;
    }

    public string RequiredString(JsonElement parent, string name, string path) =>
        OptionalString(parent, name, path) ?? throw Error(path, $"missing \"{name}\"");

    /// <summary>A string field; a number is accepted and kept as written (e.g. <c>2022</c>); missing or null gives
    /// <see langword="null"/>.</summary>
    public string? OptionalString(JsonElement parent, string name, string path)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        return Scalar(value, $"{path}.{name}");
    }

    /// <summary>A string or a number as a string; null gives <see langword="null"/>.</summary>
    public string? Scalar(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw Error(path, $"expected a string or a number, found {Describe(value)}"),
    };

    /// <summary>A list of strings; a single string or number is accepted as a one-item list; missing gives an empty
    /// list.</summary>
    public List<string> StringList(JsonElement parent, string name, string path)
    {
        var result = new List<string>();
        if (!parent.TryGetProperty(name, out var value))
        {
            return result;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                var s = Scalar(item, $"{path}.{name}[{i++}]");
                if (!string.IsNullOrWhiteSpace(s))
                {
                    result.Add(s);
                }
            }
        }
        else
        {
            var s = Scalar(value, $"{path}.{name}");
            if (!string.IsNullOrWhiteSpace(s))
            {
                result.Add(s);
            }
        }

        return result;
    }

    public DateTimeOffset? OptionalDate(JsonElement parent, string name, string path)
    {
        var text = OptionalString(parent, name, path);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var date))
        {
            return date;
        }

        throw Error($"{path}.{name}", $"\"{text}\" is not a date (expected ISO 8601, e.g. 2023-05-08T13:56:00Z)");
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
