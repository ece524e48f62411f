using System.Text.Json;
using System.Text.Json.Serialization;

namespace MemoryFabric.Serialization;

/// <summary>The JSON conventions of the MemoryFabric HTTP API, shared by the server and the client: camelCase
/// properties, enums as camelCase strings, no trailing commas or comments.</summary>
public static class MemoryFabricJson
{
    /// <summary>Creates options with the API's conventions (a new, mutable instance).</summary>
    /// <returns>The options.</returns>
    public static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        return options;
    }

    /// <summary>Shared read-only options with the API's conventions.</summary>
    public static JsonSerializerOptions Options { get; } = Freeze(CreateOptions());

    private static JsonSerializerOptions Freeze(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
