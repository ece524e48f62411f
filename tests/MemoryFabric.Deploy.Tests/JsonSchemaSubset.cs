using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MemoryFabric.Deploy.Tests;

/// <summary>The part of JSON Schema draft-07 that values.schema.json uses: type, enum, properties, required,
/// additionalProperties (boolean or schema), items, minimum, maximum, minLength, maxLength, pattern, minItems.
/// A keyword it does not know makes it throw, so the schema cannot silently outgrow the check.</summary>
internal static class JsonSchemaSubset
{
    private static readonly HashSet<string> Known =
    [
        "$schema", "$id", "title", "description", "type", "enum", "properties", "required", "additionalProperties",
        "items", "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems",
    ];

    public static List<string> Validate(JsonNode? instance, JsonObject schema)
    {
        var errors = new List<string>();
        Validate(instance, schema, "$", errors);
        return errors;
    }

    private static void Validate(JsonNode? instance, JsonObject schema, string path, List<string> errors)
    {
        foreach (var (keyword, _) in schema)
        {
            if (!Known.Contains(keyword))
            {
                throw new NotSupportedException($"schema keyword \"{keyword}\" at {path} is not checked by this validator");
            }
        }

        var kind = KindOf(instance);
        if (schema["type"] is { } type)
        {
            var allowed = type is JsonArray a ? a.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            if (!allowed.Any(t => t == kind || (t == "number" && kind == "integer")))
            {
                errors.Add($"{path}: {kind} is not of type {string.Join("|", allowed)}");
                return;
            }
        }

        if (schema["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, instance)))
        {
            errors.Add($"{path}: {instance?.ToJsonString()} is not one of {values.ToJsonString()}");
        }

        switch (instance)
        {
            case JsonObject obj:
                var properties = schema["properties"] as JsonObject;
                foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()))
                {
                    if (!obj.ContainsKey(required))
                    {
                        errors.Add($"{path}: required property \"{required}\" is missing");
                    }
                }

                foreach (var (name, value) in obj)
                {
                    var child = $"{path}.{name}";
                    if (properties?[name] is JsonObject propertySchema)
                    {
                        Validate(value, propertySchema, child, errors);
                    }
                    else if (schema["additionalProperties"] is JsonValue flag && flag.GetValueKind() == JsonValueKind.False)
                    {
                        errors.Add($"{path}: additional property \"{name}\" is not allowed");
                    }
                    else if (schema["additionalProperties"] is JsonObject additional)
                    {
                        Validate(value, additional, child, errors);
                    }
                }

                break;
            case JsonArray array:
                if (schema["minItems"] is { } minItems && array.Count < minItems.GetValue<int>())
                {
                    errors.Add($"{path}: fewer than {minItems} items");
                }

                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        Validate(array[i], items, $"{path}[{i}]", errors);
                    }
                }

                break;
            case JsonValue value when kind == "string":
                var text = value.GetValue<string>();
                if (schema["minLength"] is { } minLength && text.Length < minLength.GetValue<int>())
                {
                    errors.Add($"{path}: \"{text}\" is shorter than {minLength}");
                }

                if (schema["maxLength"] is { } maxLength && text.Length > maxLength.GetValue<int>())
                {
                    errors.Add($"{path}: \"{text}\" is longer than {maxLength}");
                }

                if (schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern.GetValue<string>()))
                {
                    errors.Add($"{path}: \"{text}\" does not match {pattern}");
                }

                break;
            case JsonValue value when kind is "integer" or "number":
                var number = value.GetValue<double>();
                if (schema["minimum"] is { } minimum && number < minimum.GetValue<double>())
                {
                    errors.Add($"{path}: {number} is below {minimum}");
                }

                if (schema["maximum"] is { } maximum && number > maximum.GetValue<double>())
                {
                    errors.Add($"{path}: {number} is above {maximum}");
                }

                break;
        }
    }

    private static string KindOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => v.TryGetValue<long>(out _) || (v.TryGetValue<double>(out var d) && d == Math.Floor(d)) ? "integer" : "number",
            _ => "null",
        },
        _ => throw new NotSupportedException(node.GetType().Name),
    };
}
